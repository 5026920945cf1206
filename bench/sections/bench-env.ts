import { randomUUID } from "node:crypto";
import { type Config, loadConfig } from "../../common/src/config.ts";

/**
 * Runs of each throughput figure (the processor's one and N instances, each peer): on two cores shared
 * with Kafka and Cassandra, runs of the same code differ by a third, so each figure is the best of these.
 */
export const REPS = Math.max(1, Number(process.env.BENCH_REPS ?? 3));

/**
 * Which of two runs of a figure is reported: one whose counts are wrong (it must not hide behind a faster
 * right one), else the faster.
 */
export function reportedRun<T extends { ok: boolean; eventsPerSec: number }>(
  prev: T | undefined,
  next: T,
): T {
  return !prev || !next.ok || (prev.ok && next.eventsPerSec > prev.eventsPerSec) ? next : prev;
}

/** A config whose topics, group and keyspace belong to this bench run alone. */
export function benchConfig(
  tag: string,
  overrides: Record<string, string> = {},
): {
  config: Config;
  env: Record<string, string>;
} {
  const id = `${tag}_${randomUUID().slice(0, 8)}`;
  const env: Record<string, string> = {
    TOPIC_USERS: `bench_users_${id}`,
    TOPIC_DLQ: `bench_dlq_${id}`,
    TOPIC_LATE: `bench_late_${id}`,
    TOPIC_AGGREGATES: `bench_aggregates_${id}`,
    CONSUMER_GROUP: `bench_${id}`,
    CASSANDRA_KEYSPACE: `bench_${id}`.toLowerCase().slice(0, 48),
    LOG_LEVEL: "warn",
    ...overrides,
  };
  return { config: loadConfig({ ...process.env, ...env }), env };
}
