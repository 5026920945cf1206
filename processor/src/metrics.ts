import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

const E2E_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

/** The processor's Prometheus metrics, in a registry of its own (several instances can share a process). */
export class ProcessorMetrics {
  readonly registry = new Registry();
  readonly events = new Counter({
    name: "processor_events_total",
    help: "Events consumed from the users topic, by outcome",
    labelNames: ["outcome"] as const,
    registers: [this.registry],
  });
  readonly deadLettered = new Counter({
    name: "processor_dead_letters_total",
    help: "Messages sent to the dead-letter topic",
    labelNames: ["stage"] as const,
    registers: [this.registry],
  });
  readonly deadLettersTruncated = new Counter({
    name: "processor_dead_letter_payloads_truncated_total",
    help: "Dead letters whose original value was too large and was cut to its first bytes",
    registers: [this.registry],
  });
  readonly sideOutputsNotResent = new Counter({
    name: "processor_side_outputs_not_resent_total",
    help: "Late events and dead letters of a replay not sent again: their topic already held them",
    labelNames: ["topic"] as const,
    registers: [this.registry],
  });
  readonly sideQueueFull = new Counter({
    name: "processor_side_queue_full_total",
    help: "Late or dead-letter sends that found the producer's local queue full and waited",
    registers: [this.registry],
  });
  readonly liveDropped = new Counter({
    name: "processor_live_updates_dropped_total",
    help: "Window updates for the live topic dropped (queue full, expired or refused)",
    registers: [this.registry],
  });
  readonly resyncs = new Counter({
    name: "processor_resyncs_total",
    help: "Seeks back to a partition's next offset after a batch that could not continue its state",
    registers: [this.registry],
  });
  readonly offsetGap = new Counter({
    name: "processor_offset_gap_records_total",
    help: "Offsets between a checkpoint and the first record Kafka still had (deleted by retention)",
    registers: [this.registry],
  });
  readonly partlyLate = new Counter({
    name: "processor_partly_late_events_total",
    help: "Hopping windows: events aggregated into their open windows only, some of theirs being final",
    registers: [this.registry],
  });
  readonly refused = new Counter({
    name: "processor_refused_events_total",
    help: "Events the windowing core refused for want of capacity (dead-lettered)",
    registers: [this.registry],
  });
  readonly refusedByCause = new Counter({
    name: "processor_refused_events_by_cause_total",
    help: "Refused events by the limit met: keys (PROCESSOR_MAX_KEYS_PER_PARTITION), windows, cells",
    labelNames: ["cause"] as const,
    registers: [this.registry],
  });
  readonly late = new Counter({
    name: "processor_late_events_total",
    help: "Events behind the watermark, forwarded to the late topic and not aggregated",
    registers: [this.registry],
  });
  readonly watermark = new Gauge({
    name: "processor_watermark_ms",
    help: "Processor watermark (epoch ms): minimum over assigned non-idle partitions",
    registers: [this.registry],
  });
  readonly partitionWatermark = new Gauge({
    name: "processor_partition_watermark_ms",
    help: "Watermark applied to a source partition (epoch ms)",
    labelNames: ["partition"] as const,
    registers: [this.registry],
  });
  readonly lag = new Gauge({
    name: "processor_consumer_lag",
    help: "Messages between the partition's end and the next offset to process",
    labelNames: ["partition"] as const,
    registers: [this.registry],
  });
  readonly batchSize = new Histogram({
    name: "processor_batch_size",
    help: "Messages per consumed batch",
    buckets: [1, 10, 100, 500, 1000, 2000, 5000, 10000],
    registers: [this.registry],
  });
  readonly sinkLatency = new Histogram({
    name: "processor_sink_latency_seconds",
    help: "Duration of successful Cassandra writes",
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  // End-to-end latency buckets: from a few ms (in-process) to minutes (a processor catching up).
  readonly e2eProcessed = new Histogram({
    name: "processor_e2e_processed_seconds",
    help: "End-to-end latency, produced (record timestamp) to aggregated by the processor, of sampled events",
    buckets: E2E_BUCKETS,
    registers: [this.registry],
  });
  readonly e2eEmitted = new Histogram({
    name: "processor_e2e_emitted_seconds",
    help: "End-to-end latency, produced to the window update carrying the event sent to the live topic, of sampled events",
    buckets: E2E_BUCKETS,
    registers: [this.registry],
  });
  readonly eventsPerSec = new Gauge({
    name: "processor_events_per_second",
    help: "Events processed per second over the last few seconds",
    registers: [this.registry],
  });
  readonly pendingWrites = new Gauge({
    name: "processor_pending_writes",
    help: "Cassandra writes accepted and not yet durable",
    registers: [this.registry],
  });
  readonly writeRetries = new Counter({
    name: "processor_write_retries_total",
    help: "Failed Cassandra write attempts (each is retried)",
    registers: [this.registry],
  });
  readonly checkpoints = new Counter({
    name: "processor_checkpoints_total",
    help: "Partition checkpoints written",
    registers: [this.registry],
  });
  readonly lastCheckpoint = new Gauge({
    name: "processor_last_checkpoint_timestamp_seconds",
    help: "When the last partition checkpoint was written (epoch seconds; 0 before the first): checkpoint age for alerts",
    registers: [this.registry],
  });
  readonly paused = new Gauge({
    name: "processor_backpressure_paused",
    help: "1 while consumption is paused because writes are not keeping up",
    registers: [this.registry],
  });
  readonly windowRows = new Counter({
    name: "processor_window_rows_total",
    help: "Window rows written to Cassandra",
    labelNames: ["kind"] as const,
    registers: [this.registry],
  });

  constructor() {
    // Process CPU, memory, event-loop lag and GC: what an operator checks first when throughput drops.
    collectDefaultMetrics({ register: this.registry, prefix: "processor_" });
  }
}

/**
 * The most recent values of a measure (sink latencies, batch sizes), for the quantiles of /status.
 * Not an HDR histogram or t-digest: those summarise everything since they were made (or reset),
 * while /status reports the last N values exactly; and add() is the hot path (~45 ns against
 * hdr-histogram-js's ~300 ns on this machine), quantile() is read once a status request.
 */
export class RecentSample {
  private readonly values: Float64Array;
  private next = 0;
  private filled = 0;

  constructor(size = 2048) {
    this.values = new Float64Array(size);
  }

  add(ms: number): void {
    this.values[this.next] = ms;
    this.next = (this.next + 1) % this.values.length;
    if (this.filled < this.values.length) this.filled++;
  }

  /** The value added last; null before any. */
  latest(): number | null {
    if (this.filled === 0) return null;
    return this.values[(this.next + this.values.length - 1) % this.values.length]!;
  }

  quantile(q: number): number | null {
    if (this.filled === 0) return null;
    const sorted = this.values.slice(0, this.filled).sort();
    return sorted[Math.min(this.filled - 1, Math.floor(q * this.filled))]!;
  }
}

/** Events per second over a sliding window of one-second samples of a running total. */
export class RateMeter {
  private readonly samples: { at: number; total: number }[] = [];

  constructor(private readonly windowMs = 5_000) {}

  sample(now: number, total: number): number {
    this.samples.push({ at: now, total });
    while (this.samples.length > 2 && now - this.samples[0]!.at > this.windowMs) this.samples.shift();
    const first = this.samples[0]!;
    const span = now - first.at;
    return span > 0 ? ((total - first.total) * 1000) / span : 0;
  }
}
