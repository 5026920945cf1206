import { z } from "zod";

// GET /status of a processor instance (docs/internal-contracts.md): the processor writes it, the web tier
// (pipeline page, /api/processor), the instance registry, the tests and the bench read it.

const n = z.number();
const count = z.number().int().nonnegative();

const PartitionStatusSchema = z.object({
  partition: z.number().int(),
  nextOffset: n,
  watermark: n.nullable(),
  idle: z.boolean(),
  /** Records between the partition's end and nextOffset; null before the first fetch. */
  lag: n.nullable(),
  /** nextOffset of the last durable checkpoint. */
  checkpointedOffset: n.nullable(),
  openWindows: n,
  /** Distinct group-by values in the partition's key dictionary (at most PROCESSOR_MAX_KEYS_PER_PARTITION). */
  keys: count,
  /** The windowing core's counters of the partition (kept in its checkpoints, so over every owner). */
  partlyLate: count,
  refused: count,
});

const BatchSizesSchema = z.object({
  last: count.nullable(),
  p50: count.nullable(),
  p99: count.nullable(),
  max: count.nullable(),
  /** PROCESSOR_BATCH_SIZE. */
  limit: count,
});

/** The whole answer, as the processor sends it. */
export const ProcessorStatusSchema = z.object({
  instance: z.string(),
  group: z.string(),
  assigned: z.array(z.number().int()),
  watermark: n.nullable(),
  partitions: z.array(PartitionStatusSchema),
  processed: n,
  late: n,
  /** Hopping windows: events aggregated into their open windows only (some of theirs were final). */
  partlyLate: count,
  /** Events the core refused for want of capacity (dead-lettered, so also in deadLettered). */
  refused: count,
  /** The same by the limit met: the key dictionary (PROCESSOR_MAX_KEYS_PER_PARTITION), windows, cells. */
  refusedByCause: z.object({ keys: count, windows: count, cells: count }),
  deadLettered: n,
  eventsPerSec: n,
  sinkLatencyMs: z.object({ p50: n.nullable(), p99: n.nullable() }),
  /** End-to-end latency (ms) of sampled events: produced → processed, produced → window update emitted. */
  e2eMs: z.object({
    processed: z.object({ p50: n.nullable(), p99: n.nullable() }),
    emitted: z.object({ p50: n.nullable(), p99: n.nullable() }),
  }),
  /** Messages per consumed batch, over the recent batches. */
  batchSize: BatchSizesSchema,
  startedAt: n,
  /** Consumption paused by backpressure (Cassandra not keeping up or down). */
  paused: z.boolean(),
  pendingWrites: n,
  /**
   * Why processing time, which decides idleness, stands still (paused, handing over, catching up, end
   * offsets unconfirmed): windows of idle partitions do not close meanwhile. null while it runs.
   */
  clockHeld: z.string().nullable(),
  /** Why the processor stopped on its own (it exits non-zero); null while it runs. */
  failure: z.string().nullable(),
});
export type ProcessorStatus = z.infer<typeof ProcessorStatusSchema>;
export type BatchSizes = z.infer<typeof BatchSizesSchema>;

/**
 * What a reader accepts: the fields added after the first version are optional, so an older processor's
 * answer still parses; the per-partition lag and checkpoint (for tests and the bench) are not read.
 */
export const ProcessorStatusReadSchema = ProcessorStatusSchema.extend({
  partitions: z.array(
    PartitionStatusSchema.omit({ lag: true, checkpointedOffset: true }).partial({
      openWindows: true,
      keys: true,
      partlyLate: true,
      refused: true,
    }),
  ),
}).partial({
  paused: true,
  pendingWrites: true,
  clockHeld: true,
  partlyLate: true,
  refused: true,
  refusedByCause: true,
  batchSize: true,
  failure: true,
  e2eMs: true,
});
export type ProcessorStatusRead = z.infer<typeof ProcessorStatusReadSchema>;
