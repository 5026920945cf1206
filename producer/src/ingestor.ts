import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import {
  buildDeadLetter,
  DEAD_LETTER_MAX_PAYLOAD_BYTES,
  type DeadLetterStage,
  deadLetterHeaders,
} from "../../common/src/contracts/dead-letter.ts";
import { encodeAvroWire } from "../../common/src/wire-format.ts";
import type { MessageHeaders, MessageSink } from "./kafka-producer.ts";
import type { RegisteredSchema } from "./schema-registry.ts";
import {
  DEFAULT_EVENT_TIME_BOUNDS,
  type EventTimeBounds,
  type IngestSource,
  mapUser,
} from "./user-mapping.ts";

export interface IngestCounts {
  /** Records offered to the ingestor: sent + rejected + failed once drained. */
  received: number;
  /** Acknowledged by Kafka on the users topic. */
  sent: number;
  /** Refused (parse, map or schema) and acknowledged on the dead-letter topic. */
  rejected: number;
  /** Never acknowledged by Kafka (users or dead-letter topic). */
  failed: number;
}

export interface IngestStats extends IngestCounts {
  elapsedMs: number;
  eventsPerSec: number;
}

export interface Rejection {
  reason: string;
  stage: DeadLetterStage;
  line?: number;
}

export interface IngestorOptions {
  sink: MessageSink;
  schema: Pick<RegisteredSchema, "id" | "type">;
  usersTopic: string;
  dlqTopic: string;
  source: IngestSource;
  /** The ingestion run the records belong to: header `run_id` of every message, so a run's dead letters can be found. */
  runId?: string;
  /** Sends awaiting acknowledgement before offering more waits; keeps memory bounded at full speed. */
  maxInFlight?: number;
  /** Which event times are accepted (EVENT_TIME_MAX_FUTURE_SKEW_MS); its default and the wall clock otherwise. */
  eventTimeBounds?: EventTimeBounds;
  /** A longer payload keeps its first bytes in the dead letter; DEAD_LETTER_MAX_PAYLOAD_BYTES by default. */
  maxDeadLetterPayloadBytes?: number;
  onReject?: (r: Rejection) => void;
  onFailure?: (err: Error) => void;
}

/**
 * Validates, maps, encodes and sends each record, or dead-letters it with its reason; counts every outcome.
 * Offering a record returns a promise only when too many are unacknowledged (wait for it), null otherwise,
 * so the caller streams at Kafka's pace without a promise per record.
 */
export class Ingestor {
  private readonly counts: IngestCounts = { received: 0, sent: 0, rejected: 0, failed: 0 };
  private readonly startedAt = performance.now();
  private inFlight = 0;
  private produced = 0;
  private readonly maxInFlight: number;
  private readonly waiters: (() => void)[] = [];
  private idle: (() => void) | null = null;
  private readonly runHeaders: Record<string, string>[];
  private readonly onSent = (err: Error | null) => this.settle(err, "sent");
  private readonly onDeadLettered = (err: Error | null) => this.settle(err, "rejected");
  firstError: Error | null = null;

  constructor(private readonly opts: IngestorOptions) {
    this.maxInFlight = opts.maxInFlight ?? 50_000;
    this.runHeaders = [{ source: opts.source }, ...(opts.runId ? [{ run_id: opts.runId }] : [])];
  }

  /** A raw API user received at `eventTime`; `text` is its original payload, `line` its fixture line. */
  offerUser(
    raw: unknown,
    eventTime: number,
    origin: { text?: string; line?: number } = {},
  ): Promise<void> | null {
    this.counts.received++;
    const mapped = mapUser(
      raw,
      eventTime,
      this.opts.schema.type,
      this.opts.source,
      this.opts.eventTimeBounds ?? DEFAULT_EVENT_TIME_BOUNDS,
    );
    if (!mapped.ok) {
      const payload = origin.text ?? serialized(raw);
      const reason =
        payload === null ? `${mapped.reason} [payload not kept: nested too deep to write]` : mapped.reason;
      return this.deadLetter(reason, mapped.stage, payload ?? "", origin.line, mapped.eventId);
    }
    const value = encodeAvroWire(this.opts.schema.type, this.opts.schema.id, mapped.record);
    return this.produce(this.opts.usersTopic, mapped.record.event_id, value, this.onSent);
  }

  /** A record refused before it became a user (e.g. a fixture line that is not JSON). */
  offerRejected(
    reason: string,
    stage: DeadLetterStage,
    payload: string,
    line?: number,
  ): Promise<void> | null {
    this.counts.received++;
    return this.deadLetter(reason, stage, payload, line, null);
  }

  /** Resolves once every offered record is acknowledged or failed. */
  async drain(): Promise<IngestStats> {
    if (this.inFlight > 0) await new Promise<void>((resolve) => (this.idle = resolve));
    return this.stats();
  }

  stats(): IngestStats {
    const elapsedMs = performance.now() - this.startedAt;
    const done = this.counts.sent + this.counts.rejected;
    return { ...this.counts, elapsedMs, eventsPerSec: elapsedMs > 0 ? (done * 1000) / elapsedMs : 0 };
  }

  private deadLetter(
    reason: string,
    stage: DeadLetterStage,
    payload: string,
    line: number | undefined,
    key: string | null,
  ): Promise<void> | null {
    this.opts.onReject?.({ reason, stage, ...(line === undefined ? {} : { line }) });
    const letter = buildDeadLetter({
      reason,
      stage,
      source: this.opts.source,
      payload,
      key,
      maxPayloadBytes: this.opts.maxDeadLetterPayloadBytes ?? DEAD_LETTER_MAX_PAYLOAD_BYTES,
      ...(line === undefined ? {} : { line }),
    });
    const headers = deadLetterHeaders({ payloadBytes: letter.payloadBytes, truncated: letter.truncated });
    return this.produce(
      this.opts.dlqTopic,
      letter.key,
      letter.value,
      this.onDeadLettered,
      Object.entries(headers).map(([k, v]) => ({ [k]: v })),
    );
  }

  private produce(
    topic: string,
    key: string | null,
    value: Buffer,
    onDelivery: (err: Error | null) => void,
    extraHeaders: MessageHeaders = [],
  ): Promise<void> | null {
    this.inFlight++;
    const headers: MessageHeaders = [
      { produced_at: String(Date.now()) },
      ...this.runHeaders,
      ...extraHeaders,
    ];
    this.opts.sink.produce(topic, key, value, headers, onDelivery);
    if (this.inFlight >= this.maxInFlight) return new Promise<void>((resolve) => this.waiters.push(resolve));
    // A caller streaming at full speed never leaves the microtask queue, and the client hands over at most 100
    // delivery reports per event-loop turn: yielding every 64 records keeps acknowledgements (counts, progress,
    // memory) in step with production instead of trailing it by the whole in-flight window.
    if (++this.produced % 64 === 0) return yieldToEventLoop();
    return null;
  }

  private settle(err: Error | null, outcome: "sent" | "rejected"): void {
    if (err) {
      this.firstError ??= err;
      this.opts.onFailure?.(err);
      this.counts.failed++;
    } else {
      this.counts[outcome]++;
    }
    this.inFlight--;
    if (this.inFlight < this.maxInFlight) this.waiters.shift()?.();
    if (this.inFlight === 0 && this.idle) {
      const idle = this.idle;
      this.idle = null;
      idle();
    }
  }
}

/** An API user as JSON text for its dead letter; null when JSON.stringify cannot (it recurses: deep nesting). */
function serialized(raw: unknown): string | null {
  try {
    return JSON.stringify(raw) ?? String(raw);
  } catch {
    return null;
  }
}
