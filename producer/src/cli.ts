import { access, constants } from "node:fs/promises";
import { basename } from "node:path";
import { parseCommandLine, usageError } from "../../common/src/command-line.ts";
import { loadConfig } from "../../common/src/config.ts";
import { createLogger } from "../../common/src/logger.ts";
import type { UserSchemaVersion } from "../../common/src/user-schema.ts";
import { type ApiRunResult, runApiOnce, runApiSchedule } from "./api-source.ts";
import { FixtureRecorder } from "./fixture-recorder.ts";
import type { IngestStats } from "./ingestor.ts";
import { serveMetrics } from "./metrics.ts";
import { parseSpeed } from "./pacer.ts";
import { openPipeline } from "./pipeline.ts";
import { summaryLine } from "./progress.ts";
import { replayFile } from "./replay.ts";
import { RunTracker } from "./run-tracker.ts";
import { RunsStore } from "./runs-store.ts";
import { produceSynthetic } from "./synthetic.ts";

const USAGE = `usage:
  bun run producer --source api [--once] [--record <file.ndjson>]
  bun run producer --source synthetic [--rate <events/s>] [--count <n>] [--seed <n>]
  bun run producer --source fixture <file.ndjson> [--speed 1x|10x]
  bun run replay <file.ndjson> [--speed 1x|10x]
common: [--schema-version 1|2 | --schema-file <user.avsc>] [--quiet]`;

class UsageError extends Error {}

function positiveInt(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 0)
    throw new UsageError(`--${name} must be a non-negative integer, got ${text}`);
  return n;
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(
    USAGE,
    {
      allowPositionals: true,
      options: {
        source: { type: "string" },
        replay: { type: "boolean", default: false },
        once: { type: "boolean", default: false },
        record: { type: "string" },
        speed: { type: "string" },
        rate: { type: "string" },
        count: { type: "string" },
        seed: { type: "string" },
        "schema-version": { type: "string" },
        "schema-file": { type: "string" },
        quiet: { type: "boolean", default: false },
      },
    },
    argv,
  );
  const source = values.replay ? "fixture" : values.source;
  if (source !== "api" && source !== "synthetic" && source !== "fixture") {
    throw new UsageError(`--source must be api, synthetic or fixture, got ${values.source ?? "nothing"}`);
  }
  const schemaFile = values["schema-file"];
  if (schemaFile !== undefined && values["schema-version"] !== undefined) {
    throw new UsageError("give --schema-version or --schema-file, not both");
  }
  const schemaVersion = Number(values["schema-version"] ?? "1");
  if (schemaVersion !== 1 && schemaVersion !== 2) throw new UsageError("--schema-version must be 1 or 2");
  const pipelineOpts = {
    schemaVersion: schemaVersion as UserSchemaVersion,
    ...(schemaFile === undefined ? {} : { schemaFile }),
  };
  // What a run records of the schema it was started with.
  const schemaParameter = schemaFile === undefined ? { schemaVersion } : { schemaFile: basename(schemaFile) };

  const config = loadConfig();
  const log = createLogger("producer", config.LOG_LEVEL);
  const progress = !values.quiet;
  const stop = new AbortController();
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    process.once(sig, () => {
      log.info({ signal: sig }, "stopping: finishing the records in flight");
      stop.abort();
    });
  }
  const metricsServer =
    config.PRODUCER_METRICS_PORT > 0
      ? await serveMetrics(config.PRODUCER_METRICS_PORT, config.PRODUCER_METRICS_HOST, log)
      : null;
  if (metricsServer) log.debug({ port: metricsServer.port }, "producer metrics at /metrics");
  const finish = (label: string, stats: IngestStats): number => {
    process.stdout.write(`${summaryLine(label, stats)}\n`);
    return stats.failed > 0 ? 1 : 0;
  };

  if (source === "fixture") {
    const [file, ...extra] = positionals;
    if (!file || extra.length > 0) throw new UsageError("give exactly one fixture file");
    let speed: number | undefined;
    try {
      speed = values.speed === undefined ? undefined : parseSpeed(values.speed);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    await access(file, constants.R_OK).catch((err: Error) => {
      throw new Error(`cannot read fixture ${file}: ${err.message}`);
    });
    const run = await RunTracker.start(
      config,
      "fixture",
      {
        file: basename(file),
        mode: values.replay ? "replay" : "paced",
        speed: speed ?? null,
        ...schemaParameter,
      },
      { log },
    );
    let stats: IngestStats;
    try {
      stats = await replayFile(file, config, {
        ...pipelineOpts,
        log,
        progress,
        signal: stop.signal,
        run,
        ...(speed === undefined ? {} : { speed }),
      });
    } catch (err) {
      await run.finish({ fetched: 0, sent: 0, rejected: 0, failed: 0, status: "failed", error: String(err) });
      throw err;
    }
    await run.finishWith(
      stats,
      stop.signal.aborted ? "stopped by a signal before the end of the file" : null,
    );
    return finish(values.replay ? "replay" : "fixture", stats);
  }

  if (source === "synthetic") {
    const count = positiveInt("count", values.count);
    const rate = positiveInt("rate", values.rate);
    const seed = positiveInt("seed", values.seed);
    const run = await RunTracker.start(
      config,
      "synthetic",
      {
        rate: rate ?? config.SYNTHETIC_RATE,
        count: count ?? null,
        seed: seed ?? config.SYNTHETIC_SEED ?? null,
        ...schemaParameter,
      },
      { log },
    );
    let stats: IngestStats;
    try {
      stats = await produceSynthetic(config, {
        ...pipelineOpts,
        log,
        progress,
        signal: stop.signal,
        run,
        ...(count === undefined ? {} : { count }),
        ...(rate === undefined ? {} : { rate }),
        ...(seed === undefined ? {} : { seed }),
      });
    } catch (err) {
      await run.finish({ fetched: 0, sent: 0, rejected: 0, failed: 0, status: "failed", error: String(err) });
      throw err;
    }
    // A stream without a count ends when it is stopped: that is its normal end, not a failure.
    await run.finishWith(stats);
    return finish("synthetic", stats);
  }

  const recorder = values.record ? new FixtureRecorder(values.record) : undefined;
  const startedAt = performance.now();
  const apiSummary = (results: ApiRunResult[]): IngestStats => {
    const elapsedMs = performance.now() - startedAt;
    const sum = (k: "sent" | "rejected" | "failed") => results.reduce((n, r) => n + r[k], 0);
    const [sent, rejected, failed] = [sum("sent"), sum("rejected"), sum("failed")];
    const received = sent + rejected + failed;
    return {
      received,
      sent,
      rejected,
      failed,
      elapsedMs,
      eventsPerSec: ((sent + rejected) * 1000) / elapsedMs,
    };
  };
  try {
    if (values.once) {
      const pipeline = await openPipeline(config, pipelineOpts);
      const runs = await RunsStore.connect(config);
      try {
        const r = await runApiOnce(config, {
          pipeline,
          runs,
          log,
          signal: stop.signal,
          ...(recorder ? { recorder } : {}),
        });
        process.stdout.write(
          `api run ${r.runId}: ${r.status}, fetched ${r.fetched}, sent ${r.sent}, rejected ${r.rejected}, failed ${r.failed}` +
            `${r.error ? `, error: ${r.error}` : ""}${r.recorded ? "" : " (not stored in ingestion_runs)"}\n`,
        );
        finish("api", apiSummary([r]));
        return r.status === "success" ? 0 : 1;
      } finally {
        await pipeline.close();
        await runs.close();
      }
    }
    const results = await runApiSchedule(config, {
      ...pipelineOpts,
      log,
      signal: stop.signal,
      ...(recorder ? { recorder } : {}),
    });
    const failedRuns = results.filter((r) => r.status === "failed").length;
    process.stdout.write(`api: ${results.length} runs, ${failedRuns} failed\n`);
    return finish("api", apiSummary(results));
  } finally {
    await recorder?.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UsageError) usageError(USAGE, err.message);
    process.stderr.write(`producer: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  },
);
