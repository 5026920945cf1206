import { loadStaticAssets } from "../adapters/fs-assets.ts";
import { type AppDeps, DEFAULT_LIMITS } from "../app-deps.ts";
import { DeliveryLatency } from "../e2e-delivery.ts";
import { LiveHub } from "../live-hub.ts";
import { createWebMetrics } from "../metrics.ts";
import { PipelineMonitor } from "../pipeline-monitor.ts";
import { QueryGate } from "../query-gate.ts";
import { RequestGuard } from "../request-guard.ts";
import { WindowHistory } from "../window-history.ts";
import {
  MemoryAggregateStore,
  MemoryCheckpointStore,
  MemoryKafkaAdmin,
  MemoryProcessorStatus,
  MemoryRedriver,
  MemoryRunStore,
  MemoryScheduleStore,
  MemorySchemaRegistry,
  MemoryTopicReader,
  MemoryUserStore,
} from "./in-memory-ports.ts";

export const TEST_TOPICS = {
  users: "users_created",
  dlq: "users_created_dlq",
  late: "users_created_late",
  aggregates: "window_aggregates",
};

export interface TestWorld {
  deps: AppDeps;
  aggregates: MemoryAggregateStore;
  users: MemoryUserStore;
  runs: MemoryRunStore;
  schedule: MemoryScheduleStore;
  topics: MemoryTopicReader;
  redriver: MemoryRedriver;
  registry: MemorySchemaRegistry;
  admin: MemoryKafkaAdmin;
  processor: MemoryProcessorStatus;
  checkpoints: MemoryCheckpointStore;
}

/** App dependencies wired to in-memory ports, for route tests. */
export function testWorld(over: Partial<AppDeps> = {}): TestWorld {
  const aggregates = new MemoryAggregateStore();
  const users = new MemoryUserStore();
  const runs = new MemoryRunStore();
  const schedule = new MemoryScheduleStore();
  const topics = new MemoryTopicReader();
  const redriver = new MemoryRedriver();
  const registry = new MemorySchemaRegistry();
  const metrics = createWebMetrics(false);
  const admin = new MemoryKafkaAdmin();
  const processor = new MemoryProcessorStatus();
  const checkpoints = new MemoryCheckpointStore();
  const deps: AppDeps = {
    history: new WindowHistory(aggregates, {
      settleMs: Number.MAX_SAFE_INTEGER,
      maxCachedWindows: 0,
      liveTtlMs: 0,
      readConcurrency: 4,
    }),
    users,
    runs,
    schedule,
    topics,
    redriver,
    topicNames: TEST_TOPICS,
    kafkaAdmin: admin,
    registry,
    registryUrl: "memory:",
    delivery: new DeliveryLatency(metrics),
    hub: new LiveHub({ ringSize: 100, clientQueueSize: 100, retentionMs: 600_000, epoch: "t" }),
    pipeline: new PipelineMonitor({
      admin,
      processor,
      checkpoints,
      topics: TEST_TOPICS,
      group: "rt-processor",
      cacheMs: 0,
    }),
    assets: loadStaticAssets(),
    metrics,
    adminToken: "",
    windowSizeMs: 10_000,
    groups: { list: async () => ["all", "nat", "gender"] },
    windowsRetentionSeconds: 30 * 86_400,
    limits: DEFAULT_LIMITS,
    heartbeatMs: 15_000,
    logger: { error: () => {} },
    guard: new RequestGuard({ WEB_HOST: "127.0.0.1", WEB_ALLOWED_HOSTS: "", WEB_ALLOWED_ORIGINS: "" }),
    queries: new QueryGate({ concurrency: 4, queue: 16, maxWaitMs: 10_000 }),
    ...over,
  };
  return {
    deps,
    aggregates,
    users,
    runs,
    schedule,
    topics,
    redriver,
    registry,
    admin,
    processor,
    checkpoints,
  };
}
