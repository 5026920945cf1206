import { randomUUID } from "node:crypto";
import { parseCommandLine, usageError } from "../../../common/src/command-line.ts";
import { loadConfig } from "../../../common/src/config.ts";
import { endpoints, explainUnreachable, startWhenReachable } from "../../../common/src/first-contact.ts";
import { createLogger } from "../../../common/src/logger.ts";
import { CassandraStore } from "../adapters/cassandra-store.ts";
import { PartitionReader } from "../adapters/partition-reader.ts";
import { RebuildStore } from "../adapters/rebuild-store.ts";
import { registrySource } from "../adapters/schema-registry.ts";
import { loadProcessorOptions } from "../processor-options.ts";
import { startRebuildProgress } from "./progress-view.ts";
import { loadRebuildOptions } from "./rebuild-options.ts";
import { parseFrom, parseInstant, Refusal } from "./rebuild-plan.ts";
import { Rebuilder } from "./rebuilder.ts";

// `bun run rebuild --from <time|offset> [--to <time>]` (docs/rebuild.md).
const USAGE = `usage: bun run rebuild --from <time|offset> [--to <time>]

Recomputes the final window aggregates of a range from what TOPIC_USERS still holds in Kafka, exactly
as the processor computed them (lateness per partition included), while the live processor goes on,
and replaces the stored rows of the range in CASSANDRA_KEYSPACE (rows the recomputation does not have
are removed). The API serves the rebuilt rows.

  --from <time>      the first window: ISO 8601 with a zone (2026-12-01T20:00:00Z) or epoch ms
  --from offset:N    the first window holding the record at offset N of any partition
  --from P:N[,P:N]   ... of partition P at offset N
  --to <time>        the end (exclusive) of the window starts; default: as far as the live
                     processor has finished every partition (a later --to is refused)

Killed, it resumes: run the same command again. Refused, changing nothing, when the range is older
than what the topic still holds (TOPIC_RETENTION_USERS_MS) or still open in the live run. Progress:
a bar per partition on a terminal, a line every 2 s otherwise. Exit 0 done, 1 failed, 3 refused.
Settings: the environment, then .env (REBUILD_* in .env.example).`;

const { values } = parseCommandLine(USAGE, {
  options: { from: { type: "string" }, to: { type: "string" } },
});
if (values.from === undefined) usageError(USAGE, "--from is required");
const from = parseFrom(values.from);
if (from === null) usageError(USAGE, `--from ${values.from}: not a time, offset:N or P:N[,P:N]`);
const to = values.to === undefined ? null : parseInstant(values.to);
if (values.to !== undefined && to === null) usageError(USAGE, `--to ${values.to}: not a time`);

const REFUSED = 3;
const config = loadConfig();
const log = createLogger("rebuild", config.LOG_LEVEL);
const processorOptions = loadProcessorOptions();
const options = loadRebuildOptions();
const services = endpoints(config);
await startWhenReachable("rebuild", {
  wait: [services.kafka, services.registry, services.cassandra],
  announce: [],
  timeoutMs: processorOptions.PROCESSOR_START_TIMEOUT_MS,
});

let store: CassandraStore | null = null;
const reader = new PartitionReader(config, `rebuild-${randomUUID().slice(0, 8)}`);
let code = 0;
try {
  store = await CassandraStore.open(config, processorOptions.PROCESSOR_WRITE_TIMEOUT_MS);
  await reader.connect();
  const view = startRebuildProgress();
  const rebuilder = new Rebuilder({
    config,
    processorOptions,
    options,
    log,
    store,
    rebuilds: new RebuildStore(store.client, config.CASSANDRA_KEYSPACE),
    reader,
    schemas: registrySource(config),
    onProgress: (p) => view.update(p),
  });
  const started = Date.now();
  const { job, resumed } = await rebuilder.prepare({ from, fromText: values.from, to });
  process.stderr.write(
    `${resumed ? "resuming" : "starting"} rebuild ${job.jobId}: windows from ${new Date(job.from).toISOString()} to ${new Date(job.to).toISOString()} of ${config.TOPIC_USERS}, ${job.stopOffsets.size} partitions\n`,
  );
  const rows = await rebuilder.run(job);
  view.stop();
  const o = rebuilder.outcomes;
  process.stdout.write(
    `rebuild ${job.jobId} done: ${rows} window rows written for [${new Date(job.from).toISOString()}, ${new Date(job.to).toISOString()}); ${o.read} records read (${o.aggregated} aggregated, ${o.late} late, ${o.deadLettered} dead letters, ${o.refused} refused) in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  );
} catch (err) {
  if (err instanceof Refusal) {
    process.stderr.write(`rebuild refused: ${err.message}\n`);
    code = REFUSED;
  } else {
    log.fatal({ err: (err as Error).message }, "rebuild failed");
    await explainUnreachable([services.kafka, services.registry, services.cassandra]);
    code = 1;
  }
} finally {
  await reader.close();
  await store?.close().catch(() => undefined);
}
process.exit(code);
