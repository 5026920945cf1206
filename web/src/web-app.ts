import type { Client } from "cassandra-driver";
import type { Hono } from "hono";
import { createCassandraClient } from "../../common/src/cassandra-client.ts";
import { migrate, tableRetention } from "../../common/src/cassandra-schema.ts";
import { consistencyCode, keyspaceReplication } from "../../common/src/cassandra-settings.ts";
import { groupByFields } from "../../common/src/config.ts";
import type { Logger } from "../../common/src/logger.ts";
import { retryAtStart } from "../../common/src/retry-at-start.ts";
import { CassandraStore } from "./adapters/cassandra-store.ts";
import { loadStaticAssets } from "./adapters/fs-assets.ts";
import { HttpProcessorStatus } from "./adapters/processor-status-http.ts";
import { HttpSchemaRegistry } from "./adapters/registry-http.ts";
import { AggregationGroups } from "./aggregation-groups.ts";
import { createApp } from "./app.tsx";
import { DEFAULT_LIMITS } from "./app-deps.ts";
import { DeliveryLatency } from "./e2e-delivery.ts";
import { CheckpointFinality } from "./finality.ts";
import { LiveHub } from "./live-hub.ts";
import { createWebMetrics, type WebMetrics } from "./metrics.ts";
import { PipelineMonitor } from "./pipeline-monitor.ts";
import type { KafkaAdmin, LiveSource, Redriver, TopicReader } from "./ports.ts";
import { ProcessorFleet } from "./processor-fleet.ts";
import { QueryGate } from "./query-gate.ts";
import { RebuildGeneration } from "./rebuild-generation.ts";
import { RequestGuard } from "./request-guard.ts";
import type { WebConfig } from "./web-config.ts";
import { WindowHistory } from "./window-history.ts";

// The wiring both entries share: Cassandra (its driver is plain JavaScript, so Node and Bun alike),
// the processor's status over fetch, and the web-standard app. Kafka comes in through the ports.

export interface WebApp {
  app: Hono;
  hub: LiveHub;
  history: WindowHistory;
  metrics: WebMetrics;
  guard: RequestGuard;
  delivery: DeliveryLatency;
}

export async function connectCassandra(cfg: WebConfig, log: Logger): Promise<Client> {
  // The web tier mostly reads window rows: it reads at their level (LOCAL_QUORUM in a cluster sees every
  // write the processor made at LOCAL_QUORUM).
  const consistency = consistencyCode(cfg.CASSANDRA_CONSISTENCY_WINDOWS);
  return retryAtStart(
    `Cassandra at ${cfg.CASSANDRA_CONTACT_POINT}`,
    async () => {
      const client = createCassandraClient(cfg, { consistency });
      try {
        await client.connect();
        await migrate(client, cfg.CASSANDRA_KEYSPACE, keyspaceReplication(cfg), tableRetention(cfg));
        return client;
      } catch (err) {
        await client.shutdown().catch(() => undefined);
        throw err;
      }
    },
    { timeoutMs: 60_000, log },
  );
}

export function buildWebApp(
  cfg: WebConfig,
  log: Logger,
  ports: {
    cassandra: Client;
    admin: KafkaAdmin;
    topics: TopicReader;
    redriver: Redriver;
    metrics?: WebMetrics;
  },
): WebApp {
  const store = new CassandraStore(ports.cassandra, cfg.CASSANDRA_KEYSPACE);
  const metrics = ports.metrics ?? createWebMetrics();
  const delivery = new DeliveryLatency(metrics);
  const hub = new LiveHub({
    ringSize: cfg.WEB_LIVE_RING,
    clientQueueSize: cfg.WEB_LIVE_CLIENT_QUEUE,
    retentionMs: cfg.WEB_LIVE_LOOKBACK_MS,
    maxClients: cfg.WEB_LIVE_MAX_CLIENTS,
  });
  const guard = new RequestGuard(cfg);
  // Instances are found in the registry; PROCESSOR_STATUS_URL still reaches a processor that does not
  // register (or one the registry cannot see), and is deduplicated against the registered ones.
  const statusUrl = new URL("/status", cfg.PROCESSOR_STATUS_URL).toString();
  const warn = (reason: string) => log.warn(reason);
  const fleet = new ProcessorFleet({
    registry: store,
    group: cfg.CONSUMER_GROUP,
    statusAt: (address) => new HttpProcessorStatus(`http://${address}/status`, 1500, warn),
    fixed: { url: statusUrl, source: new HttpProcessorStatus(statusUrl, 1500, warn) },
  });
  const topicNames = {
    users: cfg.TOPIC_USERS,
    dlq: cfg.TOPIC_DLQ,
    late: cfg.TOPIC_LATE,
    aggregates: cfg.TOPIC_AGGREGATES,
  };
  const pipeline = new PipelineMonitor({
    admin: ports.admin,
    processor: fleet,
    checkpoints: store,
    topics: topicNames,
    group: cfg.CONSUMER_GROUP,
    cacheMs: 1000,
  });
  const history = new WindowHistory(store, {
    settleMs: cfg.WEB_HISTORY_SETTLE_MS,
    maxCachedWindows: cfg.WEB_HISTORY_CACHE_WINDOWS,
    liveTtlMs: 1000,
    readConcurrency: CassandraStore.READ_CONCURRENCY,
    finality: new CheckpointFinality(store, cfg.TOPIC_USERS, 1000),
    rebuilds: new RebuildGeneration(store, cfg.TOPIC_USERS, 1000),
  });
  const app = createApp({
    delivery,
    history,
    users: store,
    runs: store,
    schedule: store,
    topics: ports.topics,
    redriver: ports.redriver,
    topicNames,
    kafkaAdmin: ports.admin,
    registry: new HttpSchemaRegistry(cfg.SCHEMA_REGISTRY_URL),
    registryUrl: cfg.SCHEMA_REGISTRY_URL,
    hub,
    pipeline,
    assets: loadStaticAssets(),
    metrics,
    adminToken: cfg.WEB_ADMIN_TOKEN,
    windowSizeMs: cfg.WINDOW_SIZE_MS,
    groups: new AggregationGroups({
      registry: store,
      consumerGroup: cfg.CONSUMER_GROUP,
      fallback: groupByFields(cfg),
    }),
    windowsRetentionSeconds: cfg.CASSANDRA_TTL_WINDOWS_SECONDS,
    limits: { ...DEFAULT_LIMITS, maxRows: cfg.WEB_MAX_ROWS },
    heartbeatMs: 15_000,
    logger: log,
    guard,
    queries: new QueryGate({
      concurrency: cfg.WEB_QUERY_CONCURRENCY,
      queue: cfg.WEB_QUERY_QUEUE,
      maxWaitMs: cfg.WEB_QUERY_MAX_WAIT_MS,
    }),
  });
  return { app, hub, history, metrics, guard, delivery };
}

/**
 * Feeds the hub (and the history cache's invalidation) from a live source, starting a fresh source
 * every 5 s while one fails to start: pages and history work meanwhile; live charts start once it does.
 */
export function feedLive(web: WebApp, newSource: () => LiveSource, log: Logger): { stop(): Promise<void> } {
  let current: LiveSource | null = null;
  let stopped = false;
  let retry: ReturnType<typeof setTimeout> | null = null;
  const start = () => {
    if (stopped) return;
    const source = newSource();
    current = source;
    source
      .start((rows, producedAt) => {
        web.metrics.liveRows.inc(rows.length);
        web.history.invalidate(rows);
        const before = web.hub.lastId;
        web.hub.ingest(rows);
        if (web.hub.lastId !== before) {
          web.metrics.liveBatches.inc();
          // Fanned out to every connected browser's stream now: delivered, when someone is watching.
          if (producedAt !== null && web.hub.clientCount > 0) web.delivery.delivered(producedAt, Date.now());
        }
      })
      .catch(async (err: Error) => {
        log.error({ err: err.message }, "the live aggregates feed failed to start; retrying in 5 s");
        await source.stop().catch(() => undefined);
        if (stopped) return;
        retry = setTimeout(start, 5000);
        retry.unref?.();
      });
  };
  start();
  return {
    async stop() {
      stopped = true;
      if (retry) clearTimeout(retry);
      await current?.stop();
    },
  };
}
