import { numericValue } from "../../common/src/aggregate-fields.ts";
import { AddStatus, type RefusalCause, type WindowEngine } from "./core/index.ts";
import type { EventDecoder } from "./event-decoder.ts";
import { fitsCassandraKey, type ValidUser } from "./user-record.ts";

/**
 * Where one consumed record goes. `user` is the validated record to store (STORE_USERS), whatever the
 * windows made of it: a late event is stored like any other.
 */
export type Route =
  | { to: "aggregate"; partlyLate: boolean; user: ValidUser | null }
  | {
      to: "late";
      windowEnd: number;
      watermark: number;
      /** Closed by its own partition's watermark, not by the processor's while the partition was idle. */
      behindOwnWatermark: boolean;
      user: ValidUser | null;
    }
  | { to: "dead-letter"; reason: string }
  /** The core is out of capacity: which limit (refusal.ts words the dead letter's reason). */
  | { to: "refused"; cause: RefusalCause };

const AGGREGATED: Route = { to: "aggregate", partlyLate: false, user: null };
const AGGREGATED_PARTLY_LATE: Route = { to: "aggregate", partlyLate: true, user: null };

/**
 * Decodes a record and adds it to the windowing core, and says what became of it: aggregated (perhaps
 * into its open windows only), late (its windows are closed), dead letter (undecodable or invalid), or
 * refused (the core is out of capacity). No I/O: the processor sends what the route says.
 */
export class RecordRouter {
  private readonly keys: Int32Array;
  private readonly valueField: string;
  /** The extra aggregate fields' values of the record being routed (NaN: it has none). */
  private readonly extras: Float64Array;

  constructor(
    private readonly engine: WindowEngine,
    private readonly decoder: EventDecoder,
    private readonly dims: readonly string[],
  ) {
    this.keys = new Int32Array(dims.length);
    this.valueField = engine.valueField;
    this.extras = new Float64Array(engine.extraFields.length);
  }

  /** `timestamp`: the record's Kafka timestamp, which the decoder's event-time bound may name. */
  route(
    value: Buffer | null | undefined,
    timestamp: number | undefined,
    slot: number,
    storeUsers: boolean,
  ): Route {
    const decoded = this.decoder.decode(value, storeUsers, timestamp);
    if (!decoded.ok) return { to: "dead-letter", reason: decoded.reason };
    const rec = decoded.record;
    const eventTime = rec.event_time;
    const v = rec[this.valueField];
    if (typeof eventTime !== "number" || typeof v !== "number") {
      return { to: "dead-letter", reason: `invalid event: event_time ${eventTime}, ${this.valueField} ${v}` };
    }
    const { dims, keys, engine } = this;
    for (let d = 0; d < dims.length; d++) {
      const k = rec[dims[d]!];
      if (k === null || k === undefined) return { to: "dead-letter", reason: `invalid event: no ${dims[d]}` };
      const s = typeof k === "string" ? k : String(k);
      // The value becomes a clustering key of window_aggregates: Cassandra would refuse it forever.
      if (!fitsCassandraKey(s)) {
        return {
          to: "dead-letter",
          reason: `invalid event: ${dims[d]} is ${Buffer.byteLength(s)} bytes, over Cassandra's 65535-byte key limit`,
        };
      }
      keys[d] = engine.keyId(slot, d, s);
    }
    const extraFields = engine.extraFields;
    for (let e = 0; e < extraFields.length; e++) this.extras[e] = numericValue(rec, extraFields[e]!);
    const status = engine.add(slot, eventTime, v, keys, this.extras);
    const user = decoded.user;
    switch (status) {
      case AddStatus.Added:
        return user ? { to: "aggregate", partlyLate: false, user } : AGGREGATED;
      case AddStatus.AddedPartlyLate:
        return user ? { to: "aggregate", partlyLate: true, user } : AGGREGATED_PARTLY_LATE;
      case AddStatus.Late:
        return {
          to: "late",
          windowEnd: engine.lastLateWindowEnd,
          watermark: engine.watermarkOf(slot),
          behindOwnWatermark: engine.lastLateBehindOwnWatermark,
          user,
        };
      case AddStatus.Invalid:
        return {
          to: "dead-letter",
          reason: `invalid event: event_time ${eventTime}, ${this.valueField} ${v}`,
        };
      default:
        return { to: "refused", cause: engine.refusalOf(slot) };
    }
  }
}
