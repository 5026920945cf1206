import { createCassandraClient } from "../../common/src/cassandra-client.ts";
import { parseCommandLine } from "../../common/src/command-line.ts";
import { loadConfig } from "../../common/src/config.ts";
import { endpoints, explainUnreachable, startWhenReachable } from "../../common/src/first-contact.ts";
import { createLogger } from "../../common/src/logger.ts";
import { Heartbeat } from "./instance-heartbeat.ts";
import { FAILED_FOR_GOOD, supervise } from "./instances.ts";
import { loadProcessorOptions } from "./processor-options.ts";
import { startProcessor } from "./start-processor.ts";

// `bun run processor [--instances N]`: one instance of the consumer-group processor, or N of them as
// child processes (PROCESSOR_INSTANCES); more hosts scale out the same way, one group, one registry.
const { values } = parseCommandLine(
  `usage: bun run processor [--instances N]

The consumer-group processor: reads TOPIC_USERS from KAFKA_BOOTSTRAP (schemas from
SCHEMA_REGISTRY_URL), windows it by event time and writes CASSANDRA_KEYSPACE. --instances N (or
PROCESSOR_INSTANCES) runs N instances as child processes sharing the partitions; more hosts join the
same group. Status and /metrics on PROCESSOR_METRICS_PORT. SIGTERM or Ctrl-C drains, checkpoints and
commits before exiting. Settings: the environment, then .env (.env.example lists every one with its
default).`,
  { options: { instances: { type: "string" } } },
);
const config = loadConfig();
const log = createLogger("processor", config.LOG_LEVEL);
const opts = loadProcessorOptions(
  values.instances === undefined ? process.env : { ...process.env, PROCESSOR_INSTANCES: values.instances },
);
const services = endpoints(config);
// Cassandra is retried by startProcessor itself (a line each attempt, within the same bound).
await startWhenReachable("processor", {
  wait: [services.kafka, services.registry],
  announce: [services.cassandra],
  timeoutMs: opts.PROCESSOR_START_TIMEOUT_MS,
});

if (opts.PROCESSOR_INSTANCES > 1) {
  const entry = { execPath: process.execPath, args: [...process.execArgv, process.argv[1]!] };
  const code = await supervise(
    opts.PROCESSOR_INSTANCES,
    { metricsPort: config.PROCESSOR_METRICS_PORT, instance: opts.PROCESSOR_INSTANCE },
    entry,
    log,
  );
  process.exit(code);
}

try {
  const processor = await startProcessor(config, { log });
  const registry = createCassandraClient(config);
  await registry.connect();
  const heartbeat = new Heartbeat(
    registry,
    config,
    () => processor.status(),
    {
      intervalMs: opts.PROCESSOR_HEARTBEAT_INTERVAL_MS,
      address: `${opts.PROCESSOR_ADVERTISED_HOST}:${processor.port}`,
    },
    log,
  );
  heartbeat.start();
  const leave = async (final: "stopped" | "failed", code: number) => {
    await heartbeat.stop(final);
    await registry.shutdown().catch(() => undefined);
    process.exit(code);
  };
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "stopping: draining, checkpointing, committing");
    processor.stop().then(
      () => leave("stopped", 0),
      (err: Error) => {
        log.error({ err: err.message }, "stop did not complete cleanly");
        return leave("stopped", 1);
      },
    );
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
  processor.failed.then((err) => {
    log.fatal({ err: err.message }, "processor failed");
    return leave("failed", FAILED_FOR_GOOD);
  });
} catch (err) {
  log.fatal({ err: (err as Error).message }, "processor could not start");
  await explainUnreachable([services.kafka, services.registry, services.cassandra]);
  process.exit(1);
}
