/**
 * One assigned source partition, as the processor follows it. A new Track is made for every assignment,
 * so its identity is the assignment's epoch: whatever was started for an earlier one (a batch, a
 * checkpoint) can tell that it no longer owns the partition.
 */
export interface Track {
  readonly partition: number;
  readonly slot: number;
  /** Next offset to process: everything before it is in the core state. */
  nextOffset: number;
  /** Offset covered by the last durable checkpoint. */
  checkpointed: number | null;
  /** State changed since the last checkpoint was taken. */
  changed: boolean;
  /**
   * Watermark of the last checkpoint taken (undefined before the first). A checkpoint is due when the
   * watermark moved even without new records: readers take the checkpointed watermarks as the point
   * up to which every partition's rows are durable (web/src/finality.ts), so an empty or idle
   * partition must not hold it back.
   */
  takenWatermark?: number | null;
  /** Revocation under way: its messages are dropped, its last checkpoint is being written. */
  revoking: boolean;
  /**
   * Source generation from which consumed batches are known to come from this track's fetch position
   * (set once the consumer fetches from nextOffset: after the assignment, or after a seek). Infinity
   * until then. A batch consumed earlier may hold messages of a previous owner's fetch.
   */
  trustedFrom: number;
  /** Nothing applied since the consumer was positioned at nextOffset: the next message must be nextOffset. */
  fresh: boolean;
  /** A seek back to nextOffset is wanted: messages are dropped until it is done. */
  resync: boolean;
  /** A seek to nextOffset was done: if the broker still starts later, those offsets are gone (retention). */
  sought: boolean;
}

/**
 * A track resuming at `nextOffset` from a checkpoint, or, without one, at the start of the partition, where
 * the first record's offset is whatever the log still holds.
 */
export function newTrack(partition: number, slot: number, nextOffset: number, checkpointed: boolean): Track {
  return {
    partition,
    slot,
    nextOffset,
    checkpointed: checkpointed ? nextOffset : null,
    changed: false,
    revoking: false,
    trustedFrom: Number.POSITIVE_INFINITY,
    fresh: true,
    resync: false,
    sought: !checkpointed,
  };
}

/** What to do with one consumed message. */
export const Admit = {
  /** The next record of the partition: apply it. */
  Apply: 0,
  /** Nothing to do with it (already in the state, not ours, or its fetch is being redone). */
  Skip: 1,
  /** It may not follow what was applied: drop it, and seek the consumer back to nextOffset. */
  Resync: 2,
  /** Apply it, but the offsets between nextOffset and it are not in Kafka any more (after a seek). */
  ApplyAfterGap: 3,
} as const;
export type Admit = (typeof Admit)[keyof typeof Admit];

/**
 * Decides whether a message consumed in a batch taken at source generation `batchGeneration` continues
 * the partition's state. A rebalance can complete while a batch waits (for the registry, say): its
 * messages then come from an earlier fetch position, possibly beyond where the restored state resumes, and
 * applying them would skip the records in between. So after every (re)positioning the first record applied
 * must be nextOffset itself; anything else is dropped and the consumer sent back to nextOffset.
 */
export function admit(t: Track | undefined, offset: number, batchGeneration: number): Admit {
  if (t === undefined || t.revoking || offset < t.nextOffset) return Admit.Skip;
  // Not fetching for this track yet (assignment or seek pending): that fetch starts at nextOffset anyway.
  if (t.resync || t.trustedFrom === Number.POSITIVE_INFINITY) return Admit.Skip;
  // The batch was taken before the consumer was positioned for this track: it may hold a stale fetch, or
  // records of the new one that dropping would skip.
  if (batchGeneration < t.trustedFrom) return Admit.Resync;
  if (offset === t.nextOffset || !t.fresh) return Admit.Apply;
  return t.sought ? Admit.ApplyAfterGap : Admit.Resync;
}

/** Records that a message was applied (after Apply or ApplyAfterGap). */
export function applied(t: Track, offset: number): void {
  t.nextOffset = offset + 1;
  t.fresh = false;
  t.changed = true;
}

/** The consumer was positioned at t.nextOffset at source generation `generation` (assignment or seek). */
export function positioned(t: Track, generation: number, bySeek: boolean): void {
  t.trustedFrom = generation;
  t.fresh = true;
  t.resync = false;
  if (bySeek) t.sought = true;
}
