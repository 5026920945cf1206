import { ByteReader, ByteWriter } from "./byte-codec.ts";
import type { PartitionState } from "./partition-state.ts";
import type { PartitionCounters } from "./types.ts";
import type { WindowSpec } from "./window-spec.ts";

/*
 * Layout (little-endian), version 1:
 *   "RTWS" u8:version
 *   f64:sizeMs f64:slideMs f64:latenessMs u8:includeAll u32:groupCount str:group…
 *   u32:partition str:nextOffset f64:maxEventTime f64:watermark f64:counter×6
 *   u32:keyCount (u32:group str:value)…            — the dictionary (keys of open cells, and "*"), in id order
 *   u32:windowCount (f64:windowIndex u32:cellCount (u32:key f64:count f64:sum f64:min f64:max u8:dirty)…)…
 * str = u32 byte length + UTF-8. Key 0 of a partition with the "all" group is its "*" key.
 *
 * Version 2, written only by an engine with extra fields (CoreConfig.extraFields), so that every
 * snapshot of an engine without them stays version 1, byte for byte: after the groups,
 *   u32:extraCount str:field…
 * and each cell has the four numbers of each extra field after its own four:
 *   (u32:key f64:count f64:sum f64:min f64:max (f64:count f64:sum f64:min f64:max)×extraCount u8:dirty)
 */
const MAGIC = [0x52, 0x54, 0x57, 0x53];
const VERSION = 1;
const VERSION_EXTRA = 2;
const COUNTERS: (keyof PartitionCounters)[] = [
  "processed",
  "late",
  "partlyLate",
  "invalid",
  "refused",
  "grown",
];

/** What a snapshot must match to be restored: the same windows, lateness and groups. */
export interface SnapshotShape {
  readonly spec: WindowSpec;
  readonly lateness: number;
  readonly includeAll: boolean;
  readonly groups: readonly string[];
  readonly extraFields: readonly string[];
  newPartition(partition: number, nowMs: number): PartitionState;
}

export interface SnapshotHeader {
  readonly partition: number;
  /** First input offset not covered by the snapshot, as a decimal string. */
  readonly nextOffset: string;
  readonly maxEventTime: number;
  /** Watermark applied to the partition when the snapshot was taken. */
  readonly watermark: number;
  readonly windowSizeMs: number;
  readonly windowSlideMs: number;
  readonly allowedLatenessMs: number;
  readonly groups: readonly string[];
  /** Extra fields aggregated beside the value ([] in a version 1 snapshot). */
  readonly extraFields: readonly string[];
}

export function encodeSnapshot(shape: SnapshotShape, p: PartitionState, nextOffset: string): Uint8Array {
  if (!/^(0|[1-9][0-9]*)$/.test(nextOffset)) throw new RangeError(`bad next offset ${nextOffset}`);
  const w = new ByteWriter();
  for (const b of MAGIC) w.u8(b);
  const extra = shape.extraFields.length > 0;
  w.u8(extra ? VERSION_EXTRA : VERSION);
  w.f64(shape.spec.sizeMs);
  w.f64(shape.spec.slideMs);
  w.f64(shape.lateness);
  w.u8(shape.includeAll ? 1 : 0);
  w.u32(shape.groups.length);
  for (const g of shape.groups) w.str(g);
  if (extra) {
    w.u32(shape.extraFields.length);
    for (const f of shape.extraFields) w.str(f);
  }
  w.u32(p.partition);
  w.str(nextOffset);
  w.f64(p.maxEventTime);
  w.f64(p.floor);
  for (const c of COUNTERS) w.f64(p.counters[c]);
  w.u32(p.keyCount);
  for (let key = 0; key < p.keyCount; key++) {
    w.u32(p.keyGroup[key]!);
    w.str(p.keyName[key]!);
  }
  const byWindow = new Map<number, number[]>();
  p.forEachCell((cell, k) => {
    const cells = byWindow.get(k);
    if (cells) cells.push(cell);
    else byWindow.set(k, [cell]);
  });
  w.u32(byWindow.size);
  for (const [k, cells] of byWindow) {
    w.f64(k);
    w.u32(cells.length);
    for (const cell of cells) {
      w.u32(cell >>> p.ringShift);
      for (const v of p.cellValues(cell)) w.f64(v);
      w.u8(p.isDirty(cell) ? 1 : 0);
    }
  }
  return w.finish();
}

function readHeader(r: ByteReader): SnapshotHeader & { includeAll: boolean } {
  for (const b of MAGIC) if (r.u8() !== b) throw new Error("not a window-state snapshot");
  const version = r.u8();
  if (version !== VERSION && version !== VERSION_EXTRA)
    throw new Error(`unsupported snapshot version ${version}`);
  const windowSizeMs = r.f64();
  const windowSlideMs = r.f64();
  const allowedLatenessMs = r.f64();
  const includeAll = r.u8() === 1;
  const groups: string[] = [];
  for (let n = r.u32(); n > 0; n--) groups.push(r.str());
  const extraFields: string[] = [];
  if (version === VERSION_EXTRA) for (let n = r.u32(); n > 0; n--) extraFields.push(r.str());
  const partition = r.u32();
  const nextOffset = r.str();
  const maxEventTime = r.f64();
  const watermark = r.f64();
  return {
    partition,
    nextOffset,
    maxEventTime,
    watermark,
    windowSizeMs,
    windowSlideMs,
    allowedLatenessMs,
    groups,
    extraFields,
    includeAll,
  };
}

/** Reads only the header: which partition, up to which offset, at which watermark. */
export function decodeSnapshotHeader(bytes: Uint8Array): SnapshotHeader {
  const { includeAll: _, ...header } = readHeader(new ByteReader(bytes));
  return header;
}

/** Rebuilds a partition's state; throws if the snapshot was taken under another configuration. */
export function decodeSnapshot(
  bytes: Uint8Array,
  shape: SnapshotShape,
  nowMs: number,
): { header: SnapshotHeader; state: PartitionState } {
  const r = new ByteReader(bytes);
  const h = readHeader(r);
  const same =
    h.windowSizeMs === shape.spec.sizeMs &&
    h.windowSlideMs === shape.spec.slideMs &&
    h.allowedLatenessMs === shape.lateness &&
    h.includeAll === shape.includeAll &&
    h.groups.join("\u0000") === shape.groups.join("\u0000") &&
    h.extraFields.join("\u0000") === shape.extraFields.join("\u0000");
  if (!same) {
    throw new Error(
      `snapshot of partition ${h.partition} was taken with W=${h.windowSizeMs} S=${h.windowSlideMs} ` +
        `L=${h.allowedLatenessMs} groups=${h.groups.join(",")}` +
        `${h.extraFields.length > 0 ? ` extra fields=${h.extraFields.join(",")}` : ""}, not this configuration`,
    );
  }
  const stride = 4 * (1 + h.extraFields.length);
  const p = shape.newPartition(h.partition, nowMs);
  p.maxEventTime = h.maxEventTime;
  p.restoreFloor(h.watermark);
  const counters = COUNTERS.map(() => r.f64());
  const keyCount = r.u32();
  for (let key = 0; key < keyCount; key++) {
    const group = r.u32();
    const name = r.str();
    if (group >= shape.groups.length) throw new Error(`snapshot key ${key} has no group ${group}`);
    if (p.keyId(group, name) !== key) throw new Error(`snapshot dictionary does not fit (key ${key})`);
  }
  const windows: { k: number; cells: { key: number; values: Float64Array; dirty: boolean }[] }[] = [];
  for (let n = r.u32(); n > 0; n--) {
    const k = r.f64();
    const cells: { key: number; values: Float64Array; dirty: boolean }[] = [];
    for (let c = r.u32(); c > 0; c--) {
      const key = r.u32();
      const values = new Float64Array(stride);
      for (let j = 0; j < stride; j++) values[j] = r.f64();
      cells.push({ key, values, dirty: r.u8() === 1 });
    }
    windows.push({ k, cells });
  }
  if (!r.done()) throw new Error("snapshot has trailing bytes");
  windows.sort((a, b) => a.k - b.k);
  if (windows.length > 0) {
    const span = windows[windows.length - 1]!.k - windows[0]!.k + 1;
    if (span > p.ringCap && !p.growRing(span))
      throw new Error(`snapshot spans ${span} windows, over the limit`);
  }
  for (const { k, cells } of windows) {
    for (const { key, values, dirty } of cells) {
      if (key >= keyCount) throw new Error(`snapshot cell has unknown key ${key}`);
      p.restoreCell(k, key, values, dirty);
    }
  }
  // Restoring may have grown the storage; the counters are the snapshot's, not the restore's.
  COUNTERS.forEach((c, i) => {
    p.counters[c] = counters[i]!;
  });
  return { header: h, state: p };
}
