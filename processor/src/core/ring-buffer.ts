import type { FieldStats, PartitionCounters, RefusalCause, WindowRow } from "./types.ts";
import type { WindowSpec } from "./window-spec.ts";

/** Sizing of one partition's storage. Growth past a max is refused by the caller of these methods. */
export interface Limits {
  readonly initialKeys: number;
  readonly initialWindows: number;
  readonly maxKeys: number;
  readonly maxOpenWindows: number;
  readonly maxCells: number;
}

/** Key id of the "all" group's single key "*" when that group is configured. */
const ALL_KEY_ID = 0;
export const ALL_KEY = "*";
export const ALL_GROUP = "all";

/**
 * Numbers per cell in `stats` for the value field: count, sum, min, max. Each extra field
 * (CoreConfig.extraFields) adds its own four, counted apart: a record without the field (not a
 * finite number) counts in the cell but not in that field.
 */
export const STATS = 4;

/** The stats of an empty cell with `extra` extra fields: [0, 0, +∞, −∞] per field. */
function emptyCell(extra: number): Float64Array {
  const cell = new Float64Array(STATS * (1 + extra));
  for (let i = 0; i < cell.length; i += STATS)
    cell.set([0, 0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY], i);
  return cell;
}

function nextPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/**
 * The aggregate storage of one source partition: a dictionary of (group, value) → key id, and per
 * key a ring of window slots, in columnar typed arrays, so memory is bounded by open windows × keys
 * whatever the stream's length. Cell (key, slot) lives at index key·ringCap + slot (key-major), so
 * adding keys only appends while growing the ring re-lays the cells out. Which windows are open is
 * decided outside (PartitionState, from the watermark); the ring holds, evicts and reports them.
 *
 * The ring covers the window indices [lowK, lowK + ringCap); the used ones are [lowK, highK]
 * (empty when highK < lowK). Window k sits in slot (head + k − lowK) mod ringCap. Slots outside
 * [lowK, highK] are always clear, so moving lowK down or highK up needs no clearing.
 */
/** What the dictionary keeps beside its maps to release keys no open window uses. */
class KeyBook {
  /** Ids released by a sweep while other ids were handed out, reused before new ones. */
  readonly freeKeys: number[] = [];
  /**
   * keyStamp[id] is epoch() when keyId() last returned id. An id handed out since the last add may be in
   * the caller's hands without a cell yet: a sweep keeps it.
   */
  keyStamp: Float64Array = new Float64Array(0);
  /** Whether a window was evicted or a key created since the last sweep: some keys may be unused. */
  mayBeUnused = false;
  /** The limit the latest keyId() returning −1 or growRing() failing met: why an add() was refused. */
  lastRefusal: RefusalCause = "keys";
}

export class WindowRing {
  /**
   * The engine's fast path: an integer t in [fastStart, fastEnd) has its newest window in ring slot
   * fastSlot, all its windows open and held, marked dirty, and the partition busy since the last
   * tick — so adding it is only the arithmetic. Anything that could change one of those facts
   * (eviction, ring moves, takeDirty, tick) clears it; NaN bounds match nothing. A second entry
   * (prev…) keeps the window armed before, as events around a boundary alternate between two.
   */
  fastStart = Number.NaN;
  fastEnd = Number.NaN;
  fastSlot = 0;
  prevStart = Number.NaN;
  prevEnd = Number.NaN;
  prevSlot = 0;

  /** Key ids in use are below keyCount; those in `freeKeys` among them are unused. */
  keyCount = 0;
  keyCap = 0;
  readonly keyGroup: number[] = [];
  readonly keyName: string[] = [];
  private readonly dicts: Map<string, number>[] = [];
  ringCap = 0;
  ringShift = 0;
  ringMask = 0;
  head = 0;
  lowK = 0;
  highK = -1;

  /** `stride` numbers per cell: count, sum, min, max (then those of each extra field). */
  stats: Float64Array = new Float64Array(0);
  /** Numbers per cell: STATS × (1 + extra fields); 4, one cache line per update, without extras. */
  readonly stride: number;
  /** Extra fields aggregated beside the value (CoreConfig.extraFields). */
  readonly extra: number;
  private readonly empty: Float64Array;
  /**
   * Count of each cell when takeDirty() last reported it: a cell changed since iff its count
   * differs (every update adds 1), so the hot path keeps no per-cell flag.
   */
  shown: Float64Array = new Float64Array(0);
  /** Window slots updated since the last takeDirty(): the only ones it needs to scan. */
  slotDirty: Uint8Array = new Uint8Array(0);

  /** The dictionary's bookkeeping for releasing keys, apart from the fields the hot path reads. */
  readonly book = new KeyBook();

  constructor(
    readonly partition: number,
    readonly spec: WindowSpec,
    readonly groups: readonly string[],
    readonly includeAll: boolean,
    readonly limits: Limits,
    /** The owner's counters: the ring counts its own growth in them. */
    readonly counters: PartitionCounters,
    /** Names of the extra fields aggregated beside the value, in the order add() gets them. */
    readonly extraFields: readonly string[] = [],
  ) {
    this.extra = extraFields.length;
    this.stride = STATS * (1 + this.extra);
    this.empty = emptyCell(this.extra);
    for (let g = 0; g < groups.length; g++) this.dicts.push(new Map<string, number>());
    this.keyCap = nextPow2(Math.max(1, limits.initialKeys));
    this.ringCap = nextPow2(Math.max(spec.perEvent, limits.initialWindows));
    this.ringShift = Math.log2(this.ringCap);
    this.ringMask = this.ringCap - 1;
    const cells = this.keyCap * this.ringCap;
    this.stats = this.emptyStats(cells);
    this.shown = new Float64Array(cells);
    this.slotDirty = new Uint8Array(this.ringCap);
    this.book.keyStamp = new Float64Array(this.keyCap);
    if (includeAll) this.keyId(0, ALL_KEY);
  }

  /**
   * Moves on by one at every add: each add() counts its event exactly once in processed, late, invalid
   * or refused (so the hot path keeps no counter of its own for this); never 0, a stamp no id has.
   */
  private epoch(): number {
    const c = this.counters;
    return c.processed + c.late + c.invalid + c.refused + 1;
  }

  /** Key ids holding a value (the dictionary's size). */
  liveKeys(): number {
    return this.keyCount - this.book.freeKeys.length;
  }

  isEmpty(): boolean {
    return this.highK < this.lowK;
  }

  /** Windows holding at least one cell (a scan: for status, not the hot path). */
  openWindows(): number {
    let n = 0;
    let last = Number.NaN;
    this.forEachCell((_cell, k) => {
      if (k !== last) n++;
      last = k;
    });
    return n;
  }

  bytes(): number {
    return this.stats.byteLength + this.shown.byteLength + this.slotDirty.byteLength;
  }

  /**
   * Dictionary id of `value` in group `group` (index into the engine's group list, "all" included),
   * or −1 when the dictionary is full (maxKeys or maxCells, even after releasing the keys no open
   * window uses): pass it on to add(), which refuses it. The id is good for the adds that follow,
   * until the next tidyKeys().
   */
  keyId(group: number, value: string): number {
    const dict = this.dicts[group]!;
    const known = dict.get(value);
    if (known !== undefined) {
      this.book.keyStamp[known] = this.epoch();
      return known;
    }
    // Full: the keys no open window uses (and no caller holds) make room first.
    if (!this.hasRoomForKey()) {
      this.sweepKeys();
      if (!this.hasRoomForKey()) return -1;
    }
    if (this.book.freeKeys.length === 0 && this.keyCount === this.keyCap && !this.growKeys()) {
      this.sweepKeys();
      if (this.book.freeKeys.length === 0) {
        this.book.lastRefusal = "cells";
        return -1;
      }
    }
    const id = this.book.freeKeys.length > 0 ? this.book.freeKeys.pop()! : this.keyCount++;
    dict.set(value, id);
    this.keyGroup[id] = group;
    this.keyName[id] = value;
    this.book.keyStamp[id] = this.epoch();
    this.book.mayBeUnused = true;
    return id;
  }

  private hasRoomForKey(): boolean {
    if (this.liveKeys() >= this.limits.maxKeys) {
      this.book.lastRefusal = "keys";
      return false;
    }
    return true;
  }

  private growKeys(): boolean {
    const cap = Math.min(this.keyCap * 2, nextPow2(this.limits.maxKeys));
    if (cap * this.ringCap > this.limits.maxCells) return false;
    this.relayKeys(cap, null);
    this.counters.grown++;
    return true;
  }

  /**
   * Key ids that no open cell uses and that were not handed out since the last add: released from the
   * dictionary (the bound is on the keys of open windows, not on every value ever seen). With `compact`
   * (no id may be in a caller's hands: between adds, e.g. at a tick), the ids left are renumbered densely
   * and the storage shrinks to fit; otherwise released ids go to a free list.
   */
  sweepKeys(compact = false): void {
    const used = new Uint8Array(this.keyCount);
    this.forEachCell((_cell, _k, key) => {
      used[key] = 1;
    });
    if (this.includeAll) used[ALL_KEY_ID] = 1;
    const free = new Set(this.book.freeKeys);
    let released = 0;
    // An unused id kept for its caller is for a later sweep to release.
    this.book.mayBeUnused = false;
    const epoch = this.epoch();
    for (let id = 0; id < this.keyCount; id++) {
      if (used[id] || free.has(id)) continue;
      if (!compact && this.book.keyStamp[id] === epoch) {
        this.book.mayBeUnused = true;
        continue;
      }
      this.dicts[this.keyGroup[id]!]!.delete(this.keyName[id]!);
      this.keyName[id] = "";
      this.book.freeKeys.push(id);
      released++;
    }
    if (compact && this.book.freeKeys.length > 0) this.compactKeys(used);
    else if (released > 0) this.book.freeKeys.sort((a, b) => b - a); // lowest ids reused first
  }

  /** Sweeps, renumbering densely, if windows closed or keys came since the last sweep. */
  tidyKeys(): void {
    if (this.book.mayBeUnused || this.book.freeKeys.length > 0) this.sweepKeys(true);
  }

  private compactKeys(used: Uint8Array): void {
    const remap = new Int32Array(this.keyCount).fill(-1);
    let next = 0;
    for (let id = 0; id < this.keyCount; id++) {
      if (!used[id]) continue;
      remap[id] = next;
      this.keyGroup[next] = this.keyGroup[id]!;
      this.keyName[next] = this.keyName[id]!;
      this.dicts[this.keyGroup[next]!]!.set(this.keyName[next]!, next);
      next++;
    }
    this.keyGroup.length = next;
    this.keyName.length = next;
    this.book.freeKeys.length = 0;
    const cap = nextPow2(Math.max(1, this.limits.initialKeys, next));
    this.relayKeys(cap, remap);
    this.keyCount = next;
  }

  /** Re-lays the cells out for `cap` keys; with `remap`, key id k moves to remap[k] (−1: dropped, no cells). */
  private relayKeys(cap: number, remap: Int32Array | null): void {
    const cells = cap * this.ringCap;
    const stats = this.emptyStats(cells);
    const shown = new Float64Array(cells);
    const stride = this.stride;
    if (remap === null) {
      const used = Math.min(cap, this.keyCap) * this.ringCap;
      stats.set(this.stats.subarray(0, used * stride));
      shown.set(this.shown.subarray(0, used));
    } else {
      for (let id = 0; id < remap.length; id++) {
        const to = remap[id]!;
        if (to < 0) continue;
        const from = (id << this.ringShift) * stride;
        const n = this.ringCap * stride;
        stats.set(this.stats.subarray(from, from + n), (to << this.ringShift) * stride);
        shown.set(
          this.shown.subarray(id << this.ringShift, (id + 1) << this.ringShift),
          to << this.ringShift,
        );
      }
    }
    this.stats = stats;
    this.shown = shown;
    const stamp = new Float64Array(cap);
    if (remap === null) stamp.set(this.book.keyStamp.subarray(0, Math.min(cap, this.keyCap)));
    this.book.keyStamp = stamp;
    this.keyCap = cap;
  }

  /** Whether windows [kLo, kTop] fit in the ring beside the windows already held. */
  covers(kLo: number, kTop: number): boolean {
    if (this.highK < this.lowK) return kTop - kLo < this.ringCap;
    const lo = Math.min(kLo, this.lowK);
    const hi = Math.max(kTop, this.highK);
    return hi - lo < this.ringCap;
  }

  /** Re-lays the ring out with room for `windows` windows; false (nothing changed) past the limits. */
  growRing(windows: number): boolean {
    const cap = nextPow2(windows);
    if (cap > this.limits.maxOpenWindows || cap * this.keyCap > this.limits.maxCells) {
      this.book.lastRefusal = cap > this.limits.maxOpenWindows ? "windows" : "cells";
      return false;
    }
    const cells = cap * this.keyCap;
    const stats = this.emptyStats(cells);
    const shown = new Float64Array(cells);
    const slotDirty = new Uint8Array(cap);
    const shift = Math.log2(cap);
    const stride = this.stride;
    if (!this.isEmpty()) {
      for (let k = this.lowK; k <= this.highK; k++) {
        const slot = (this.head + (k - this.lowK)) & this.ringMask;
        slotDirty[k - this.lowK] = this.slotDirty[slot]!;
        for (let key = 0; key < this.keyCount; key++) {
          const from = (key << this.ringShift) | slot;
          if (this.stats[from * stride] === 0) continue;
          const to = (key << shift) | (k - this.lowK);
          stats.set(this.stats.subarray(from * stride, from * stride + stride), to * stride);
          shown[to] = this.shown[from]!;
        }
      }
    }
    this.stats = stats;
    this.shown = shown;
    this.slotDirty = slotDirty;
    this.clearFast();
    this.ringCap = cap;
    this.ringShift = shift;
    this.ringMask = cap - 1;
    this.head = 0;
    this.counters.grown++;
    return true;
  }

  /**
   * Adds `value` to windows [kLo, kTop] for the "all" key (when configured) and for each key in
   * `keys[off..off + dims)`, and the extra fields' values extras[eoff..eoff + extra) when there are
   * extra fields. The caller has checked covers() and the key ids.
   */
  aggregate(
    kLo: number,
    kTop: number,
    keys: ArrayLike<number>,
    off: number,
    dims: number,
    value: number,
    extras?: ArrayLike<number>,
    eoff = 0,
  ): void {
    if (kLo < this.lowK || kTop > this.highK) this.extend(kLo, kTop);
    const shift = this.ringShift;
    const stats = this.stats;
    const stride = this.stride;
    for (let k = kLo; k <= kTop; k++) {
      const slot = (this.head + (k - this.lowK)) & this.ringMask;
      this.slotDirty[slot] = 1;
      if (this.includeAll) bump(stats, slot * stride, value);
      for (let d = 0; d < dims; d++) bump(stats, ((keys[off + d]! << shift) | slot) * stride, value);
      if (this.extra !== 0) this.bumpExtras(slot, keys, off, dims, extras, eoff);
    }
  }

  /** The extra fields of one event into the cells of one window slot; NaN (no value) counts nowhere. */
  private bumpExtras(
    slot: number,
    keys: ArrayLike<number>,
    off: number,
    dims: number,
    extras: ArrayLike<number> | undefined,
    eoff: number,
  ): void {
    if (extras === undefined) return;
    const stats = this.stats;
    const stride = this.stride;
    const shift = this.ringShift;
    for (let e = 0; e < this.extra; e++) {
      const v = extras[eoff + e]!;
      if (v - v !== 0) continue;
      const at = STATS * (1 + e);
      if (this.includeAll) bump(stats, slot * stride + at, v);
      for (let d = 0; d < dims; d++) bump(stats, ((keys[off + d]! << shift) | slot) * stride + at, v);
    }
  }

  /**
   * The fast path: adds an event whose newest window matches the fast cache (its windows are the
   * perEvent slots ending there, held and marked dirty), if its time is an integer, its value
   * finite and its key ids known. False, with nothing changed, otherwise. The caller counts it and
   * applies a raised maxEventTime.
   */
  addFast(
    t: number,
    value: number,
    keys: ArrayLike<number>,
    off: number,
    dims: number,
    extras?: ArrayLike<number>,
    eoff = 0,
  ): boolean {
    let slot: number;
    if (t >= this.fastStart && t < this.fastEnd) slot = this.fastSlot;
    else if (t >= this.prevStart && t < this.prevEnd) slot = this.prevSlot;
    else return false;
    if (Math.floor(t) !== t || value - value !== 0) return false;
    const n = this.keyCount;
    for (let d = 0; d < dims; d++) {
      const id = keys[off + d]!;
      if (!(id >= 0 && id < n)) return false;
    }
    const stats = this.stats;
    const shift = this.ringShift;
    const mask = this.ringMask;
    const stride = this.stride;
    for (let j = this.spec.perEvent; j > 0; j--) {
      if (this.includeAll) bump(stats, slot * stride, value);
      for (let d = 0; d < dims; d++) bump(stats, ((keys[off + d]! << shift) | slot) * stride, value);
      if (this.extra !== 0) this.bumpExtras(slot, keys, off, dims, extras, eoff);
      slot = (slot - 1) & mask;
    }
    return true;
  }

  /**
   * addFast() over a columnar batch (the layout of WindowEngine.addBatch) from event `from` on.
   * Stops before the first event addFast() refuses and right after the first later than
   * `maxEventTime` (the engine must then move the watermark); returns the index of the first event
   * not added. Writes Added (0) to `statuses`.
   */
  addRun(
    times: ArrayLike<number>,
    values: ArrayLike<number>,
    keys: ArrayLike<number>,
    from: number,
    count: number,
    dims: number,
    statuses: Uint8Array | undefined,
    maxEventTime: number,
    extras?: ArrayLike<number>,
  ): number {
    const maxT = maxEventTime;
    const extra = this.extra;
    for (let i = from; i < count; i++) {
      const t = times[i]!;
      if (!this.addFast(t, values[i]!, keys, i * dims, dims, extras, i * extra)) return i;
      if (statuses !== undefined) statuses[i] = 0;
      if (t > maxT) return i + 1;
    }
    return count;
  }

  /**
   * Arms the fast cache for window kTop (newest window of the event just added). The caller has
   * made sure its windows are open and held and the partition is busy.
   */
  setFast(kTop: number, maxT: number): void {
    const start = kTop * this.spec.slideMs;
    const fastStart = Math.max(start, -maxT);
    if (this.fastStart !== fastStart) {
      this.prevStart = this.fastStart;
      this.prevEnd = this.fastEnd;
      this.prevSlot = this.fastSlot;
    }
    this.fastStart = fastStart;
    this.fastEnd = Math.min(start + this.spec.slideMs, maxT + 1);
    this.fastSlot = (this.head + (kTop - this.lowK)) & this.ringMask;
  }

  private extend(kLo: number, kTop: number): void {
    this.clearFast();
    if (this.highK < this.lowK) {
      this.lowK = kLo;
      this.highK = kTop;
      this.head = 0;
      return;
    }
    if (kLo < this.lowK) {
      this.head = (this.head - (this.lowK - kLo)) & this.ringMask;
      this.lowK = kLo;
    }
    if (kTop > this.highK) this.highK = kTop;
  }

  /** Disarms the fast cache: one of the facts it stands for may no longer hold. */
  clearFast(): void {
    this.fastStart = Number.NaN;
    this.fastEnd = Number.NaN;
    this.prevStart = Number.NaN;
    this.prevEnd = Number.NaN;
  }

  /** Evicts the windows before index k, appending their cells to `out` as final rows. */
  protected evictBelow(k: number, out: WindowRow[]): void {
    if (this.highK < this.lowK || k <= this.lowK) return;
    this.clearFast();
    this.book.mayBeUnused = true;
    const last = Math.min(k - 1, this.highK);
    for (let w = this.lowK; w <= last; w++) {
      const slot = (this.head + (w - this.lowK)) & this.ringMask;
      this.slotDirty[slot] = 0;
      for (let key = 0; key < this.keyCount; key++) {
        const cell = (key << this.ringShift) | slot;
        if (this.stats[cell * this.stride] === 0) continue;
        out.push(this.row(cell, w, true));
        this.stats.set(this.empty, cell * this.stride);
        this.shown[cell] = 0;
      }
    }
    if (k > this.highK) {
      // Canonical empty ring; k may lie beyond 2^53 where k − 1 === k.
      this.head = 0;
      this.lowK = 0;
      this.highK = -1;
    } else {
      this.head = (this.head + (k - this.lowK)) & this.ringMask;
      this.lowK = k;
    }
  }

  private row(cell: number, k: number, final: boolean): WindowRow {
    const key = cell >>> this.ringShift;
    const start = k * this.spec.slideMs;
    const i = cell * this.stride;
    const count = this.stats[i]!;
    const sum = this.stats[i + 1]!;
    const row: WindowRow = {
      partition: this.partition,
      windowStart: start,
      windowEnd: start + this.spec.sizeMs,
      group: this.groups[this.keyGroup[key]!]!,
      key: this.keyName[key]!,
      count,
      sum,
      min: this.stats[i + 2]!,
      max: this.stats[i + 3]!,
      avg: sum / count,
      final,
    };
    return this.extra === 0 ? row : { ...row, fields: this.fieldsOf(i) };
  }

  /** The extra fields of the cell at stats index i that counted a value, in configuration order. */
  private fieldsOf(i: number): Record<string, FieldStats> {
    const fields: Record<string, FieldStats> = {};
    for (let e = 0; e < this.extra; e++) {
      const at = i + STATS * (1 + e);
      const count = this.stats[at]!;
      if (count === 0) continue;
      const sum = this.stats[at + 1]!;
      fields[this.extraFields[e]!] = {
        count,
        sum,
        min: this.stats[at + 2]!,
        max: this.stats[at + 3]!,
        avg: sum / count,
      };
    }
    return fields;
  }

  /** Every statistic of a cell (count, sum, min, max, then each extra field's): for snapshots. */
  cellValues(cell: number): Float64Array {
    return this.stats.subarray(cell * this.stride, (cell + 1) * this.stride);
  }

  private emptyStats(cells: number): Float64Array {
    const stats = new Float64Array(cells * this.stride);
    for (let i = 0; i < stats.length; i += this.stride) stats.set(this.empty, i);
    return stats;
  }

  /**
   * Open (not final) cells changed since the previous call, then forgets them. A cell finalized
   * meanwhile was evicted with its window: its final row covers it.
   */
  takeDirty(out: WindowRow[]): void {
    // Events after this call must mark their windows again: the fast path does not.
    this.clearFast();
    if (this.highK < this.lowK) return;
    for (let k = this.lowK; k <= this.highK; k++) {
      const slot = (this.head + (k - this.lowK)) & this.ringMask;
      if (this.slotDirty[slot] === 0) continue;
      this.slotDirty[slot] = 0;
      for (let key = 0; key < this.keyCount; key++) {
        const cell = (key << this.ringShift) | slot;
        const count = this.stats[cell * this.stride]!;
        if (count === this.shown[cell]) continue;
        this.shown[cell] = count;
        out.push(this.row(cell, k, false));
      }
    }
  }

  /** Whether the cell changed since takeDirty() last reported it (carried by snapshots). */
  isDirty(cell: number): boolean {
    return this.stats[cell * this.stride] !== this.shown[cell];
  }

  /** Every open cell, as not-final rows. */
  partials(out: WindowRow[]): void {
    this.forEachCell((cell, k) => out.push(this.row(cell, k, false)));
  }

  forEachCell(fn: (cell: number, k: number, key: number) => void): void {
    if (this.highK < this.lowK) return;
    for (let k = this.lowK; k <= this.highK; k++) {
      const slot = (this.head + (k - this.lowK)) & this.ringMask;
      for (let key = 0; key < this.keyCount; key++) {
        const cell = (key << this.ringShift) | slot;
        if (this.stats[cell * this.stride] !== 0) fn(cell, k, key);
      }
    }
  }

  /** Puts a restored cell back (`values`: stride numbers, as cellValues()); the ring must cover window k. */
  restoreCell(k: number, key: number, values: ArrayLike<number>, dirty: boolean): void {
    if (this.highK < this.lowK) {
      this.lowK = k;
      this.highK = k;
      this.head = 0;
    } else if (k > this.highK) this.highK = k;
    const slot = (this.head + (k - this.lowK)) & this.ringMask;
    const cell = (key << this.ringShift) | slot;
    const i = cell * this.stride;
    for (let j = 0; j < this.stride; j++) this.stats[i + j] = values[j]!;
    const count = values[0]!;
    this.shown[cell] = dirty ? 0 : count;
    if (dirty) this.slotDirty[slot] = 1;
  }
}

/** Adds one value to the four statistics of one field of one cell, at stats index i. */
function bump(stats: Float64Array, i: number, value: number): void {
  stats[i]! += 1;
  stats[i + 1]! += value;
  if (value < stats[i + 2]!) stats[i + 2] = value;
  if (value > stats[i + 3]!) stats[i + 3] = value;
}
