import { randomBytes } from "node:crypto";
import { type Config, loadConfig } from "../../../common/src/config.ts";

/**
 * A config whose topics (hence registry subject) and keyspace are this test's alone, so tests can run next
 * to each other and next to the live pipeline on the shared stack.
 */
export function isolatedConfig(label: string, overrides: Record<string, string> = {}): Config {
  const id = `${label}_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
  return loadConfig({
    ...process.env,
    TOPIC_USERS: `t_${id}_users`,
    TOPIC_DLQ: `t_${id}_dlq`,
    TOPIC_LATE: `t_${id}_late`,
    TOPIC_AGGREGATES: `t_${id}_agg`,
    TOPIC_PARTITIONS: "3",
    CASSANDRA_KEYSPACE: `t_${id}`.toLowerCase().slice(0, 48),
    LOG_LEVEL: "warn",
    ...overrides,
  });
}
