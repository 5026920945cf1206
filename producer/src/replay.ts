import { stat } from "node:fs/promises";
import type { Config } from "../../common/src/config.ts";
import { checkEventTime } from "../../common/src/event-time.ts";
import type { Logger } from "../../common/src/logger.ts";
import { readFixture } from "./fixture-reader.ts";
import type { IngestStats } from "./ingestor.ts";
import { Pacer } from "./pacer.ts";
import { openPipeline, type Pipeline, type PipelineOptions } from "./pipeline.ts";
import { startProgress } from "./progress.ts";
import type { RunTracker } from "./run-tracker.ts";

export interface ReplayOptions extends PipelineOptions {
  /** Keep the recorded event-time spacing, divided by this factor; full speed when absent. */
  speed?: number;
  /** Reuse an open pipeline (tests, benchmarks); otherwise one is opened and closed around the replay. */
  pipeline?: Pipeline;
  log?: Logger;
  progress?: boolean;
  /** Stops reading; what was offered is still drained. */
  signal?: AbortSignal;
  /** The run in ingestion_runs this replay is: its id goes on every message, its rejections and counts to the run. */
  run?: RunTracker;
}

const LOGGED_REJECTIONS = 20;

/**
 * Publishes an NDJSON fixture (contract §2) in file order. Malformed lines are dead-lettered with their line
 * number and reason and counted; they never stop the replay. Resolves when every record is acknowledged or
 * failed, with the counts.
 */
export async function replayFile(
  path: string,
  config: Config,
  opts: ReplayOptions = {},
): Promise<IngestStats> {
  const pipeline = opts.pipeline ?? (await openPipeline(config, opts));
  let logged = 0;
  const ingestor = pipeline.ingestor("fixture", {
    ...(opts.run ? { runId: opts.run.runId } : {}),
    onReject: (r) => {
      opts.run?.reject(r);
      if (logged++ < LOGGED_REJECTIONS)
        opts.log?.warn({ line: r.line, stage: r.stage }, `rejected: ${r.reason}`);
    },
    onFailure: (err) => {
      opts.run?.failure(err);
      opts.log?.error({ err: err.message }, "not acknowledged by Kafka");
    },
  });
  opts.run?.watch(ingestor);
  let position = 0;
  const progress = opts.progress
    ? startProgress({
        label: "replay",
        total: (await stat(path)).size,
        position: () => position,
        stats: () => ingestor.stats(),
      })
    : null;
  const speed = opts.speed;
  const pacer = speed === undefined ? null : new Pacer();
  let firstEventTime: number | null = null;
  try {
    const lines = readFixture(path, (p) => (position = p.bytesRead), {
      maxLineBytes: config.FIXTURE_MAX_LINE_BYTES,
    });
    for await (const line of lines) {
      if (opts.signal?.aborted) break;
      if (!line.ok) {
        const wait = ingestor.offerRejected(line.reason, "parse", line.text, line.line);
        if (wait) await wait;
        continue;
      }
      // An event time out of bounds is refused unsent: pacing by it would hold the replay for years.
      const inBounds = checkEventTime(line.eventTime, Date.now(), config.EVENT_TIME_MAX_FUTURE_SKEW_MS).ok;
      if (pacer && speed !== undefined && inBounds) {
        firstEventTime ??= line.eventTime;
        await pacer.at((line.eventTime - firstEventTime) / speed);
      }
      const wait = ingestor.offerUser(line.user, line.eventTime, { text: line.text, line: line.line });
      if (wait) await wait;
    }
  } finally {
    const stats = await ingestor.drain();
    progress?.stop(stats);
    if (!opts.pipeline) await pipeline.close();
  }
  return ingestor.stats();
}
