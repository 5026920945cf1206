import { parseCommandLine } from "../../../common/src/command-line.ts";
import { endpoints, startWhenReachable } from "../../../common/src/first-contact.ts";
import { createLogger } from "../../../common/src/logger.ts";
import { type KafkaAdmin, KafkaUnavailableError, type Redriver, type TopicReader } from "../ports.ts";
import { buildWebApp, connectCassandra } from "../web-app.ts";
import { loadWebConfig } from "../web-config.ts";
import { serveWithBun } from "./bun-serve.ts";
import { stopOnSignals } from "./shutdown.ts";

// `bun web/src/runtime/bun.ts`: the dashboard and API under Bun, without Kafka. librdkafka's binding does
// not load under Bun, so there is no live feed (the Overview stays empty, /ws is not served) and the
// Pipeline page shows the processor and checkpoints but no topic offsets. `bun run web` (Node) has all.
const KAFKA_ON_NODE_ONLY =
  "not read under Bun (the Kafka client, librdkafka, needs Node): `bun run web` shows offsets and lag";

const noKafka: KafkaAdmin = {
  async topicOffsets() {
    throw new Error(KAFKA_ON_NODE_ONLY);
  },
  async committedOffsets() {
    throw new Error(KAFKA_ON_NODE_ONLY);
  },
};
const unavailable = async (): Promise<never> => {
  throw new KafkaUnavailableError(KAFKA_ON_NODE_ONLY);
};
const noTopics: TopicReader = { read: unavailable, message: unavailable, between: unavailable };
const noRedrive: Redriver = { redrive: unavailable };

parseCommandLine(
  `usage: bun web/src/runtime/bun.ts

The dashboard and JSON API under Bun (Bun.serve) on WEB_HOST:WEB_PORT, without Kafka: no live feed,
no topic offsets (\`bun run web\` has both). Settings: the environment, then .env.`,
  {},
);
const cfg = loadWebConfig();
const log = createLogger("web", cfg.LOG_LEVEL);
await startWhenReachable("web (Bun)", {
  wait: [endpoints(cfg).cassandra],
  timeoutMs: cfg.WEB_START_TIMEOUT_MS,
});
const cassandra = await connectCassandra(cfg, log);
const web = buildWebApp(cfg, log, {
  cassandra,
  admin: noKafka,
  topics: noTopics,
  redriver: noRedrive,
});
const server = serveWithBun(web.app, cfg.WEB_PORT, cfg.WEB_HOST);
const url = `http://${cfg.WEB_HOST}:${server.port}`;
log.info({ url, keyspace: cfg.CASSANDRA_KEYSPACE, runtime: "bun" }, "web tier listening, without Kafka");
console.log(`dashboard: ${url}/`);

stopOnSignals(log, async () => {
  server.stop(true);
  await cassandra.shutdown();
});
