import type { Config } from "../../common/src/config.ts";
import type { Logger } from "../../common/src/logger.ts";
import type { WindowEngine } from "./core/index.ts";
import type { WindowEmitter } from "./emitter.ts";
import type { ProcessorMetrics } from "./metrics.ts";
import type { Track } from "./partition-track.ts";
import type { OutputTopics, ProcessorStore, RecordSource } from "./ports.ts";
import { finite } from "./status.ts";
import type { WriteQueue } from "./write-queue.ts";

interface Snap {
  track: Track;
  nextOffset: number;
  watermark: number | null;
  state: Uint8Array;
}

export interface CheckpointerDeps {
  config: Config;
  intervalMs: number;
  engine: WindowEngine;
  /** The current assignments by partition (a revoked one is removed once its last checkpoint is done). */
  tracks: ReadonlyMap<number, Track>;
  emitter: WindowEmitter;
  writes: WriteQueue;
  topics: OutputTopics;
  store: ProcessorStore;
  source: RecordSource;
  metrics: ProcessorMetrics;
  log: Logger;
  now: () => number;
}

/**
 * Checkpoints (docs/exactly-once.md): the core's snapshot of a partition with the offset it resumes at,
 * stored only once every output of what it covers is durable, then committed to Kafka (for lag only).
 * Capture is synchronous, so a snapshot always matches its offsets; persists are serialized, so an older
 * snapshot never lands after a newer one; and only the current owner of a partition stores one.
 */
export class Checkpointer {
  private chain: Promise<void> = Promise.resolve();
  private running = false;
  private last = 0;

  constructor(private readonly d: CheckpointerDeps) {}

  /** The timed checkpoint of every changed partition, unless one is still under way. */
  due(now: number): void {
    if (now - this.last < this.d.intervalMs || this.running) return;
    this.last = now;
    this.checkpoint().catch((err: Error) => this.d.log.warn({ err: err.message }, "checkpoint failed"));
  }

  /**
   * Checkpoints the given partitions (all changed ones by default): snapshot now, then wait until every
   * write and tracked send made so far is durable, then store the snapshots and commit the offsets.
   */
  checkpoint(only?: number[]): Promise<void> {
    const snaps = this.capture(only);
    this.running = true;
    const run = this.chain.then(() => this.persist(snaps));
    this.chain = run.then(
      () => {
        this.running = false;
      },
      () => {
        this.running = false;
      },
    );
    return run;
  }

  /** The synchronous half: outputs of everything processed so far are queued, and the state snapshotted. */
  private capture(only?: number[]): Snap[] {
    const { engine, tracks } = this.d;
    this.d.emitter.flushAll(this.d.now());
    const snaps: Snap[] = [];
    for (const t of tracks.values()) {
      // A revoking track's slot may already be released from the core (its own capture came first).
      if (only ? !only.includes(t.partition) : t.revoking) continue;
      const watermark = finite(engine.watermarkOf(t.slot));
      if (!only && !t.changed && watermark === t.takenWatermark) continue;
      snaps.push({
        track: t,
        nextOffset: t.nextOffset,
        watermark,
        state: engine.snapshot(t.slot, String(t.nextOffset)),
      });
      t.changed = false;
      t.takenWatermark = watermark;
    }
    return snaps;
  }

  /**
   * The asynchronous half: once everything queued before the capture is durable, store the snapshots.
   * Only while this assignment still owns the partition, checked again before every attempt: a checkpoint
   * that outlived its revocation (the store slow, the revocation gave up waiting) must not land over the
   * next owner's. An attempt already sent before the release carries an older client timestamp than
   * anything the next owner writes, so Cassandra keeps the newer row whatever the order of arrival.
   */
  private async persist(snaps: Snap[]): Promise<void> {
    if (snaps.length === 0) return;
    const { writes, topics, store, config } = this.d;
    const written: Snap[] = [];
    try {
      await Promise.all([writes.barrier(), topics.barrier()]);
      await Promise.all(
        snaps.map((s) =>
          writes.submit(`checkpoint ${s.track.partition}`, async () => {
            if (!this.owns(s.track)) return;
            await store.writeCheckpoint(config.TOPIC_USERS, {
              partition: s.track.partition,
              nextOffset: String(s.nextOffset),
              watermark: s.watermark,
              state: Buffer.from(s.state.buffer, s.state.byteOffset, s.state.byteLength),
            });
            written.push(s);
          }),
        ),
      );
    } catch (err) {
      for (const s of snaps) s.track.changed = true;
      throw err;
    }
    const offsets = new Map<number, number>();
    for (const s of written) {
      s.track.checkpointed = s.nextOffset;
      offsets.set(s.track.partition, s.nextOffset);
    }
    this.d.metrics.checkpoints.inc(written.length);
    if (written.length > 0) this.d.metrics.lastCheckpoint.setToCurrentTime();
    this.d.source.commit(offsets);
  }

  /** Whether `t` is still the current assignment of its partition (revoking included). */
  private owns(t: Track): boolean {
    return this.d.tracks.get(t.partition) === t;
  }
}
