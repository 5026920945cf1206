/** What the processor asks of the windowing core. All times are epoch milliseconds. */
export interface CoreConfig {
  /** Window size W. */
  readonly windowSizeMs: number;
  /** Slide S for hopping windows; 0 (default) or W means tumbling. W must be a multiple of S. */
  readonly windowSlideMs?: number;
  /** Bounded out-of-orderness L: a partition's watermark is its max event time − L. */
  readonly allowedLatenessMs: number;
  /** A partition that delivered nothing for this long (processing time) is idle. */
  readonly idleTimeoutMs: number;
  /** Dimensions to group by, e.g. ["nat", "gender"]; each becomes a group named after it. */
  readonly groupBy: readonly string[];
  /** Adds the group "all" (single key "*"); default true. */
  readonly includeAll?: boolean;
  /** Record field aggregated by the object-level API; default "age". */
  readonly valueField?: string;
  /**
   * More numeric fields aggregated beside the value, each with its own count, sum, min and max (a
   * record whose field is not a finite number counts in the cell, not in that field). add() takes
   * their values in this order; rows carry them as `fields`. Default none.
   */
  readonly extraFields?: readonly string[];
  /** Capacity limits per partition; growth past them is refused (see README). */
  readonly initialKeys?: number;
  readonly initialWindows?: number;
  readonly maxKeys?: number;
  readonly maxOpenWindows?: number;
  readonly maxCells?: number;
}

/** Outcome of one add(); numbers so that the hot path does not allocate. */
export const AddStatus = {
  /** Aggregated into every window it belongs to. */
  Added: 0,
  /** Hopping only: aggregated into its open windows, skipped its already final ones. */
  AddedPartlyLate: 1,
  /** Every window of the event was already final: not aggregated, counted, to be forwarded. */
  Late: 2,
  /** Bad event time (not an integer, beyond ±(2^53 − 1 − W)) or non-finite value: nothing changed. */
  Invalid: 3,
  /** Capacity exhausted (ring span, dictionary or cell limit): nothing changed, may be retried. */
  Refused: 4,
} as const;
export type AddStatus = (typeof AddStatus)[keyof typeof AddStatus];

/** Which capacity limit a Refused event met (WindowEngine.refusalOf). */
export type RefusalCause = "keys" | "windows" | "cells";

/** Statistics of one extra field in a cell, over the records that had it. */
export interface FieldStats {
  readonly count: number;
  readonly sum: number;
  readonly min: number;
  readonly max: number;
  readonly avg: number;
}

/** One aggregate cell: a (source partition, window, group, key). */
export interface WindowRow {
  readonly partition: number;
  readonly windowStart: number;
  readonly windowEnd: number;
  readonly group: string;
  readonly key: string;
  readonly count: number;
  readonly sum: number;
  readonly min: number;
  readonly max: number;
  readonly avg: number;
  readonly final: boolean;
  /** The extra fields (CoreConfig.extraFields) that counted a value, by name; absent without extras. */
  readonly fields?: Readonly<Record<string, FieldStats>>;
}

/** Counters of one partition; they survive snapshot/restore. */
export interface PartitionCounters {
  /** Events aggregated (Added + AddedPartlyLate). */
  processed: number;
  late: number;
  partlyLate: number;
  invalid: number;
  refused: number;
  /** Times the ring or dictionary storage was reallocated larger. */
  grown: number;
}

export function emptyCounters(): PartitionCounters {
  return { processed: 0, late: 0, partlyLate: 0, invalid: 0, refused: 0, grown: 0 };
}

export interface PartitionStatus {
  readonly partition: number;
  readonly slot: number;
  readonly maxEventTime: number;
  /** Windows ending at or before this are final for the partition. */
  readonly watermark: number;
  readonly idle: boolean;
  readonly openWindows: number;
  /** Window slots allocated in the ring (a power of two >= openWindows). */
  readonly windowSlots: number;
  readonly keys: number;
  readonly bytes: number;
  readonly counters: Readonly<PartitionCounters>;
}
