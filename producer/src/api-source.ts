import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import type { Config } from "../../common/src/config.ts";
import { API_SCHEDULE, SCHEDULE_POLL_MS } from "../../common/src/ingestion-schedule.ts";
import type { Logger } from "../../common/src/logger.ts";
import type { FixtureRecorder } from "./fixture-recorder.ts";
import { producerMetrics } from "./metrics.ts";
import { openPipeline, type Pipeline, type PipelineOptions } from "./pipeline.ts";
import { FetchUsersError, type FetchUsersOptions, fetchUsers } from "./randomuser-client.ts";
import { RunTracker } from "./run-tracker.ts";
import { type RunOutcome, RunsStore } from "./runs-store.ts";
import { ScheduleStore } from "./schedule-store.ts";

export interface ApiRunResult extends RunOutcome {
  runId: string;
  startedAt: Date;
  endedAt: Date;
  /** Whether ingestion_runs has the run: a Cassandra outage loses the record of a run, never its users. */
  recorded: boolean;
  /** The API asked (Retry-After) not to be called before this; the schedule's next run waits for it. */
  retryAt: Date | null;
}

type ApiTrigger = "schedule" | "manual" | "once";

export interface ApiRunOptions {
  pipeline: Pipeline;
  runs: RunsStore;
  recorder?: FixtureRecorder;
  log?: Logger;
  signal?: AbortSignal;
  /** Overrides of the HTTP client (timeouts, attempts, backoff); url and results come from the config. */
  fetch?: Partial<Omit<FetchUsersOptions, "signal">>;
  /** What started the run, stored with its parameters. */
  trigger?: ApiTrigger;
  /** Called once the run is stored as running (the schedule reports it). */
  onStart?: (runId: string) => void;
}

/**
 * One ingestion run: fetch a page (with retries), record it, send every good user and dead-letter the bad
 * ones. The run is stored in ingestion_runs from its start; a page that cannot be fetched makes it "failed"
 * with the error, as does any record Kafka did not acknowledge.
 */
export async function runApiOnce(config: Config, opts: ApiRunOptions): Promise<ApiRunResult> {
  let fetched = 0;
  const tracker = await RunTracker.start(
    config,
    "api",
    {
      trigger: opts.trigger ?? "once",
      url: redactUrl(config.RANDOMUSER_URL),
      results: config.RANDOMUSER_RESULTS,
      schemaVersion: opts.pipeline.schema.version,
      recording: opts.recorder !== undefined,
    },
    {
      runs: opts.runs,
      ...(opts.log ? { log: opts.log } : {}),
      counts: () => ({ ...ingestor.stats(), fetched }),
    },
  );
  opts.onStart?.(tracker.runId);
  const ingestor = opts.pipeline.ingestor("api", {
    runId: tracker.runId,
    onReject: (r) => {
      tracker.reject(r);
      opts.log?.warn({ stage: r.stage }, `rejected: ${r.reason}`);
    },
    onFailure: (err) => {
      tracker.failure(err);
      opts.log?.error({ err: err.message }, "not acknowledged by Kafka");
    },
  });
  tracker.watch(ingestor);
  let error: string | null = null;
  let retryAt: Date | null = null;
  try {
    const page = await fetchUsers({
      url: config.RANDOMUSER_URL,
      results: config.RANDOMUSER_RESULTS,
      maxRetryAfterMs: config.RANDOMUSER_MAX_RETRY_AFTER_MS,
      onRetry: (r) => opts.log?.warn(r, "randomuser fetch failed, retrying"),
      ...opts.fetch,
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    fetched = page.users.length;
    for (const user of page.users) {
      await opts.recorder?.write(page.receivedAt, user);
      await ingestor.offerUser(user, page.receivedAt);
    }
  } catch (err) {
    error = err instanceof Error ? err.message : String(err);
    if (err instanceof FetchUsersError && err.retryAt !== null) retryAt = new Date(err.retryAt);
  }
  const stats = await ingestor.drain();
  if (error === null && stats.failed > 0) {
    error = `${stats.failed} records not acknowledged by Kafka: ${ingestor.firstError?.message ?? "unknown"}`;
  }
  const outcome: RunOutcome = {
    fetched,
    sent: stats.sent,
    rejected: stats.rejected,
    failed: stats.failed,
    status: error === null ? "success" : "failed",
    error,
  };
  const endedAt = new Date();
  // The outcome write stores the whole row, so it alone decides whether the run is recorded.
  const recorded = await tracker.finish(outcome, endedAt);
  opts.log?.info({ run: tracker.runId, ...outcome, recorded }, "api run finished");
  return {
    ...outcome,
    runId: tracker.runId,
    startedAt: tracker.handle.startedAt,
    endedAt,
    recorded,
    retryAt,
  };
}

/** The API's address without credentials or query (a key in the URL must not reach the runs table). */
function redactUrl(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}${u.pathname}`;
}

export interface ApiScheduleOptions extends Omit<ApiRunOptions, "pipeline" | "runs">, PipelineOptions {
  signal: AbortSignal;
  pipeline?: Pipeline;
  runs?: RunsStore;
  onRun?: (r: ApiRunResult) => void;
  /** The scheduler's name in the control row (host and pid by default). */
  scheduler?: string;
}

/**
 * Runs every PRODUCER_INTERVAL_MS (start to start) until the signal aborts; a failed run does not stop it.
 * When the API asked for a pause (Retry-After), the next run waits until then, however short the interval.
 * Every second it reads the schedule's control row (ingestion_schedule): paused, no scheduled run starts; an
 * operator's trigger starts one at once, paused or not (pausing stops the timer, not the operator). It
 * reports its heartbeat and next run time there; without Cassandra it keeps its interval.
 */
export async function runApiSchedule(config: Config, opts: ApiScheduleOptions): Promise<ApiRunResult[]> {
  const pipeline = opts.pipeline ?? (await openPipeline(config, opts));
  const runs = opts.runs ?? (await RunsStore.connect(config));
  const { client, keyspace } = runs.session;
  const control = new ScheduleStore(client, keyspace, API_SCHEDULE);
  const scheduler = opts.scheduler ?? `${hostname()}:${process.pid}`;
  const results: ApiRunResult[] = [];
  let lastRunId: string | null = null;
  let next = Date.now();
  let warnedControl = false;
  // The newest manual trigger already taken (by this or an earlier scheduler); read from the row at start.
  let lastHandled: number | null = null;
  const report = (nextRunAt: number | null, runningRunId: string | null) => {
    producerMetrics.scheduleNextRun.set(nextRunAt === null ? 0 : nextRunAt / 1000);
    return control
      .report({
        source: "api",
        intervalMs: config.PRODUCER_INTERVAL_MS,
        nextRunAt: nextRunAt === null ? null : new Date(nextRunAt),
        scheduler,
        runningRunId,
        lastRunId,
      })
      .catch((err: Error) =>
        opts.log?.warn({ err: err.message }, "cannot report to the schedule's control row"),
      );
  };
  try {
    while (!opts.signal.aborted) {
      const state = await control.control().then(
        (c) => {
          warnedControl = false;
          return c;
        },
        (err: Error) => {
          if (!warnedControl) opts.log?.warn({ err: err.message }, "cannot read the schedule's control row");
          warnedControl = true;
          return null;
        },
      );
      producerMetrics.schedulePaused.set(state?.paused ? 1 : 0);
      if (state && lastHandled === null) lastHandled = state.triggerHandledAt ?? 0;
      const manual = state?.triggerRequestedAt ?? null;
      const manualPending = manual !== null && manual > (lastHandled ?? 0);
      const due = !state?.paused && Date.now() >= next;
      if (!manualPending && !due) {
        await report(state?.paused ? null : next, null);
        const wait = state?.paused ? SCHEDULE_POLL_MS : Math.min(SCHEDULE_POLL_MS, next - Date.now());
        await sleep(wait, undefined, { signal: opts.signal }).catch(() => undefined);
        continue;
      }
      if (manualPending && manual !== null) {
        lastHandled = manual;
        await control.handled(manual).catch(() => undefined);
      }
      const started = Date.now();
      const result = await runApiOnce(config, {
        ...opts,
        pipeline,
        runs,
        trigger: manualPending ? "manual" : "schedule",
        onStart: (id) => void report(null, id),
      });
      lastRunId = result.runId;
      results.push(result);
      opts.onRun?.(result);
      // A manual run does not move the schedule, unless the API asked for a pause.
      if (!manualPending) next = started + config.PRODUCER_INTERVAL_MS;
      if (result.retryAt && result.retryAt.getTime() > next) {
        opts.log?.warn(
          { until: result.retryAt.toISOString() },
          "next api run delayed: the API asked for a pause",
        );
        next = result.retryAt.getTime();
      }
    }
  } finally {
    await control.stopped(lastRunId).catch(() => undefined);
    if (!opts.pipeline) await pipeline.close();
    if (!opts.runs) await runs.close();
  }
  return results;
}
