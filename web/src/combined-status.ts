import type { BatchSizes, ProcessorStatus } from "./ports.ts";

// The processor as one: what the Pipeline page and /api/pipeline show for the whole consumer group,
// from the live /status of each instance. Counts add up; a watermark is the lowest; latencies and batch
// sizes are the worst instance's (percentiles of different instances do not add).

const sum = (xs: (number | undefined)[]): number | undefined =>
  xs.some((x) => x !== undefined) ? xs.reduce<number>((a, x) => a + (x ?? 0), 0) : undefined;

const maxOf = (xs: (number | null)[]): number | null => {
  const known = xs.filter((x): x is number => x !== null);
  return known.length ? Math.max(...known) : null;
};

function worstBatches(list: BatchSizes[]): BatchSizes | undefined {
  if (list.length === 0) return undefined;
  return {
    last: maxOf(list.map((b) => b.last)),
    p50: maxOf(list.map((b) => b.p50)),
    p99: maxOf(list.map((b) => b.p99)),
    max: maxOf(list.map((b) => b.max)),
    limit: Math.max(...list.map((b) => b.limit)),
  };
}

/** null when no instance answered; one instance's status as it is. */
export function combineStatuses(statuses: readonly ProcessorStatus[]): ProcessorStatus | null {
  if (statuses.length === 0) return null;
  if (statuses.length === 1) return statuses[0]!;
  // During a rebalance two instances may report a partition: the one further ahead has it now.
  const byPartition = new Map<number, ProcessorStatus["partitions"][number]>();
  for (const s of statuses)
    for (const p of s.partitions) {
      const seen = byPartition.get(p.partition);
      if (!seen || p.nextOffset > seen.nextOffset) byPartition.set(p.partition, p);
    }
  const marks = statuses.flatMap((s) => (s.watermark === null ? [] : [s.watermark]));
  const failed = statuses.filter((s) => s.failure);
  const batches = statuses.flatMap((s) => (s.batchSize ? [s.batchSize] : []));
  const batchSize = worstBatches(batches);
  const pendingWrites = sum(statuses.map((s) => s.pendingWrites));
  const partlyLate = sum(statuses.map((s) => s.partlyLate));
  const refused = sum(statuses.map((s) => s.refused));
  return {
    instance: `${statuses.length} instances`,
    group: statuses[0]!.group,
    assigned: [...new Set(statuses.flatMap((s) => s.assigned))].sort((a, b) => a - b),
    watermark: marks.length ? Math.min(...marks) : null,
    partitions: [...byPartition.values()].sort((a, b) => a.partition - b.partition),
    processed: statuses.reduce((a, s) => a + s.processed, 0),
    late: statuses.reduce((a, s) => a + s.late, 0),
    deadLettered: statuses.reduce((a, s) => a + s.deadLettered, 0),
    eventsPerSec: statuses.reduce((a, s) => a + s.eventsPerSec, 0),
    sinkLatencyMs: {
      p50: maxOf(statuses.map((s) => s.sinkLatencyMs.p50)),
      p99: maxOf(statuses.map((s) => s.sinkLatencyMs.p99)),
    },
    ...(statuses.some((s) => s.e2eMs)
      ? {
          e2eMs: {
            processed: {
              p50: maxOf(statuses.map((s) => s.e2eMs?.processed.p50 ?? null)),
              p99: maxOf(statuses.map((s) => s.e2eMs?.processed.p99 ?? null)),
            },
            emitted: {
              p50: maxOf(statuses.map((s) => s.e2eMs?.emitted.p50 ?? null)),
              p99: maxOf(statuses.map((s) => s.e2eMs?.emitted.p99 ?? null)),
            },
          },
        }
      : {}),
    startedAt: Math.min(...statuses.map((s) => s.startedAt)),
    paused: statuses.some((s) => s.paused === true),
    ...(pendingWrites === undefined ? {} : { pendingWrites }),
    ...(partlyLate === undefined ? {} : { partlyLate }),
    ...(refused === undefined ? {} : { refused }),
    ...(batchSize ? { batchSize } : {}),
    failure: failed.length ? failed.map((s) => `${s.instance}: ${s.failure}`).join("; ") : null,
  };
}
