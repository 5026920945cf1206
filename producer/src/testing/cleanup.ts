import cassandra from "cassandra-driver";
import type { Config } from "../../../common/src/config.ts";
import { deleteTopics } from "../../../common/src/kafka-topics.ts";
import { createRegistryClient, valueSubject } from "../schema-registry.ts";

/** Removes what an isolated test config created: its topics, its registry subject, its keyspace. */
export async function cleanupIsolated(config: Config, { keyspace = false } = {}): Promise<void> {
  await deleteTopics(config, [
    config.TOPIC_USERS,
    config.TOPIC_DLQ,
    config.TOPIC_LATE,
    config.TOPIC_AGGREGATES,
  ]);
  const registry = createRegistryClient(config);
  const subject = valueSubject(config.TOPIC_USERS);
  if ((await registry.getAllSubjects()).includes(subject)) {
    await registry.deleteSubject(subject, false);
    await registry.deleteSubject(subject, true);
  }
  if (keyspace) {
    const client = new cassandra.Client({
      contactPoints: [config.CASSANDRA_CONTACT_POINT],
      localDataCenter: config.CASSANDRA_DC,
    });
    try {
      await client.execute(`DROP KEYSPACE IF EXISTS ${config.CASSANDRA_KEYSPACE}`);
    } finally {
      await client.shutdown();
    }
  }
}

/** The writer schema of a wire-format message, as any consumer would get it: GET /schemas/ids/{id}. */
export async function fetchSchemaById(config: Config, id: number): Promise<string> {
  const res = await fetch(`${config.SCHEMA_REGISTRY_URL}/schemas/ids/${id}`, {
    signal: AbortSignal.timeout(config.SCHEMA_REGISTRY_TIMEOUT_MS),
  });
  if (!res.ok) throw new Error(`GET /schemas/ids/${id}: HTTP ${res.status}`);
  const body = (await res.json()) as { schema: string };
  return body.schema;
}
