import { WindowEngine } from "./engine.ts";
import type { RefConfig, RefOp, RefPartitionRow } from "./reference.ts";
import { compareRows } from "./reference.ts";
import { AddStatus, type CoreConfig, type WindowRow } from "./types.ts";

export interface DriverResult {
  finals: RefPartitionRow[];
  open: RefPartitionRow[];
  late: number[];
  partlyLate: number[];
  invalid: number[];
  refused: number[];
  /** The late topic's window_end of each late event, by op index. */
  lateWindowEnds: Map<number, number>;
  watermarks: Map<number, number>;
  engine: WindowEngine;
}

function plain(r: WindowRow): RefPartitionRow {
  return {
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
}

/**
 * Runs reference ops through the engine: events through the object API, "restore" by snapshotting
 * every partition and continuing in a brand-new engine from the bytes.
 */
export function runEngine(
  ops: readonly RefOp[],
  config: RefConfig & Partial<CoreConfig>,
  partitions: readonly number[],
  startMs: number,
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
    lateWindowEnds: new Map(),
    watermarks: new Map(),
    engine,
  };
  const drain = () => {
    for (const r of engine.takeFinal()) finals.push(plain(r));
  };
  ops.forEach((op, index) => {
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
    } else {
      const status = engine.addRecord(op.partition, op.eventTime, op.fields);
      if (status === AddStatus.Late) {
        out.late.push(index);
        out.lateWindowEnds.set(index, engine.lastLateWindowEnd);
      } else if (status === AddStatus.AddedPartlyLate) out.partlyLate.push(index);
      else if (status === AddStatus.Invalid) out.invalid.push(index);
      else if (status === AddStatus.Refused) out.refused.push(index);
    }
    drain();
  });
  out.open = engine.partials().map(plain).sort(compareRows);
  finals.sort(compareRows);
  for (const p of partitions) out.watermarks.set(p, engine.watermarkOf(engine.slot(p)));
  out.engine = engine;
  return out;
}
