import type { DeliveryLatency } from "./e2e-delivery.ts";
import type { LiveHub } from "./live-hub.ts";
import type { WebMetrics } from "./metrics.ts";
import type { PipelineMonitor } from "./pipeline-monitor.ts";
import type {
  KafkaAdmin,
  Redriver,
  RunStore,
  ScheduleStore,
  SchemaRegistry,
  TopicReader,
  UserStore,
} from "./ports.ts";
import type { QueryGate } from "./query-gate.ts";
import type { RequestGuard } from "./request-guard.ts";
import type { StaticAssets } from "./static-assets.ts";
import type { WindowHistory } from "./window-history.ts";

export interface AppLimits {
  /** Stored (per-partition) rows one /api/aggregates answer may cover before it is a 413. */
  maxRows: number;
  maxUsers: number;
  runDays: number;
  maxRuns: number;
}

export interface AppDeps {
  history: WindowHistory;
  users: UserStore;
  runs: RunStore;
  schedule: ScheduleStore;
  /** Any project topic by partition and offset (dead letters, topic browser). */
  topics: TopicReader;
  redriver: Redriver;
  topicNames: { users: string; dlq: string; late: string; aggregates: string };
  kafkaAdmin: KafkaAdmin;
  registry: SchemaRegistry;
  registryUrl: string;
  /** The last end-to-end stage: produced → delivered to the browsers' streams. */
  delivery: DeliveryLatency;
  hub: LiveHub;
  pipeline: PipelineMonitor;
  assets: StaticAssets;
  metrics: WebMetrics;
  adminToken: string;
  windowSizeMs: number;
  /** The groups the API serves and the pages offer (aggregation-groups.ts). */
  groups: { list(): Promise<string[]> };
  /** CASSANDRA_TTL_WINDOWS_SECONDS: how long a stored window stays (0: for ever); the History page says so. */
  windowsRetentionSeconds: number;
  limits: AppLimits;
  logger: { error(obj: object, msg: string): void };
  /** Milliseconds between SSE keep-alive comments. */
  heartbeatMs: number;
  /** Which Host headers and Origins are served. */
  guard: RequestGuard;
  /** Bounds the history queries running and waiting. */
  queries: QueryGate;
}

export const DEFAULT_LIMITS: AppLimits = { maxRows: 200_000, maxUsers: 50, runDays: 7, maxRuns: 200 };
