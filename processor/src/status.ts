import type { ProcessorStatus } from "../../common/src/contracts/processor-status.ts";
import type { WindowEngine } from "./core/index.ts";
import type { E2eLatency } from "./e2e-latency.ts";
import { type ProcessorMetrics, RateMeter, RecentSample } from "./metrics.ts";
import type { Track } from "./partition-track.ts";
import type { OutputTopics, RecordSource } from "./ports.ts";
import { noRefusals, type RefusalCounts } from "./refusal.ts";
import type { WriteQueue } from "./write-queue.ts";

/** Running totals of what became of the records this instance processed. */
export interface Totals {
  processed: number;
  late: number;
  partlyLate: number;
  refused: number;
  refusedByCause: RefusalCounts;
  deadLettered: number;
}

export const newTotals = (): Totals => ({
  processed: 0,
  late: 0,
  partlyLate: 0,
  refused: 0,
  refusedByCause: noRefusals(),
  deadLettered: 0,
});

/** A watermark or time as the outside sees it: null where the core has none (±Infinity). */
export const finite = (n: number): number | null => (Number.isFinite(n) ? n : null);

export interface StatusDeps {
  instance: string;
  group: string;
  batchLimit: number;
  engine: WindowEngine;
  tracks: ReadonlyMap<number, Track>;
  source: RecordSource;
  writes: WriteQueue;
  topics: OutputTopics;
  metrics: ProcessorMetrics;
  totals: Totals;
  paused: () => boolean;
  clockHeld: () => string | null;
  failure: () => Error | null;
  e2e: E2eLatency;
}

/** /status and the Prometheus gauges, read from the loop's state; rates and gauges refresh once a second. */
export class StatusReporter {
  private readonly latencies = new RecentSample();
  private readonly batchSizes = new RecentSample(512);
  private readonly rate = new RateMeter();
  private readonly startedAt = Date.now();
  private eventsPerSec = 0;
  private lastRate = 0;
  /** Running totals already added to the Prometheus counters fed from them. */
  private readonly seen = { writeRetries: 0, queueFull: 0, liveDropped: 0 };

  constructor(private readonly d: StatusDeps) {}

  sinkLatency(ms: number): void {
    this.latencies.add(ms);
    this.d.metrics.sinkLatency.observe(ms / 1000);
  }

  batch(size: number): void {
    this.d.metrics.batchSize.observe(size);
    this.batchSizes.add(size);
  }

  due(now: number): void {
    if (now - this.lastRate < 1000) return;
    this.lastRate = now;
    this.eventsPerSec = this.rate.sample(now, this.d.totals.processed);
    this.refreshGauges();
  }

  private refreshGauges(): void {
    const { metrics, engine, tracks, source, writes, topics } = this.d;
    metrics.eventsPerSec.set(this.eventsPerSec);
    const wm = finite(engine.watermark());
    if (wm !== null) metrics.watermark.set(wm);
    for (const s of engine.status()) {
      const t = tracks.get(s.partition);
      const w = finite(s.watermark);
      if (w !== null) metrics.partitionWatermark.set({ partition: String(s.partition) }, w);
      const end = source.highWatermark(s.partition);
      if (t && end !== undefined)
        metrics.lag.set({ partition: String(s.partition) }, Math.max(0, end - t.nextOffset));
    }
    metrics.writeRetries.inc(writes.failedAttempts() - this.seen.writeRetries);
    this.seen.writeRetries = writes.failedAttempts();
    metrics.sideQueueFull.inc(topics.queueFullRetries() - this.seen.queueFull);
    this.seen.queueFull = topics.queueFullRetries();
    metrics.liveDropped.inc(topics.liveUpdatesDropped() - this.seen.liveDropped);
    this.seen.liveDropped = topics.liveUpdatesDropped();
  }

  /** A partition left this instance: its per-partition gauges go with it. */
  forget(partition: number): void {
    this.d.metrics.lag.remove(String(partition));
    this.d.metrics.partitionWatermark.remove(String(partition));
  }

  status(): ProcessorStatus {
    const { engine, tracks, source, totals } = this.d;
    const parts = engine.status().map((s) => {
      const t = tracks.get(s.partition);
      const end = source.highWatermark(s.partition);
      const nextOffset = t?.nextOffset ?? 0;
      return {
        partition: s.partition,
        nextOffset,
        watermark: finite(s.watermark),
        idle: s.idle,
        lag: end === undefined ? null : Math.max(0, end - nextOffset),
        checkpointedOffset: t?.checkpointed ?? null,
        openWindows: s.openWindows,
        partlyLate: s.counters.partlyLate,
        refused: s.counters.refused,
        keys: s.keys,
      };
    });
    parts.sort((a, b) => a.partition - b.partition);
    return {
      instance: this.d.instance,
      group: this.d.group,
      assigned: parts.map((p) => p.partition),
      watermark: finite(engine.watermark()),
      partitions: parts,
      processed: totals.processed,
      late: totals.late,
      partlyLate: totals.partlyLate,
      refused: totals.refused,
      refusedByCause: { ...totals.refusedByCause },
      deadLettered: totals.deadLettered,
      eventsPerSec: Math.round(this.eventsPerSec),
      sinkLatencyMs: { p50: this.latencies.quantile(0.5), p99: this.latencies.quantile(0.99) },
      e2eMs: this.d.e2e.status(),
      batchSize: {
        last: this.batchSizes.latest(),
        p50: this.batchSizes.quantile(0.5),
        p99: this.batchSizes.quantile(0.99),
        max: this.batchSizes.quantile(1),
        limit: this.d.batchLimit,
      },
      startedAt: this.startedAt,
      paused: this.d.paused(),
      pendingWrites: this.d.writes.size(),
      clockHeld: this.d.clockHeld(),
      failure: this.d.failure()?.message ?? null,
    };
  }
}
