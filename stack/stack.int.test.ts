import { randomUUID } from "node:crypto";
import { KafkaJS } from "@confluentinc/kafka-javascript";
import { SchemaRegistryClient } from "@confluentinc/schemaregistry";
import { Client } from "cassandra-driver";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../common/src/config.ts";

// Proof that `bun run stack up` started real services: each is exercised through the same client
// library the pipeline uses.
const cfg = loadConfig();
const run = randomUUID().slice(0, 8);

describe("the local stack", () => {
  const kafka = new KafkaJS.Kafka({
    kafkaJS: { brokers: [cfg.KAFKA_BOOTSTRAP], logLevel: KafkaJS.logLevel.ERROR },
  });
  const topic = `stack_test_${run}`;

  afterAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  it("Kafka: creates a topic, produces and consumes through librdkafka", async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }] });
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(meta[0]?.partitions).toHaveLength(3);
    await admin.disconnect();

    const producer = kafka.producer({ "enable.idempotence": true, acks: -1 });
    await producer.connect();
    const messages = Array.from({ length: 30 }, (_, i) => ({ key: `k${i}`, value: `v${i}` }));
    await producer.send({ topic, messages });
    await producer.disconnect();

    const consumer = kafka.consumer({
      kafkaJS: { groupId: `stack_test_${run}`, fromBeginning: true },
    });
    await consumer.connect();
    await consumer.subscribe({ topic });
    const seen = new Set<string>();
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`consumed only ${seen.size} of 30`)), 60_000);
      consumer.run({
        eachMessage: async ({ message }) => {
          seen.add(`${message.key?.toString()}=${message.value?.toString()}`);
          if (seen.size === messages.length) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    await consumer.disconnect();
    expect([...seen].sort()).toEqual(messages.map((m) => `${m.key}=${m.value}`).sort());
  });

  it("Schema Registry: registers and fetches an Avro schema through @confluentinc/schemaregistry", async () => {
    const client = new SchemaRegistryClient({ baseURLs: [cfg.SCHEMA_REGISTRY_URL] });
    const subject = `stack_test_${run}-value`;
    const schema = JSON.stringify({
      type: "record",
      name: "Probe",
      fields: [{ name: "n", type: "int" }],
    });
    const id = await client.register(subject, { schemaType: "AVRO", schema });
    expect(id).toBeGreaterThan(0);
    const byId = await client.getBySubjectAndId(subject, id);
    expect(JSON.parse(byId.schema)).toEqual(JSON.parse(schema));
    const latest = await client.getLatestSchemaMetadata(subject);
    expect(latest.id).toBe(id);
    await client.deleteSubject(subject, false);
    await client.deleteSubject(subject, true);
  });

  it("Cassandra: creates a keyspace, writes and reads through cassandra-driver", async () => {
    const ks = `stack_test_${run}`;
    const client = new Client({
      contactPoints: [cfg.CASSANDRA_CONTACT_POINT],
      localDataCenter: cfg.CASSANDRA_DC,
    });
    await client.connect();
    try {
      await client.execute(
        `CREATE KEYSPACE ${ks} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`,
      );
      await client.execute(`CREATE TABLE ${ks}.probe (id text PRIMARY KEY, n int, name text)`);
      const name = "Ольга O'Brien <b>&</b> مریم";
      await client.execute(`INSERT INTO ${ks}.probe (id, n, name) VALUES (?, ?, ?)`, ["a", 7, name], {
        prepare: true,
      });
      const row = (
        await client.execute(`SELECT n, name FROM ${ks}.probe WHERE id = ?`, ["a"], { prepare: true })
      ).first();
      expect(row.get("n")).toBe(7);
      expect(row.get("name")).toBe(name);
    } finally {
      await client.execute(`DROP KEYSPACE IF EXISTS ${ks}`);
      await client.shutdown();
    }
  });
});
