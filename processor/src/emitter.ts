import { hourBucket } from "../../common/src/cassandra-schema.ts";
import type { Config } from "../../common/src/config.ts";
import {
  aggregateFieldsOf,
  aggregateKey,
  encodeAggregateMessage,
} from "../../common/src/contracts/aggregate-message.ts";
import type { WindowEngine, WindowRow } from "./core/index.ts";
import type { E2eLatency } from "./e2e-latency.ts";
import type { ProcessorMetrics } from "./metrics.ts";
import type { Track } from "./partition-track.ts";
import type { OpenWindowRow, OutputTopics, ProcessorStore, StoredUser } from "./ports.ts";
import type { ProcessorOptions } from "./processor-options.ts";
import { finite } from "./status.ts";
import type { WriteQueue } from "./write-queue.ts";

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Window rows in single-partition batches of the store: by (group, hour bucket), at most `size` each. */
export function windowBatches<T>(rows: readonly T[], size: number, rowOf: (item: T) => WindowRow): T[][] {
  const byPartition = new Map<string, T[]>();
  for (const item of rows) {
    const r = rowOf(item);
    const k = `${r.group}|${hourBucket(r.windowStart)}`;
    const list = byPartition.get(k);
    if (list) list.push(item);
    else byPartition.set(k, [item]);
  }
  return [...byPartition.values()].flatMap((list) => chunks(list, size));
}

export type EmitterOptions = Pick<
  ProcessorOptions,
  | "PROCESSOR_PUBLISH_INTERVAL_MS"
  | "PROCESSOR_PARTIAL_WRITE_INTERVAL_MS"
  | "PROCESSOR_WINDOW_ROWS_PER_BATCH"
  | "PROCESSOR_USERS_PER_BATCH"
>;

/**
 * What the core's windows become outside: final rows written to the store as soon as they exist (fenced
 * by their write timestamp) and published; open rows published to the live topic every publish interval
 * and written to the store every partial-write interval, latest version only. Users go to the store in
 * batches. Every store write goes through the write queue, so a checkpoint's barrier covers it.
 */
export class WindowEmitter {
  private readonly pendingPartials = new Map<string, OpenWindowRow>();
  private lastPublish = 0;
  private lastPartialWrite = 0;

  constructor(
    private readonly config: Config,
    private readonly opts: EmitterOptions,
    private readonly engine: WindowEngine,
    private readonly tracks: ReadonlyMap<number, Track>,
    private readonly writes: WriteQueue,
    private readonly store: ProcessorStore,
    private readonly topics: OutputTopics,
    private readonly metrics: ProcessorMetrics,
    private readonly e2e: E2eLatency,
  ) {}

  /** The timed duties: publish the open rows, write them. */
  due(now: number): void {
    if (now - this.lastPublish >= this.opts.PROCESSOR_PUBLISH_INTERVAL_MS) this.flushRows(now);
    if (now - this.lastPartialWrite >= this.opts.PROCESSOR_PARTIAL_WRITE_INTERVAL_MS) this.writePartials(now);
  }

  /** Everything the core holds for outside, queued now (a checkpoint's capture). */
  flushAll(now: number): void {
    this.flushRows(now);
    this.writePartials(now);
  }

  users(users: readonly StoredUser[]): void {
    for (const batch of chunks(users, this.opts.PROCESSOR_USERS_PER_BATCH)) {
      void this.writes
        .submit("users", () => this.store.writeUsers(batch), batch.length)
        .catch(() => undefined);
    }
  }

  /** Final rows: written now (fenced by their write timestamp), published, and no longer pending as open. */
  finals(now: number): void {
    const rows = this.engine.takeFinal();
    if (rows.length === 0) return;
    for (const r of rows) {
      this.pendingPartials.delete(aggregateKey(r));
      // Closing windows changes the state even without new records: the next checkpoint must carry it.
      const t = this.tracks.get(r.partition);
      if (t) t.changed = true;
    }
    for (const batch of windowBatches(rows, this.opts.PROCESSOR_WINDOW_ROWS_PER_BATCH, (r) => r)) {
      this.submit("final windows", () => this.store.writeFinalWindows(batch), batch.length, "final");
    }
    this.publish(rows, now);
  }

  /** Takes what changed in the core: finals are written, open rows are published and queued for the store. */
  private flushRows(now: number): void {
    this.lastPublish = now;
    this.finals(now);
    const dirty = this.engine.takeDirty();
    for (const r of dirty) {
      // The row's version is how far its partition had been read when the core gave it out, not when
      // the write queue gets to it.
      const nextOffset = this.tracks.get(r.partition)?.nextOffset ?? 0;
      this.pendingPartials.set(aggregateKey(r), { row: r, nextOffset });
    }
    // The events aggregated since the last publish are in these rows: they are emitted now.
    this.publish(dirty, now, dirty.length > 0 ? this.e2e.emitted(now) : null);
  }

  private writePartials(now: number): void {
    this.lastPartialWrite = now;
    if (this.pendingPartials.size === 0) return;
    const rows = [...this.pendingPartials.values()];
    this.pendingPartials.clear();
    for (const batch of windowBatches(rows, this.opts.PROCESSOR_WINDOW_ROWS_PER_BATCH, (o) => o.row)) {
      this.submit("open windows", () => this.store.writeOpenWindows(batch), batch.length, "partial");
    }
  }

  private submit(name: string, write: () => Promise<void>, rows: number, kind: "final" | "partial"): void {
    void this.writes
      .submit(name, write, rows)
      .then(() => this.metrics.windowRows.inc({ kind }, rows))
      .catch(() => undefined);
  }

  private publish(rows: WindowRow[], now: number, producedAt: number | null = null): void {
    if (rows.length === 0) return;
    const watermark = finite(this.engine.watermark());
    this.topics.sendUntracked(
      this.config.TOPIC_AGGREGATES,
      rows.map((r) =>
        encodeAggregateMessage({
          windowStart: r.windowStart,
          windowEnd: r.windowEnd,
          group: r.group,
          key: r.key,
          partition: r.partition,
          count: r.count,
          sumAge: r.sum,
          minAge: r.min,
          maxAge: r.max,
          final: r.final,
          ...(r.fields === undefined ? {} : { fields: aggregateFieldsOf(r.fields) }),
          watermark,
          emittedAt: now,
          producedAt,
        }),
      ),
    );
  }
}
