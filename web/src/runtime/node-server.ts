import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import type { Logger } from "../../../common/src/logger.ts";
import { RunsStore } from "../../../producer/src/runs-store.ts";
import { KafkaJsAdmin } from "../adapters/kafka-admin.ts";
import { KafkaLiveSource } from "../adapters/kafka-live-source.ts";
import { KafkaTopicReader } from "../adapters/kafka-topic-reader.ts";
import { ProducerRedriver } from "../adapters/producer-redriver.ts";
import { attachWsGateway } from "../adapters/ws-gateway.ts";
import type { LiveHub } from "../live-hub.ts";
import { buildWebApp, connectCassandra, feedLive } from "../web-app.ts";
import type { WebConfig } from "../web-config.ts";

export interface RunningWeb {
  url: string;
  port: number;
  hub: LiveHub;
  close(): Promise<void>;
}

/** The full web tier on Node: the shared wiring plus Kafka (offsets, live feed) and the ws gateway. */
export async function startWebServer(cfg: WebConfig, log: Logger): Promise<RunningWeb> {
  const cassandra = await connectCassandra(cfg, log);
  const admin = new KafkaJsAdmin(cfg.KAFKA_BOOTSTRAP);
  const topics = new KafkaTopicReader(cfg.KAFKA_BOOTSTRAP);
  const redriver = new ProducerRedriver(cfg, topics, RunsStore.using(cassandra, cfg.CASSANDRA_KEYSPACE), log);
  const web = buildWebApp(cfg, log, { cassandra, admin, topics, redriver });
  const live = feedLive(
    web,
    () =>
      new KafkaLiveSource({
        bootstrap: cfg.KAFKA_BOOTSTRAP,
        topic: cfg.TOPIC_AGGREGATES,
        lookbackMs: cfg.WEB_LIVE_LOOKBACK_MS,
        onInvalid: (reason, partition, offset) => {
          web.metrics.liveInvalid.inc();
          log.warn({ reason, partition, offset }, "skipped an invalid aggregates message");
        },
        onError: (err) => log.warn({ err: err.message }, "aggregates consumer error"),
      }),
    log,
  );

  const { server, port } = await new Promise<{ server: Server; port: number }>((resolve) => {
    const s = serve(
      { fetch: web.app.fetch, port: cfg.WEB_PORT, hostname: cfg.WEB_HOST },
      (info: AddressInfo) => resolve({ server: s as Server, port: info.port }),
    );
  });
  const wss = attachWsGateway(server, web.hub, web.metrics, web.guard, {
    path: "/ws",
    maxBuffered: 1 << 20,
    pingMs: 30_000,
  });
  const url = `http://${cfg.WEB_HOST}:${port}`;
  log.info({ url, keyspace: cfg.CASSANDRA_KEYSPACE, topic: cfg.TOPIC_AGGREGATES }, "web tier listening");

  return {
    url,
    port,
    hub: web.hub,
    async close() {
      await live.stop();
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await admin.close();
      await redriver.close();
      await topics.close();
      await cassandra.shutdown();
    },
  };
}
