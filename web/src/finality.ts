import type { CheckpointStore } from "./ports.ts";

/**
 * Up to which event time every source partition's window rows are durable, read from the processors'
 * checkpoints. Each partition's final row is written by whichever processor owns it, so a reader that
 * finds every stored row of a window final may still be missing the row of a partition whose final
 * write has not landed (another instance, or a write still in flight). A checkpoint is stored only
 * once everything before it is durable, and it carries the partition's watermark: a window whose end
 * is at or before the smallest checkpointed watermark is complete in every partition.
 */
export class CheckpointFinality {
  private cached: { at: number; read: Promise<number> } | undefined;

  constructor(
    private readonly store: CheckpointStore,
    private readonly topic: string,
    /** Requests within this long share one read of the checkpoints. */
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * The smallest checkpointed watermark over the topic's partitions; −∞ when one has none yet, +∞
   * without any checkpoint (rows written by something other than the processor: nothing to go by).
   */
  closedThrough(): Promise<number> {
    const now = this.now();
    if (this.cached && now - this.cached.at < this.ttlMs) return this.cached.read;
    const entry = {
      at: now,
      read: this.store
        .checkpoints(this.topic)
        .then((cps) =>
          cps.reduce(
            (min, cp) => Math.min(min, cp.watermark ?? Number.NEGATIVE_INFINITY),
            Number.POSITIVE_INFINITY,
          ),
        ),
    };
    this.cached = entry;
    entry.read.catch(() => {
      if (this.cached === entry) this.cached = undefined;
    });
    return entry.read;
  }
}

/** The window as the API shows it: final only when its rows are and every partition is past its end. */
export function gateFinal<W extends { windowEnd: number; final: boolean }>(w: W, closedThrough: number): W {
  return w.final && w.windowEnd > closedThrough ? { ...w, final: false } : w;
}
