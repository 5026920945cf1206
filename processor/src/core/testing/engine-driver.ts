import { WindowEngine } from "../engine.ts";
import type { RefConfig, RefOp, RefPartitionRow } from "../reference.ts";
import { compareRows } from "../reference.ts";
import { AddStatus, type CoreConfig, type WindowRow } from "../types.ts";

export interface DriverResult {
  finals: RefPartitionRow[];
  open: RefPartitionRow[];
  late: number[];
  partlyLate: number[];
  invalid: number[];
  refused: number[];
  watermarks: Map<number, number>;
  engine: WindowEngine;
}

function plain(r: WindowRow): RefPartitionRow {
  const row: RefPartitionRow = {
    partition: r.partition,
    windowStart: r.windowStart,
    windowEnd: r.windowEnd,
    group: r.group,
    key: r.key,
    count: r.count,
    sum: r.sum,
    min: r.min,
    max: r.max,
    avg: r.avg,
  };
  return r.fields === undefined ? row : { ...row, fields: { ...r.fields } };
}

export interface DriverMode {
  /**
   * Feed runs of consecutive well-formed events of one partition through addBatch() (columns,
   * statuses) instead of one addRecord() each.
   */
  readonly batched?: boolean;
  /**
   * Every this many ops, drain takeDirty() into a live view (0: never). The view is checked to
   * hold exactly the open cells at the end, and every reported row to be a change.
   */
  readonly dirtyEvery?: number;
}

type EventOp = Extract<RefOp, { kind: "event" }>;

function cellKey(r: WindowRow): string {
  return `${r.partition}|${r.windowStart}|${r.group}|${r.key}`;
}

/**
 * Runs reference ops through the engine: events through the object API (or addBatch), "restore"
 * by snapshotting every partition and continuing in a brand-new engine from the bytes.
 */
export function runEngine(
  ops: readonly RefOp[],
  config: RefConfig & Partial<CoreConfig>,
  partitions: readonly number[],
  startMs: number,
  mode: DriverMode = {},
): DriverResult {
  let engine = new WindowEngine(config);
  engine.assign(
    partitions.map((partition) => ({ partition })),
    startMs,
  );
  const finals: RefPartitionRow[] = [];
  const out: DriverResult = {
    finals,
    open: [],
    late: [],
    partlyLate: [],
    invalid: [],
    refused: [],
    watermarks: new Map(),
    engine,
  };
  const live = new Map<string, WindowRow>();
  const drain = () => {
    for (const r of engine.takeFinal()) {
      finals.push(plain(r));
      live.delete(cellKey(r));
    }
  };
  const drainDirty = () => {
    for (const r of engine.takeDirty()) {
      if (r.final) throw new Error("takeDirty() returned a final row");
      const before = live.get(cellKey(r));
      if (before !== undefined && before.count >= r.count)
        throw new Error(`unchanged row reported: ${cellKey(r)}`);
      live.set(cellKey(r), r);
    }
  };
  const record = (index: number, status: AddStatus) => {
    if (status === AddStatus.Late) out.late.push(index);
    else if (status === AddStatus.AddedPartlyLate) out.partlyLate.push(index);
    else if (status === AddStatus.Invalid) out.invalid.push(index);
    else if (status === AddStatus.Refused) out.refused.push(index);
  };
  const dims = config.groupBy;
  const batchable = (op: EventOp) =>
    typeof op.fields.age === "number" && dims.every((d) => typeof op.fields[d] === "string");
  // The pending run of batchable events of one partition, with their op indexes.
  let run: { op: EventOp; index: number }[] = [];
  const flushRun = () => {
    if (run.length === 0) return;
    const slot = engine.slot(run[0]!.op.partition);
    const n = run.length;
    const times = new Float64Array(n);
    const values = new Float64Array(n);
    const keys = new Int32Array(n * dims.length);
    const extraFields = engine.extraFields;
    const extras = new Float64Array(n * extraFields.length);
    run.forEach(({ op }, i) => {
      times[i] = op.eventTime;
      values[i] = op.fields.age as number;
      extraFields.forEach((f, e) => {
        const v = op.fields[f];
        extras[i * extraFields.length + e] = typeof v === "number" ? v : Number.NaN;
      });
      dims.forEach((d, j) => {
        keys[i * dims.length + j] = engine.keyId(slot, j, op.fields[d] as string);
      });
    });
    const statuses = new Uint8Array(n);
    const notAdded = engine.addBatch(slot, times, values, keys, n, statuses, extras);
    if (notAdded !== statuses.filter((st) => st !== AddStatus.Added).length)
      throw new Error("addBatch miscounted");
    run.forEach(({ index }, i) => {
      record(index, statuses[i] as AddStatus);
    });
    run = [];
    drain();
  };
  ops.forEach((op, index) => {
    if (mode.batched && op.kind === "event" && batchable(op)) {
      if (run.length > 0 && run[0]!.op.partition !== op.partition) flushRun();
      run.push({ op, index });
      return;
    }
    flushRun();
    if (mode.dirtyEvery && index % mode.dirtyEvery === 0) drainDirty();
    if (op.kind === "tick") engine.tick(op.now);
    else if (op.kind === "restore") {
      drain();
      const snaps = partitions.map((partition, i) => ({
        partition,
        snapshot: engine.snapshot(engine.slot(partition), BigInt(index * 1000 + i)),
      }));
      engine = new WindowEngine(config);
      const assigned = engine.assign(snaps, op.now);
      assigned.forEach((a, i) => {
        if (a.nextOffset !== String(index * 1000 + i)) throw new Error("offset lost in snapshot");
      });
    } else record(index, engine.addRecord(op.partition, op.eventTime, op.fields));
    drain();
  });
  flushRun();
  out.open = engine.partials().map(plain).sort(compareRows);
  if (mode.dirtyEvery) {
    drainDirty();
    const view = [...live.values()].map(plain).sort(compareRows);
    if (JSON.stringify(view) !== JSON.stringify(out.open))
      throw new Error("live view from takeDirty() differs from partials()");
  }
  finals.sort(compareRows);
  for (const p of partitions) out.watermarks.set(p, engine.watermarkOf(engine.slot(p)));
  out.engine = engine;
  return out;
}
