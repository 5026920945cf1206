import { emptyCounters, type PartitionCounters, type WindowRow } from "./types.ts";
import { firstOpenIndex, type WindowSpec } from "./window-spec.ts";

/** Sizing of one partition's storage. Growth past a max is refused by the caller of these methods. */
export interface Limits {
  readonly initialKeys: number;
  readonly initialWindows: number;
  readonly maxKeys: number;
  readonly maxOpenWindows: number;
  readonly maxCells: number;
}

/** Key id of the "all" group's single key "*" when that group is configured. */
export const ALL_KEY_ID = 0;
export const ALL_KEY = "*";
export const ALL_GROUP = "all";

/** Numbers per cell in `stats`: count, sum, min, max. */
export const STRIDE = 4;
const EMPTY_CELL = Float64Array.of(0, 0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY);

/** Statistics of cell c in a stats array: count at c·STRIDE, then sum, min, max. */
export function cellStats(stats: Float64Array, cell: number): [number, number, number, number] {
  const i = cell * STRIDE;
  return [stats[i]!, stats[i + 1]!, stats[i + 2]!, stats[i + 3]!];
}

export function nextPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/**
 * Aggregates of one source partition: a dictionary of (group, value) → key id, and per key a ring
 * of window slots, in columnar typed arrays. Cell (key, slot) lives at index key·ringCap + slot
 * (key-major), so adding keys only appends while growing the ring re-lays the cells out.
 *
 * The ring covers the window indices [lowK, lowK + ringCap); the used ones are [lowK, highK]
 * (empty when highK < lowK). Window k sits in slot (head + k − lowK) mod ringCap. Slots outside
 * [lowK, highK] are always clear, so moving lowK down or highK up needs no clearing.
 */
export class PartitionState {
  readonly counters: PartitionCounters = emptyCounters();
  /** Largest event time aggregated (−∞ before the first). */
  maxEventTime = Number.NEGATIVE_INFINITY;
  /** Watermark applied to this partition: windows ending at or before it are final and gone. */
  floor = Number.NEGATIVE_INFINITY;
  /** Oldest window index that is not final (firstOpenIndex(floor)). */
  openFromK = Number.NEGATIVE_INFINITY;
  /** End of window openFromK: the watermark at which the next window closes. */
  nextCloseEnd = Number.NEGATIVE_INFINITY;
  lastActiveMs: number;
  idle = false;
  /** Cache: window index lastK is the newest window of every valid t in [lastKStart, lastKEnd). */
  lastK = 0;
  lastKStart = Number.NaN;
  lastKEnd = Number.NaN;

  keyCount = 0;
  keyCap: number;
  readonly keyGroup: number[] = [];
  readonly keyName: string[] = [];
  private readonly dicts: Map<string, number>[];

  ringCap: number;
  ringShift: number;
  ringMask: number;
  head = 0;
  lowK = 0;
  highK = -1;

  /** STRIDE numbers per cell: count, sum, min, max — one cache line per update. */
  stats: Float64Array;
  dirty: Uint8Array;
  dirtyList: Int32Array;
  dirtyLen = 0;

  constructor(
    readonly partition: number,
    readonly spec: WindowSpec,
    readonly groups: readonly string[],
    readonly includeAll: boolean,
    readonly limits: Limits,
    nowMs: number,
  ) {
    this.lastActiveMs = nowMs;
    this.dicts = groups.map(() => new Map<string, number>());
    this.keyCap = nextPow2(Math.max(1, limits.initialKeys));
    this.ringCap = nextPow2(Math.max(spec.perEvent, limits.initialWindows));
    this.ringShift = Math.log2(this.ringCap);
    this.ringMask = this.ringCap - 1;
    const cells = this.keyCap * this.ringCap;
    this.stats = emptyStats(cells);
    this.dirty = new Uint8Array(cells);
    this.dirtyList = new Int32Array(Math.max(16, this.ringCap));
    if (includeAll) this.keyId(0, ALL_KEY);
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
    return this.stats.byteLength + this.dirty.byteLength + this.dirtyList.byteLength;
  }

  /**
   * Dictionary id of `value` in group `group` (index into the engine's group list, "all" included),
   * or −1 when the dictionary is full (maxKeys or maxCells): pass it on to add(), which refuses it.
   */
  keyId(group: number, value: string): number {
    const dict = this.dicts[group]!;
    const known = dict.get(value);
    if (known !== undefined) return known;
    if (this.keyCount >= this.limits.maxKeys) return -1;
    if (this.keyCount === this.keyCap && !this.growKeys()) return -1;
    const id = this.keyCount++;
    dict.set(value, id);
    this.keyGroup.push(group);
    this.keyName.push(value);
    return id;
  }

  private growKeys(): boolean {
    const cap = Math.min(this.keyCap * 2, nextPow2(this.limits.maxKeys));
    if (this.keyCount >= this.limits.maxKeys || cap * this.ringCap > this.limits.maxCells) return false;
    const cells = cap * this.ringCap;
    const used = this.keyCap * this.ringCap;
    const stats = emptyStats(cells);
    stats.set(this.stats.subarray(0, used * STRIDE));
    this.stats = stats;
    const dirty = new Uint8Array(cells);
    dirty.set(this.dirty);
    this.dirty = dirty;
    this.keyCap = cap;
    this.counters.grown++;
    return true;
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
    if (cap > this.limits.maxOpenWindows || cap * this.keyCap > this.limits.maxCells) return false;
    const cells = cap * this.keyCap;
    const stats = emptyStats(cells);
    const dirty = new Uint8Array(cells);
    const shift = Math.log2(cap);
    let dirtyLen = 0;
    let dirtyList = this.dirtyList;
    if (dirtyList.length < cap) dirtyList = new Int32Array(cap);
    if (!this.isEmpty()) {
      for (let key = 0; key < this.keyCount; key++) {
        for (let k = this.lowK; k <= this.highK; k++) {
          const from = (key << this.ringShift) | ((this.head + (k - this.lowK)) & this.ringMask);
          if (this.stats[from * STRIDE] === 0) continue;
          const to = (key << shift) | (k - this.lowK);
          stats.set(this.stats.subarray(from * STRIDE, from * STRIDE + STRIDE), to * STRIDE);
          if (this.dirty[from] === 1) {
            dirty[to] = 1;
            if (dirtyLen === dirtyList.length) dirtyList = grownList(dirtyList);
            dirtyList[dirtyLen++] = to;
          }
        }
      }
    }
    this.stats = stats;
    this.dirty = dirty;
    this.dirtyList = dirtyList;
    this.dirtyLen = dirtyLen;
    this.ringCap = cap;
    this.ringShift = shift;
    this.ringMask = cap - 1;
    this.head = 0;
    this.counters.grown++;
    return true;
  }

  /**
   * Adds `value` to windows [kLo, kTop] for the "all" key (when configured) and for each key in
   * `keys[off..off + dims)`. The caller has checked covers() and the key ids.
   */
  aggregate(
    kLo: number,
    kTop: number,
    keys: ArrayLike<number>,
    off: number,
    dims: number,
    value: number,
  ): void {
    if (kLo < this.lowK || kTop > this.highK) this.extend(kLo, kTop);
    const shift = this.ringShift;
    for (let k = kLo; k <= kTop; k++) {
      const slot = (this.head + (k - this.lowK)) & this.ringMask;
      if (this.includeAll) this.bump(slot, value);
      for (let d = 0; d < dims; d++) this.bump((keys[off + d]! << shift) | slot, value);
    }
  }

  private extend(kLo: number, kTop: number): void {
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

  private bump(cell: number, value: number): void {
    const stats = this.stats;
    const i = cell * STRIDE;
    stats[i]! += 1;
    stats[i + 1]! += value;
    if (value < stats[i + 2]!) stats[i + 2] = value;
    if (value > stats[i + 3]!) stats[i + 3] = value;
    if (this.dirty[cell] === 0) {
      this.dirty[cell] = 1;
      if (this.dirtyLen === this.dirtyList.length) this.makeDirtyRoom();
      this.dirtyList[this.dirtyLen++] = cell;
    }
  }

  /**
   * Eviction clears a cell's flag but leaves its list entry, so a caller that never drains would
   * grow the list forever: drop the stale (and duplicate) entries first, and grow only if the live
   * ones fill more than half of it.
   */
  private makeDirtyRoom(): void {
    let n = 0;
    for (let i = 0; i < this.dirtyLen; i++) {
      const cell = this.dirtyList[i]!;
      if (this.dirty[cell] !== 1) continue;
      this.dirty[cell] = 2;
      this.dirtyList[n++] = cell;
    }
    for (let i = 0; i < n; i++) this.dirty[this.dirtyList[i]!] = 1;
    this.dirtyLen = n;
    if (n * 2 > this.dirtyList.length) this.dirtyList = grownList(this.dirtyList);
  }

  /** Raises the applied watermark; windows ending at or before it are appended to `out` as final. */
  applyWatermark(wm: number, out: WindowRow[]): void {
    if (wm <= this.floor) return;
    this.floor = wm;
    if (wm < this.nextCloseEnd) return;
    const k = firstOpenIndex(this.spec, wm);
    this.openFromK = k;
    this.nextCloseEnd = k * this.spec.slideMs + this.spec.sizeMs;
    this.evictBelow(k, out);
  }

  private evictBelow(k: number, out: WindowRow[]): void {
    if (this.highK < this.lowK || k <= this.lowK) return;
    const last = Math.min(k - 1, this.highK);
    for (let w = this.lowK; w <= last; w++) {
      const slot = (this.head + (w - this.lowK)) & this.ringMask;
      for (let key = 0; key < this.keyCount; key++) {
        const cell = (key << this.ringShift) | slot;
        if (this.stats[cell * STRIDE] === 0) continue;
        out.push(this.row(cell, w, true));
        this.stats.set(EMPTY_CELL, cell * STRIDE);
        this.dirty[cell] = 0;
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
    const count = this.stats[cell * STRIDE]!;
    const sum = this.stats[cell * STRIDE + 1]!;
    return {
      partition: this.partition,
      windowStart: start,
      windowEnd: start + this.spec.sizeMs,
      group: this.groups[this.keyGroup[key]!]!,
      key: this.keyName[key]!,
      count,
      sum,
      min: this.stats[cell * STRIDE + 2]!,
      max: this.stats[cell * STRIDE + 3]!,
      avg: sum / count,
      final,
    };
  }

  /** Open (not final) cells changed since the previous call, then forgets them. */
  takeDirty(out: WindowRow[]): void {
    for (let i = 0; i < this.dirtyLen; i++) {
      const cell = this.dirtyList[i]!;
      // A cell evicted as final since it was listed has its flag cleared: its final row covers it.
      if (this.dirty[cell] === 0) continue;
      this.dirty[cell] = 0;
      out.push(this.row(cell, this.windowOfSlot(cell & this.ringMask), false));
    }
    this.dirtyLen = 0;
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
        if (this.stats[cell * STRIDE] !== 0) fn(cell, k, key);
      }
    }
  }

  private windowOfSlot(slot: number): number {
    return this.lowK + ((slot - this.head) & this.ringMask);
  }

  /** Puts a restored cell back; the ring must already cover window k. */
  restoreCell(
    k: number,
    key: number,
    count: number,
    sum: number,
    min: number,
    max: number,
    dirty: boolean,
  ): void {
    if (this.highK < this.lowK) {
      this.lowK = k;
      this.highK = k;
      this.head = 0;
    } else if (k > this.highK) this.highK = k;
    const cell = (key << this.ringShift) | ((this.head + (k - this.lowK)) & this.ringMask);
    const i = cell * STRIDE;
    this.stats[i] = count;
    this.stats[i + 1] = sum;
    this.stats[i + 2] = min;
    this.stats[i + 3] = max;
    if (dirty) {
      this.dirty[cell] = 1;
      if (this.dirtyLen === this.dirtyList.length) this.makeDirtyRoom();
      this.dirtyList[this.dirtyLen++] = cell;
    }
  }

  /** Sets the applied watermark of a restored partition (its ring is still empty). */
  restoreFloor(floor: number): void {
    this.floor = floor;
    this.openFromK = firstOpenIndex(this.spec, floor);
    this.nextCloseEnd =
      this.openFromK === Number.NEGATIVE_INFINITY
        ? Number.NEGATIVE_INFINITY
        : this.openFromK * this.spec.slideMs + this.spec.sizeMs;
  }
}

function emptyStats(cells: number): Float64Array {
  const stats = new Float64Array(cells * STRIDE);
  for (let i = 0; i < stats.length; i += STRIDE) stats.set(EMPTY_CELL, i);
  return stats;
}

function grownList(a: Int32Array): Int32Array {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}
