import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { Logger } from "../../common/src/logger.ts";
import type { RunCounts } from "./runs-store.ts";

/**
 * The producer's Prometheus metrics (names `producer_*`). Record counts come from the runs (RunTracker),
 * brought up to date at every scrape, so the ingestion hot path pays nothing per record for them.
 */
export class ProducerMetrics {
  readonly registry = new Registry();
  private readonly live = new Set<{ counts(): RunCounts; source: string }>();
  private readonly reported = new WeakMap<object, RunCounts>();

  readonly records = new Counter({
    name: "producer_records_total",
    help: "Records handled by the producer, by source and outcome (sent, rejected = dead-lettered, failed = not acknowledged)",
    labelNames: ["source", "outcome"] as const,
    registers: [this.registry],
    // The counts of the runs going on are brought up to date when Prometheus scrapes.
    collect: () => {
      for (const run of this.live) this.report(run);
    },
  });
  readonly deadLetters = new Counter({
    name: "producer_dead_letters_total",
    help: "Records the producer dead-lettered, by source and stage",
    labelNames: ["source", "stage"] as const,
    registers: [this.registry],
  });
  readonly runs = new Counter({
    name: "producer_runs_total",
    help: "Ingestion runs finished, by source and status",
    labelNames: ["source", "status"] as const,
    registers: [this.registry],
  });
  readonly runDuration = new Histogram({
    name: "producer_run_duration_seconds",
    help: "Duration of finished ingestion runs",
    labelNames: ["source"] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800],
    registers: [this.registry],
  });
  readonly lastRun = new Gauge({
    name: "producer_last_run_timestamp_seconds",
    help: "When the last run of a source finished (epoch seconds)",
    labelNames: ["source", "status"] as const,
    registers: [this.registry],
  });
  readonly runsInProgress = new Gauge({
    name: "producer_runs_in_progress",
    help: "Runs going on now",
    labelNames: ["source"] as const,
    registers: [this.registry],
  });
  readonly schedulePaused = new Gauge({
    name: "producer_schedule_paused",
    help: "1 while the api schedule is paused by an operator",
    registers: [this.registry],
  });
  readonly scheduleNextRun = new Gauge({
    name: "producer_schedule_next_run_timestamp_seconds",
    help: "When the api schedule's next run starts (epoch seconds); 0 while paused",
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: "producer_" });
  }

  started(run: { counts(): RunCounts; source: string }): void {
    this.live.add(run);
    this.runsInProgress.inc({ source: run.source });
  }

  finished(run: { counts(): RunCounts; source: string }, status: string, seconds: number): void {
    this.report(run);
    if (this.live.delete(run)) this.runsInProgress.dec({ source: run.source });
    this.runs.inc({ source: run.source, status });
    this.runDuration.observe({ source: run.source }, seconds);
    this.lastRun.set({ source: run.source, status }, Date.now() / 1000);
  }

  /** Adds what the run counted since it was last reported. */
  private report(run: { counts(): RunCounts; source: string }): void {
    const now = run.counts();
    const before = this.reported.get(run) ?? { fetched: 0, sent: 0, rejected: 0, failed: 0 };
    for (const outcome of ["sent", "rejected", "failed"] as const) {
      const d = now[outcome] - before[outcome];
      if (d > 0) this.records.inc({ source: run.source, outcome }, d);
    }
    this.reported.set(run, { ...now });
  }
}

/** The producer process's metrics: one registry, whatever runs it makes. */
export const producerMetrics = new ProducerMetrics();

/**
 * Serves GET /metrics (and /healthz) for Prometheus. A port already taken (another producer on this host)
 * is logged and the producer goes on without it: metrics must never stop ingestion.
 */
export async function serveMetrics(
  port: number,
  host: string,
  log?: Logger,
  metrics: ProducerMetrics = producerMetrics,
): Promise<{ port: number; close(): Promise<void> } | null> {
  const server: Server = createServer((req, res) => {
    if (req.url === "/metrics") {
      metrics.registry.metrics().then(
        (body) => res.writeHead(200, { "Content-Type": metrics.registry.contentType }).end(body),
        (err: Error) => res.writeHead(500).end(err.message),
      );
    } else if (req.url === "/healthz") {
      res.writeHead(200, { "Content-Type": "application/json" }).end('{"ok":true}');
    } else res.writeHead(404).end("not found");
  });
  const ok = await new Promise<boolean>((resolve) => {
    server.once("error", (err) => {
      log?.warn({ err: err.message, port }, "producer metrics not served: the port is taken");
      resolve(false);
    });
    server.listen(port, host, () => resolve(true));
  });
  if (!ok) return null;
  server.unref();
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
