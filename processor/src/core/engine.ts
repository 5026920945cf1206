import { PartitionState } from "./partition-state.ts";
import { ALL_GROUP, type Limits } from "./ring-buffer.ts";
import { decodeSnapshot, encodeSnapshot } from "./snapshot.ts";
import {
  AddStatus,
  type CoreConfig,
  type PartitionCounters,
  type PartitionStatus,
  type RefusalCause,
  type WindowRow,
} from "./types.ts";
import { isIdle, partitionWatermark, processorWatermark } from "./watermark.ts";
import { firstOpenIndex, floorDiv, maxEventTime, type WindowSpec, windowSpec } from "./window-spec.ts";

export const DEFAULT_LIMITS: Limits = {
  initialKeys: 8,
  initialWindows: 4,
  maxKeys: 1 << 20,
  maxOpenWindows: 1 << 16,
  maxCells: 1 << 24,
};

export interface AssignEntry {
  readonly partition: number;
  /** A snapshot of this partition taken by snapshot(); absent for a fresh partition. */
  readonly snapshot?: Uint8Array;
}

/**
 * Event-time windowing of several source partitions, each aggregated on its own (see README.md).
 * Pure: no I/O, no clock; processing time only enters through assign() and tick().
 */
export class WindowEngine {
  readonly spec: WindowSpec;
  /** Group names in key-array order: "all" (when configured) then the groupBy dimensions. */
  readonly groups: readonly string[];
  /** Number of dimension key ids add() reads from its `keys` argument (= groupBy.length). */
  readonly dims: number;
  readonly lateness: number;
  readonly idleTimeout: number;
  readonly includeAll: boolean;
  readonly valueField: string;
  /** Numeric fields aggregated beside the value (CoreConfig.extraFields), in add()'s order. */
  readonly extraFields: readonly string[];
  readonly limits: Limits;
  /** End of the window that made the latest add() return Late, for the late topic's headers. */
  lastLateWindowEnd = Number.NaN;
  /**
   * Whether that window had ended at or before its partition's own watermark (true), or was closed
   * by the processor watermark while the partition was idle (false; README.md: Lateness).
   */
  lastLateBehindOwnWatermark = true;

  private readonly maxT: number;
  private readonly parts: (PartitionState | undefined)[] = [];
  private readonly active: PartitionState[] = [];
  private readonly slotOf = new Map<number, number>();
  private finals: WindowRow[] = [];
  private nowMs = 0;
  /** Processor watermark last computed from the partitions (−∞ until one has data). */
  private current = Number.NEGATIVE_INFINITY;
  private readonly scratch: Int32Array;
  private readonly extraScratch: Float64Array;

  constructor(readonly config: CoreConfig) {
    this.spec = windowSpec(config.windowSizeMs, config.windowSlideMs ?? 0);
    nonNegativeInt("allowedLatenessMs", config.allowedLatenessMs);
    nonNegativeInt("idleTimeoutMs", config.idleTimeoutMs);
    this.includeAll = config.includeAll ?? true;
    const dims = config.groupBy.map((g) => g.trim());
    const names = this.includeAll ? [ALL_GROUP, ...dims] : dims;
    if (names.length === 0) throw new RangeError("no group: set groupBy or includeAll");
    if (new Set(names).size !== names.length || names.some((n) => n === "")) {
      throw new RangeError(`group names must be distinct and non-empty: ${names.join(",")}`);
    }
    this.groups = names;
    this.dims = dims.length;
    this.lateness = config.allowedLatenessMs;
    this.idleTimeout = config.idleTimeoutMs;
    this.valueField = config.valueField ?? "age";
    this.extraFields = (config.extraFields ?? []).map((f) => f.trim());
    const fields = [this.valueField, ...this.extraFields];
    if (new Set(fields).size !== fields.length || fields.some((f) => f === "")) {
      throw new RangeError(`aggregated fields must be distinct and non-empty: ${fields.join(",")}`);
    }
    this.extraScratch = new Float64Array(this.extraFields.length);
    this.limits = {
      initialKeys: config.initialKeys ?? DEFAULT_LIMITS.initialKeys,
      initialWindows: config.initialWindows ?? DEFAULT_LIMITS.initialWindows,
      maxKeys: config.maxKeys ?? DEFAULT_LIMITS.maxKeys,
      maxOpenWindows: config.maxOpenWindows ?? DEFAULT_LIMITS.maxOpenWindows,
      maxCells: config.maxCells ?? DEFAULT_LIMITS.maxCells,
    };
    for (const [name, v] of Object.entries(this.limits)) {
      if (!Number.isInteger(v) || v < 1 || v > 2 ** 30) throw new RangeError(`${name} must be in [1, 2^30]`);
    }
    if (this.limits.maxOpenWindows < this.spec.perEvent) {
      throw new RangeError(`maxOpenWindows must hold the ${this.spec.perEvent} windows of one event`);
    }
    this.maxT = maxEventTime(this.spec);
    this.scratch = new Int32Array(this.dims);
  }

  /**
   * Takes on source partitions (a rebalance's new assignment), fresh or restored from snapshots.
   * Their idle clocks start at `nowMs`. Returns each partition's slot (for add()) and the next input
   * offset its snapshot covers ("0"... as a decimal string; undefined for a fresh partition).
   */
  assign(
    entries: readonly AssignEntry[],
    nowMs: number,
  ): { partition: number; slot: number; nextOffset: string | undefined }[] {
    // Everything is checked and decoded before anything changes: a bad snapshot assigns nothing.
    const seen = new Set<number>();
    const states = entries.map((e) => {
      if (this.slotOf.has(e.partition) || seen.has(e.partition)) {
        throw new Error(`partition ${e.partition} is already assigned`);
      }
      seen.add(e.partition);
      if (!e.snapshot) return { state: this.newPartition(e.partition, nowMs), nextOffset: undefined };
      const restored = decodeSnapshot(e.snapshot, this, nowMs);
      if (restored.header.partition !== e.partition) {
        throw new Error(`snapshot is of partition ${restored.header.partition}, not ${e.partition}`);
      }
      return { state: restored.state, nextOffset: restored.header.nextOffset };
    });
    this.nowMs = nowMs;
    for (const p of this.active) p.clearFast();
    const out: { partition: number; slot: number; nextOffset: string | undefined }[] = [];
    for (const { state, nextOffset } of states) {
      let slot = this.parts.indexOf(undefined);
      if (slot < 0) slot = this.parts.length;
      this.parts[slot] = state;
      this.active.push(state);
      this.slotOf.set(state.partition, slot);
      // A snapshot taken before lateness was per partition may stand behind its own watermark.
      state.applyWatermark(state.maxEventTime - this.lateness, this.finals);
      out.push({ partition: state.partition, slot, nextOffset });
    }
    this.refreshWatermark();
    return out;
  }

  /** @internal used by snapshot decoding */
  newPartition(partition: number, nowMs: number): PartitionState {
    return new PartitionState(
      partition,
      this.spec,
      this.groups,
      this.includeAll,
      this.limits,
      nowMs,
      this.extraFields,
    );
  }

  /**
   * Drops partitions (lost in a rebalance). Snapshot them first; their untaken final rows stay
   * available to takeFinal(). The remaining partitions' watermark may advance.
   */
  revoke(partitions: readonly number[]): void {
    for (const p of partitions) {
      const slot = this.slotOf.get(p);
      if (slot === undefined) continue;
      const state = this.parts[slot]!;
      this.parts[slot] = undefined;
      this.active.splice(this.active.indexOf(state), 1);
      this.slotOf.delete(p);
    }
    this.refreshWatermark();
  }

  slot(partition: number): number {
    const slot = this.slotOf.get(partition);
    if (slot === undefined) throw new Error(`partition ${partition} is not assigned`);
    return slot;
  }

  assigned(): number[] {
    return this.active.map((p) => p.partition);
  }

  /**
   * Dictionary id of a dimension value in a partition (dim indexes config.groupBy). −1 when the
   * dictionary is full: hand it to add() anyway, which refuses and counts the event.
   */
  keyId(slot: number, dim: number, value: string): number {
    if (dim < 0 || dim >= this.dims) throw new RangeError(`no dimension ${dim}`);
    return this.part(slot).keyId(this.includeAll ? dim + 1 : dim, value);
  }

  /**
   * The hot path: one event of partition `slot`, its dimension key ids in keys[0..dims) (reuse one
   * Int32Array), the values of the extra fields in extras[0..extraFields.length) (NaN: the record
   * has none; ignored without extra fields). Allocates nothing unless a window closes or storage grows.
   */
  add(
    slot: number,
    eventTime: number,
    value: number,
    keys: ArrayLike<number>,
    extras?: ArrayLike<number>,
  ): AddStatus {
    const p = this.parts[slot];
    if (p === undefined) throw new Error(`slot ${slot} is not assigned`);
    return this.addOne(p, slot, eventTime, value, keys, 0, extras, 0);
  }

  /**
   * add() over a batch in columns: event i has time times[i], value values[i], its dimension
   * key ids at keys[i·dims .. i·dims + dims) and its extra fields' values at extras[i·E .. i·E + E)
   * (E = extraFields.length). Writes each AddStatus to `statuses` when given and returns how many
   * events were not Added, so a caller can skip looking when it is 0.
   */
  addBatch(
    slot: number,
    times: ArrayLike<number>,
    values: ArrayLike<number>,
    keys: ArrayLike<number>,
    count: number,
    statuses?: Uint8Array,
    extras?: ArrayLike<number>,
  ): number {
    const p = this.parts[slot];
    if (p === undefined) throw new Error(`slot ${slot} is not assigned`);
    const e = this.extraFields.length;
    if (
      times.length < count ||
      values.length < count ||
      keys.length < count * this.dims ||
      (e > 0 && extras !== undefined && extras.length < count * e)
    ) {
      throw new RangeError(`batch columns shorter than ${count} events`);
    }
    let notAdded = 0;
    let i = 0;
    while (i < count) {
      const next = p.addRun(times, values, keys, i, count, this.dims, statuses, p.maxEventTime, extras);
      if (next > i) {
        p.counters.processed += next - i;
        i = next;
        // A run ends after the first event that raises the partition's max event time.
        const last = times[i - 1]!;
        if (last > p.maxEventTime) this.delivered(p, last);
        continue;
      }
      const status = this.addSlow(p, slot, times[i]!, values[i]!, keys, i * this.dims, extras, i * e);
      if (status !== AddStatus.Added) notAdded++;
      if (statuses !== undefined) statuses[i] = status;
      i++;
    }
    return notAdded;
  }

  /**
   * Kept small so that V8 inlines it into add()/addBatch(): a call that is not inlined boxes the
   * float64 event time on every event. Most events hit the partition's fast cache (see
   * WindowRing.fastStart); the others go to addSlow().
   */
  private addOne(
    p: PartitionState,
    slot: number,
    eventTime: number,
    value: number,
    keys: ArrayLike<number>,
    off: number,
    extras: ArrayLike<number> | undefined,
    eoff: number,
  ): AddStatus {
    if (p.addFast(eventTime, value, keys, off, this.dims, extras, eoff)) {
      p.counters.processed++;
      if (eventTime > p.maxEventTime) this.delivered(p, eventTime);
      return AddStatus.Added;
    }
    return this.addSlow(p, slot, eventTime, value, keys, off, extras, eoff);
  }

  /** Arms p's fast cache for window kTop if its windows from kLo are still open and held. */
  private arm(p: PartitionState, kLo: number, kTop: number): void {
    if (kLo >= p.openFromK && kLo >= p.lowK && kTop <= p.highK) p.setFast(kTop, this.maxT);
  }

  /**
   * The whole decision, for every event off the fast cache: invalid, late, partly late, unknown
   * key, ring to extend; arms the cache for the event's window when it was simply added.
   */
  private addSlow(
    p: PartitionState,
    slot: number,
    eventTime: number,
    value: number,
    keys: ArrayLike<number>,
    off: number,
    extras?: ArrayLike<number>,
    eoff = 0,
  ): AddStatus {
    if (
      !(eventTime >= -this.maxT && eventTime <= this.maxT) ||
      Math.floor(eventTime) !== eventTime ||
      value - value !== 0
    ) {
      p.counters.invalid++;
      return AddStatus.Invalid;
    }
    const spec = this.spec;
    const kTop = floorDiv(eventTime, spec.slideMs);
    let kLo = kTop - spec.perEvent + 1;
    let status: AddStatus = AddStatus.Added;
    if (kLo < p.openFromK) {
      if (p.openFromK > kTop) {
        p.counters.late++;
        this.lastLateWindowEnd = kTop * spec.slideMs + spec.sizeMs;
        this.lastLateBehindOwnWatermark = this.lastLateWindowEnd <= p.maxEventTime - this.lateness;
        this.delivered(p, eventTime);
        return AddStatus.Late;
      }
      kLo = p.openFromK;
      status = AddStatus.AddedPartlyLate;
    }
    for (let d = 0; d < this.dims; d++) {
      const id = keys[off + d]!;
      if (id >= 0 && id < p.keyCount) continue;
      if (id === -1) {
        p.counters.refused++;
        return AddStatus.Refused;
      }
      throw new RangeError(`key id ${id} unknown to slot ${slot}`);
    }
    if (!p.covers(kLo, kTop) && !this.makeRoom(p, eventTime, kLo, kTop)) {
      p.counters.refused++;
      return AddStatus.Refused;
    }
    p.aggregate(kLo, kTop, keys, off, this.dims, value, extras, eoff);
    p.counters.processed++;
    if (status === AddStatus.AddedPartlyLate) p.counters.partlyLate++;
    this.delivered(p, eventTime);
    if (status === AddStatus.Added) this.arm(p, kLo, kTop);
    return status;
  }

  /** Marks a delivery: the partition is active again and its watermark may rise. */
  private delivered(p: PartitionState, eventTime: number): void {
    p.lastActiveMs = this.nowMs;
    let recompute = false;
    if (p.idle) {
      if (this.active.every((q) => q.idle)) this.resume();
      p.idle = false;
      recompute = true;
    }
    if (eventTime > p.maxEventTime) {
      // Only a partition at the minimum can move the processor watermark.
      if (partitionWatermark(p, this.lateness) <= this.current) recompute = true;
      p.maxEventTime = eventTime;
      // Contract §4: the partition's own watermark decides its lateness and closes its windows.
      p.applyWatermark(eventTime - this.lateness, this.finals);
    }
    if (recompute) this.refreshWatermark();
  }

  /**
   * The input resumes after every partition was idle: each gets a fresh idle timeout, as at an
   * assignment. Otherwise the first partition to deliver would carry the others' watermarks past the
   * records they are about to deliver, and which of them are late would depend on which partition's
   * batch came first.
   */
  private resume(): void {
    for (const q of this.active) {
      q.idle = false;
      q.lastActiveMs = this.nowMs;
    }
  }

  /**
   * Room for windows [kLo, kTop] in p's ring. The event's own delivery may finalize old windows
   * (it raises the watermark), so that is tried first — committed only if it then fits; otherwise
   * the ring grows within the limits. False (nothing changed) when neither is enough.
   */
  private makeRoom(p: PartitionState, eventTime: number, kLo: number, kTop: number): boolean {
    // After the delivery the partition stands at least at its own watermark (README: Lateness).
    const wm = Math.max(eventTime, p.maxEventTime) - this.lateness;
    const openK = wm > p.floor ? firstOpenIndex(this.spec, wm) : p.openFromK;
    let lo = kLo;
    let hi = kTop;
    if (!p.isEmpty() && p.highK >= openK) {
      lo = Math.min(lo, Math.max(p.lowK, openK));
      hi = Math.max(hi, p.highK);
    }
    // The ring keeps its current windows while it grows; they span at most ringCap < hi − lo + 1.
    if (hi - lo + 1 > p.ringCap && !p.growRing(hi - lo + 1)) return false;
    this.delivered(p, eventTime);
    return true;
  }

  /**
   * Advances processing time: partitions silent for idleTimeoutMs become idle and stop holding the
   * watermark back; when all are idle the watermark advances with processing time (README.md).
   */
  tick(nowMs: number): void {
    this.nowMs = nowMs;
    for (const p of this.active) {
      p.idle = isIdle(p, nowMs, this.idleTimeout);
      // The next delivery must stamp the new time on the partition: not through the fast path.
      p.clearFast();
    }
    this.refreshWatermark();
    for (const p of this.active) p.tidyKeys();
  }

  /**
   * What the latest Refused add() of a slot ran out of: `keys` (maxKeys distinct values in the
   * partition's open windows), `windows` (maxOpenWindows) or `cells` (maxCells, keys × window slots).
   * Recorded where the limit is met (keyId, the ring's growth), so addSlow() does no more for it.
   */
  refusalOf(slot: number): RefusalCause {
    return this.part(slot).book.lastRefusal;
  }

  /** Recomputes the processor watermark and applies it to every partition (closing windows). */
  private refreshWatermark(): void {
    const active = this.active;
    const wm = processorWatermark(active, this.lateness, this.idleTimeout, this.nowMs);
    this.current = wm;
    if (wm === Number.NEGATIVE_INFINITY) return;
    for (let i = 0; i < active.length; i++) active[i]!.applyWatermark(wm, this.finals);
  }

  /** Rows of windows finalized since the previous call, in closing order. */
  takeFinal(): WindowRow[] {
    const rows = this.finals;
    this.finals = [];
    return rows;
  }

  /** Open cells changed since the previous call (of all partitions, or of one slot). */
  takeDirty(slot?: number): WindowRow[] {
    const out: WindowRow[] = [];
    for (const p of this.selected(slot)) p.takeDirty(out);
    return out;
  }

  /** Current values of every open cell, not final (for live charts). */
  partials(slot?: number): WindowRow[] {
    const out: WindowRow[] = [];
    for (const p of this.selected(slot)) p.partials(out);
    return out;
  }

  private selected(slot: number | undefined): PartitionState[] {
    return slot === undefined ? this.active : [this.part(slot)];
  }

  /**
   * Serializes a partition's whole state, covering the input before `nextOffset`. Take and store
   * its final rows first: a snapshot holds only open windows, so it refuses while some are untaken.
   */
  snapshot(slot: number, nextOffset: bigint | string): Uint8Array {
    const p = this.part(slot);
    if (this.finals.some((r) => r.partition === p.partition)) {
      throw new Error(`partition ${p.partition} has final rows not yet taken: takeFinal() first`);
    }
    // A value no open window holds is not state: neither in the snapshot nor, from now, in the dictionary.
    p.tidyKeys();
    return encodeSnapshot(this, p, String(nextOffset));
  }

  /** Processor watermark: the smallest watermark applied to an assigned partition. */
  watermark(): number {
    let wm = Number.POSITIVE_INFINITY;
    for (const p of this.active) if (p.floor < wm) wm = p.floor;
    return wm === Number.POSITIVE_INFINITY ? Number.NEGATIVE_INFINITY : wm;
  }

  /** Watermark applied to one partition: its windows ending at or before it are final. */
  watermarkOf(slot: number): number {
    return this.part(slot).floor;
  }

  status(): PartitionStatus[] {
    return this.active.map((p) => ({
      partition: p.partition,
      slot: this.slotOf.get(p.partition)!,
      maxEventTime: p.maxEventTime,
      watermark: p.floor,
      idle: p.idle,
      openWindows: p.openWindows(),
      windowSlots: p.ringCap,
      keys: p.liveKeys(),
      bytes: p.bytes(),
      counters: { ...p.counters },
    }));
  }

  /** Counters summed over the assigned partitions. */
  totals(): PartitionCounters {
    const t: PartitionCounters = { processed: 0, late: 0, partlyLate: 0, invalid: 0, refused: 0, grown: 0 };
    for (const p of this.active) {
      for (const k of Object.keys(t) as (keyof PartitionCounters)[]) t[k] += p.counters[k];
    }
    return t;
  }

  /**
   * Object-level convenience over keyId() + add(): reads the dimensions, the value field and the
   * extra fields from a plain record. A missing or non-string dimension, or a non-numeric value, is
   * Invalid; an extra field that is not a number is only not counted.
   */
  addRecord(partition: number, eventTime: number, record: Readonly<Record<string, unknown>>): AddStatus {
    const slot = this.slot(partition);
    const value = record[this.valueField];
    const dims = this.config.groupBy;
    for (let d = 0; d < this.dims; d++) {
      const v = record[dims[d]!.trim()];
      if (typeof v !== "string" && typeof v !== "number") {
        this.part(slot).counters.invalid++;
        return AddStatus.Invalid;
      }
      this.scratch[d] = this.keyId(slot, d, String(v));
    }
    if (typeof value !== "number") {
      this.part(slot).counters.invalid++;
      return AddStatus.Invalid;
    }
    for (let e = 0; e < this.extraFields.length; e++) {
      const v = record[this.extraFields[e]!];
      this.extraScratch[e] = typeof v === "number" ? v : Number.NaN;
    }
    return this.add(slot, eventTime, value, this.scratch, this.extraScratch);
  }

  private part(slot: number): PartitionState {
    const p = this.parts[slot];
    if (p === undefined) throw new Error(`slot ${slot} is not assigned`);
    return p;
  }
}

function nonNegativeInt(name: string, v: number): void {
  if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`${name} must be a non-negative integer`);
}
