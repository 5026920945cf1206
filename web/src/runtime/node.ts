import { parseCommandLine } from "../../../common/src/command-line.ts";
import { endpoints, startWhenReachable } from "../../../common/src/first-contact.ts";
import { createLogger } from "../../../common/src/logger.ts";
import { loadWebConfig } from "../web-config.ts";
import { startWebServer } from "./node-server.ts";
import { stopOnSignals } from "./shutdown.ts";

// `bun run web` → node --import tsx web/src/runtime/node.ts (Node: the Kafka client is librdkafka).
parseCommandLine(
  `usage: bun run web

The dashboard, the JSON API (described at /api/openapi.json), SSE and WebSocket feeds and /metrics
on WEB_HOST:WEB_PORT (default 127.0.0.1:3000), reading CASSANDRA_KEYSPACE and TOPIC_AGGREGATES.
\`bun web/src/runtime/bun.ts\` serves the same under Bun, without Kafka. Settings: the environment,
then .env (.env.example lists every one with its default).`,
  {},
);
const cfg = loadWebConfig();
const log = createLogger("web", cfg.LOG_LEVEL);
// The topic browser decodes through the registry; everything else works without it.
const services = endpoints(cfg);
await startWhenReachable("web", {
  wait: [services.cassandra, services.kafka],
  announce: [services.registry],
  timeoutMs: cfg.WEB_START_TIMEOUT_MS,
});
const web = await startWebServer(cfg, log);
console.log(`dashboard: ${web.url}/`);

stopOnSignals(log, () => web.close());
