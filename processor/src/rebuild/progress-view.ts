import cliProgress from "cli-progress";
import type { PartitionProgress } from "./rebuilder.ts";

/** A rebuild's progress: a cli-progress bar per partition on a terminal, a plain line every few seconds otherwise. */
export interface RebuildProgressView {
  update(p: PartitionProgress): void;
  stop(): void;
}

export function progressLine(p: PartitionProgress): string {
  const total = Math.max(0, p.stop - p.start);
  const done = Math.min(total, Math.max(0, p.next - p.start));
  const pct = total === 0 ? 100 : Math.floor((done / total) * 100);
  return `partition ${p.partition}: offset ${p.next} of ${p.start}..${p.stop} (${pct}%), ${p.rowsWritten} rows written${p.done ? ", done" : ""}`;
}

export function startRebuildProgress(
  stream: NodeJS.WriteStream = process.stderr,
  intervalMs = 2_000,
): RebuildProgressView {
  const latest = new Map<number, PartitionProgress>();
  if (stream.isTTY) {
    const bars = new cliProgress.MultiBar(
      {
        stream,
        format: "partition {partition} [{bar}] {percentage}% | offset {value}/{total} | {rows} rows{state}",
        hideCursor: true,
        clearOnComplete: false,
      },
      cliProgress.Presets.shades_classic,
    );
    const byPartition = new Map<number, cliProgress.SingleBar>();
    return {
      update(p) {
        const payload = { partition: p.partition, rows: p.rowsWritten, state: p.done ? " | done" : "" };
        const total = Math.max(0, p.stop - p.start);
        const value = p.done ? total : Math.min(total, Math.max(0, p.next - p.start));
        const bar = byPartition.get(p.partition);
        if (bar) bar.update(value, payload);
        else byPartition.set(p.partition, bars.create(total, value, payload));
      },
      stop() {
        bars.stop();
      },
    };
  }
  const print = () => {
    for (const p of latest.values()) stream.write(`${progressLine(p)}\n`);
    latest.clear();
  };
  const timer = setInterval(print, intervalMs);
  timer.unref();
  return {
    update(p) {
      latest.set(p.partition, { ...p });
      // Start and end of each partition are always shown; in between, the latest every interval.
      if (p.done || p.next === p.start) {
        stream.write(`${progressLine(p)}\n`);
        latest.delete(p.partition);
      }
    },
    stop() {
      clearInterval(timer);
      print();
    },
  };
}
