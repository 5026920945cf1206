import type { Config } from "../../common/src/config.ts";
import type { Logger } from "../../common/src/logger.ts";
import type { IngestStats } from "./ingestor.ts";
import { Pacer } from "./pacer.ts";
import { openPipeline, type Pipeline, type PipelineOptions } from "./pipeline.ts";
import { startProgress } from "./progress.ts";
import { createRng, createUnseededRng } from "./rng.ts";
import type { RunTracker } from "./run-tracker.ts";
import { syntheticUser } from "./synthetic-users.ts";

export interface SyntheticOptions extends PipelineOptions {
  /** Events per second; 0 = as fast as Kafka takes them. Default SYNTHETIC_RATE. */
  rate?: number;
  /** Stop after this many events; runs until `signal` aborts when absent. */
  count?: number;
  /**
   * Makes the run reproducible, event ids included. Default SYNTHETIC_SEED; without either, every run has
   * event ids of its own, so restarting the source never sends an id again.
   */
  seed?: number;
  signal?: AbortSignal;
  pipeline?: Pipeline;
  log?: Logger;
  progress?: boolean;
  /** The run in ingestion_runs this stream is: its id goes on every message, its counts to the run. */
  run?: RunTracker;
}

/**
 * Streams API-shaped users at a target rate; each event's time is when it was generated.
 * Resolves when `count` is reached or `signal` aborts, once every record is acknowledged or failed.
 */
export async function produceSynthetic(config: Config, opts: SyntheticOptions = {}): Promise<IngestStats> {
  const rate = opts.rate ?? config.SYNTHETIC_RATE;
  const pipeline = opts.pipeline ?? (await openPipeline(config, opts));
  const ingestor = pipeline.ingestor("synthetic", {
    ...(opts.run ? { runId: opts.run.runId } : {}),
    ...(opts.run ? { onReject: opts.run.reject } : {}),
    onFailure: (err) => {
      opts.run?.failure(err);
      opts.log?.error({ err: err.message }, "not acknowledged by Kafka");
    },
  });
  opts.run?.watch(ingestor);
  const seed = opts.seed ?? config.SYNTHETIC_SEED;
  const rng = seed === undefined ? createUnseededRng() : createRng(seed);
  const pacer = new Pacer();
  let i = 0;
  const progress = opts.progress
    ? startProgress({
        label: "synthetic",
        total: opts.count ?? null,
        position: () => i,
        stats: () => ingestor.stats(),
      })
    : null;
  try {
    while ((opts.count === undefined || i < opts.count) && !opts.signal?.aborted) {
      if (rate > 0) await pacer.at((i * 1000) / rate);
      const now = Date.now();
      const wait = ingestor.offerUser(syntheticUser(rng, now), now);
      if (wait) await wait;
      i++;
    }
  } finally {
    const stats = await ingestor.drain();
    progress?.stop(stats);
    if (!opts.pipeline) await pipeline.close();
  }
  return ingestor.stats();
}
