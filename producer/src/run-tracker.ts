import type { Config } from "../../common/src/config.ts";
import type { Logger } from "../../common/src/logger.ts";
import type { IngestCounts, Ingestor, Rejection } from "./ingestor.ts";
import { producerMetrics } from "./metrics.ts";
import { type RunCounts, type RunHandle, type RunOutcome, RunsStore } from "./runs-store.ts";

/** Problems a run keeps for its page: enough to see what went wrong, bounded whatever the input. */
const MAX_RUN_ERRORS = 20;
const MAX_ERROR_CHARS = 500;
const PROGRESS_MS = 2_000;

export interface RunTrackerOptions {
  /** An open store; without one the tracker connects its own (and closes it at the end). */
  runs?: RunsStore;
  log?: Logger;
  /** How often the counts of a run that goes on are stored. */
  progressMs?: number;
  /** The counts to store while it runs (fetched is the api source's page size; others count what they offered). */
  counts?: () => IngestCounts & { fetched?: number };
}

/**
 * One run of a source in ingestion_runs, from its start ("running", with its parameters) through its
 * counts while it goes on to its outcome. Cassandra being down loses the record, never the run: a write that
 * fails is logged and the run goes on.
 */
export class RunTracker {
  readonly handle: RunHandle;
  private readonly errors: string[] = [];
  private dropped = 0;
  private timer: NodeJS.Timeout | null = null;
  private ingestor: Ingestor | null = null;
  private final: Omit<RunOutcome, "errors"> | null = null;

  private constructor(
    private readonly store: RunsStore | null,
    private readonly ownsStore: boolean,
    source: string,
    private readonly opts: RunTrackerOptions,
  ) {
    this.handle = RunsStore.newRun(source);
    this.metricsView = { source, counts: () => this.currentCounts() };
  }

  static async start(
    config: Config,
    source: string,
    parameters: Record<string, unknown>,
    opts: RunTrackerOptions = {},
  ): Promise<RunTracker> {
    let store = opts.runs ?? null;
    if (!store) {
      store = await RunsStore.connect(config).catch((err: Error) => {
        opts.log?.warn(
          { err: err.message },
          "cannot reach Cassandra: this run is not recorded in ingestion_runs",
        );
        return null;
      });
    }
    const tracker = new RunTracker(store, !opts.runs && store !== null, source, opts);
    await tracker.write("start", (s) => s.start(tracker.handle, parameters));
    producerMetrics.started(tracker.metricsView);
    return tracker;
  }

  get runId(): string {
    return String(this.handle.runId);
  }

  /** Stores the ingestor's counts every few seconds until the run finishes. */
  watch(ingestor: Ingestor): void {
    this.ingestor = ingestor;
    this.timer = setInterval(() => {
      void this.write("progress", (s) => s.progress(this.handle, this.currentCounts()));
    }, this.opts.progressMs ?? PROGRESS_MS);
    this.timer.unref();
  }

  /** What the process's metrics read of this run. */
  readonly metricsView: { source: string; counts: () => RunCounts };

  readonly reject = (r: Rejection): void => {
    producerMetrics.deadLetters.inc({ source: this.handle.source, stage: r.stage });
    this.note(`${r.line === undefined ? "" : `line ${r.line} · `}${r.stage}: ${r.reason}`);
  };

  readonly failure = (err: Error): void => {
    this.note(`not acknowledged by Kafka: ${err.message}`);
  };

  note(text: string): void {
    if (this.errors.length >= MAX_RUN_ERRORS) {
      this.dropped++;
      return;
    }
    this.errors.push(text.length > MAX_ERROR_CHARS ? `${text.slice(0, MAX_ERROR_CHARS)}…` : text);
  }

  /** Stores the outcome; true when ingestion_runs has it. */
  async finish(outcome: Omit<RunOutcome, "errors">, endedAt = new Date()): Promise<boolean> {
    if (this.timer) clearInterval(this.timer);
    const errors = this.dropped ? [...this.errors, `… and ${this.dropped} more`] : [...this.errors];
    this.final = outcome;
    producerMetrics.finished(
      this.metricsView,
      outcome.status,
      (endedAt.getTime() - this.handle.startedAt.getTime()) / 1000,
    );
    const ok = await this.write("outcome", (s) => s.finish(this.handle, { ...outcome, errors }, endedAt));
    if (this.ownsStore) await this.store?.close().catch(() => undefined);
    return ok;
  }

  /** finish() from the ingestor's final counts: failed when Kafka did not acknowledge everything. */
  finishWith(counts: IngestCounts, error: string | null = null, fetched = counts.received): Promise<boolean> {
    const problem =
      error ?? (counts.failed > 0 ? `${counts.failed} records not acknowledged by Kafka` : null);
    return this.finish({
      fetched,
      sent: counts.sent,
      rejected: counts.rejected,
      failed: counts.failed,
      status: problem === null ? "success" : "failed",
      error: problem,
    });
  }

  private currentCounts() {
    if (this.final) return this.final;
    const c = this.opts.counts?.() ?? this.ingestor?.stats();
    return {
      fetched: c ? ("fetched" in c && c.fetched !== undefined ? c.fetched : c.received) : 0,
      sent: c?.sent ?? 0,
      rejected: c?.rejected ?? 0,
      failed: c?.failed ?? 0,
    };
  }

  private async write(what: string, op: (s: RunsStore) => Promise<void>): Promise<boolean> {
    if (!this.store) return false;
    try {
      await op(this.store);
      return true;
    } catch (err) {
      this.opts.log?.warn({ run: this.runId, err: (err as Error).message }, `cannot store the run's ${what}`);
      return false;
    }
  }
}
