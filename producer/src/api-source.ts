import { setTimeout as sleep } from "node:timers/promises";
import type { Config } from "../../common/src/config.ts";
import type { Logger } from "../../common/src/logger.ts";
import type { FixtureRecorder } from "./fixture-recorder.ts";
import { openPipeline, type Pipeline, type PipelineOptions } from "./pipeline.ts";
import { FetchUsersError, type FetchUsersOptions, fetchUsers } from "./randomuser-client.ts";
import { type RunOutcome, RunsStore } from "./runs-store.ts";

export interface ApiRunResult extends RunOutcome {
  runId: string;
  startedAt: Date;
  endedAt: Date;
  /** Whether ingestion_runs has the run: a Cassandra outage loses the record of a run, never its users. */
  recorded: boolean;
  /** The API asked (Retry-After) not to be called before this; the schedule's next run waits for it. */
  retryAt: Date | null;
}

export interface ApiRunOptions {
  pipeline: Pipeline;
  runs: RunsStore;
  recorder?: FixtureRecorder;
  log?: Logger;
  signal?: AbortSignal;
  /** Overrides of the HTTP client (timeouts, attempts, backoff); url and results come from the config. */
  fetch?: Partial<Omit<FetchUsersOptions, "signal">>;
}

/**
 * One ingestion run: fetch a page (with retries), record it, send every good user and dead-letter the bad
 * ones. The run is stored in ingestion_runs from its start; a page that cannot be fetched makes it "failed"
 * with the error, as does any record Kafka did not acknowledge.
 */
export async function runApiOnce(config: Config, opts: ApiRunOptions): Promise<ApiRunResult> {
  const run = RunsStore.newRun("api");
  const store = async (what: string, write: () => Promise<void>): Promise<boolean> => {
    try {
      await write();
      return true;
    } catch (err) {
      opts.log?.warn(
        { run: String(run.runId), err: (err as Error).message },
        `cannot store the run's ${what}`,
      );
      return false;
    }
  };
  await store("start", () => opts.runs.start(run));
  const ingestor = opts.pipeline.ingestor("api", {
    onReject: (r) => opts.log?.warn({ stage: r.stage }, `rejected: ${r.reason}`),
    onFailure: (err) => opts.log?.error({ err: err.message }, "not acknowledged by Kafka"),
  });
  let fetched = 0;
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
  const recorded = await store("outcome", () => opts.runs.finish(run, outcome, endedAt));
  opts.log?.info({ run: String(run.runId), ...outcome, recorded }, "api run finished");
  return { ...outcome, runId: String(run.runId), startedAt: run.startedAt, endedAt, recorded, retryAt };
}

export interface ApiScheduleOptions extends Omit<ApiRunOptions, "pipeline" | "runs">, PipelineOptions {
  signal: AbortSignal;
  pipeline?: Pipeline;
  runs?: RunsStore;
  onRun?: (r: ApiRunResult) => void;
}

/**
 * Runs every PRODUCER_INTERVAL_MS (start to start) until the signal aborts; a failed run does not stop it.
 * When the API asked for a pause (Retry-After), the next run waits until then, however short the interval.
 */
export async function runApiSchedule(config: Config, opts: ApiScheduleOptions): Promise<ApiRunResult[]> {
  const pipeline = opts.pipeline ?? (await openPipeline(config, opts));
  const runs = opts.runs ?? (await RunsStore.connect(config));
  const results: ApiRunResult[] = [];
  try {
    while (!opts.signal.aborted) {
      const started = Date.now();
      const result = await runApiOnce(config, { ...opts, pipeline, runs });
      results.push(result);
      opts.onRun?.(result);
      const next = Math.max(started + config.PRODUCER_INTERVAL_MS, result.retryAt?.getTime() ?? 0);
      if (result.retryAt && result.retryAt.getTime() > started + config.PRODUCER_INTERVAL_MS) {
        opts.log?.warn(
          { until: result.retryAt.toISOString() },
          "next api run delayed: the API asked for a pause",
        );
      }
      const wait = next - Date.now();
      if (wait > 0) await sleep(wait, undefined, { signal: opts.signal }).catch(() => undefined);
    }
  } finally {
    if (!opts.pipeline) await pipeline.close();
    if (!opts.runs) await runs.close();
  }
  return results;
}
