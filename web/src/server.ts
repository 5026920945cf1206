import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { Client } from "cassandra-driver";
import { migrate } from "../../common/src/cassandra-schema.ts";
import type { Logger } from "../../common/src/logger.ts";
import { CassandraStore } from "./adapters/cassandra-store.ts";
import { loadStaticAssets } from "./adapters/fs-assets.ts";
import { KafkaJsAdmin } from "./adapters/kafka-admin.ts";
import { KafkaLiveSource } from "./adapters/kafka-live-source.ts";
import { HttpProcessorStatus } from "./adapters/processor-status-http.ts";
import { attachWsGateway } from "./adapters/ws-gateway.ts";
import { createApp } from "./app.tsx";
import { DEFAULT_LIMITS } from "./app-deps.ts";

import { LiveHub } from "./live-hub.ts";
import { createWebMetrics } from "./metrics.ts";
import { PipelineMonitor } from "./pipeline-monitor.ts";
import type { WebConfig } from "./web-config.ts";
import { WindowHistory } from "./window-history.ts";

export interface RunningWeb {
  url: string;
  port: number;
  hub: LiveHub;
  close(): Promise<void>;
}

async function connectCassandra(cfg: WebConfig, log: Logger): Promise<Client> {
  for (let attempt = 1; ; attempt++) {
    const client = new Client({
      contactPoints: [cfg.CASSANDRA_CONTACT_POINT],
      localDataCenter: cfg.CASSANDRA_DC,
    });
    try {
      await client.connect();
      return client;
    } catch (err) {
      await client.shutdown().catch(() => undefined);
      if (attempt >= 30) throw err;
      log.warn({ err: (err as Error).message, attempt }, "Cassandra not reachable yet; retrying");
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
}

/** Wires the Node adapters (Cassandra, Kafka, ws) to the web-standard app and listens. */
export async function startWebServer(cfg: WebConfig, log: Logger): Promise<RunningWeb> {
  const cassandra = await connectCassandra(cfg, log);
  await migrate(cassandra, cfg.CASSANDRA_KEYSPACE);
  const store = new CassandraStore(cassandra, cfg.CASSANDRA_KEYSPACE);
  const metrics = createWebMetrics();
  const hub = new LiveHub({
    ringSize: cfg.WEB_LIVE_RING,
    clientQueueSize: cfg.WEB_LIVE_CLIENT_QUEUE,
    retentionMs: cfg.WEB_LIVE_LOOKBACK_MS,
  });
  const admin = new KafkaJsAdmin(cfg.KAFKA_BOOTSTRAP);
  // PROCESSOR_STATUS_URL is the processor's base URL (docker-compose points it at another host).
  const statusUrl = new URL("/status", cfg.PROCESSOR_STATUS_URL).toString();
  const pipeline = new PipelineMonitor({
    admin,
    processor: new HttpProcessorStatus(statusUrl, 1500, (reason) => log.warn(reason)),
    checkpoints: store,
    topics: {
      users: cfg.TOPIC_USERS,
      dlq: cfg.TOPIC_DLQ,
      late: cfg.TOPIC_LATE,
      aggregates: cfg.TOPIC_AGGREGATES,
    },
    group: cfg.CONSUMER_GROUP,
    cacheMs: 1000,
  });
  const history = new WindowHistory(store, {
    settleMs: cfg.WEB_HISTORY_SETTLE_MS,
    maxCachedWindows: cfg.WEB_HISTORY_CACHE_WINDOWS,
    liveTtlMs: 1000,
    readConcurrency: CassandraStore.READ_CONCURRENCY,
  });
  const app = createApp({
    history,
    users: store,
    runs: store,
    hub,
    pipeline,
    assets: loadStaticAssets(),
    metrics,
    adminToken: cfg.WEB_ADMIN_TOKEN,
    windowSizeMs: cfg.WINDOW_SIZE_MS,
    limits: { ...DEFAULT_LIMITS, maxRows: cfg.WEB_MAX_ROWS },
    heartbeatMs: 15_000,
    logger: log,
  });

  let live: KafkaLiveSource | null = null;
  let closed = false;
  const startLive = () => {
    if (closed) return;
    const source = new KafkaLiveSource({
      bootstrap: cfg.KAFKA_BOOTSTRAP,
      topic: cfg.TOPIC_AGGREGATES,
      lookbackMs: cfg.WEB_LIVE_LOOKBACK_MS,
      onInvalid: (reason, partition, offset) => {
        metrics.liveInvalid.inc();
        log.warn({ reason, partition, offset }, "skipped an invalid aggregates message");
      },
      onError: (err) => log.warn({ err: err.message }, "aggregates consumer error"),
    });
    live = source;
    source
      .start((rows) => {
        metrics.liveRows.inc(rows.length);
        history.invalidate(rows);
        const before = hub.lastId;
        hub.ingest(rows);
        if (hub.lastId !== before) metrics.liveBatches.inc();
      })
      .catch(async (err: Error) => {
        // Kafka not reachable yet: pages and history still work; live charts start once it is.
        log.error({ err: err.message }, "the live aggregates feed failed to start; retrying in 5 s");
        await source.stop().catch(() => undefined);
        setTimeout(startLive, 5000).unref();
      });
  };
  startLive();

  const { server, port } = await new Promise<{ server: Server; port: number }>((resolve) => {
    const s = serve({ fetch: app.fetch, port: cfg.WEB_PORT, hostname: cfg.WEB_HOST }, (info: AddressInfo) =>
      resolve({ server: s as Server, port: info.port }),
    );
  });
  const wss = attachWsGateway(server, hub, metrics, { path: "/ws", maxBuffered: 1 << 20, pingMs: 30_000 });
  const url = `http://${cfg.WEB_HOST}:${port}`;
  log.info({ url, keyspace: cfg.CASSANDRA_KEYSPACE, topic: cfg.TOPIC_AGGREGATES }, "web tier listening");

  return {
    url,
    port,
    hub,
    async close() {
      closed = true;
      await live?.stop();
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await admin.close();
      await cassandra.shutdown();
    },
  };
}
