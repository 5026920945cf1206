import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, readdir } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KafkaJS } from "@confluentinc/kafka-javascript";
import { SchemaRegistryClient } from "@confluentinc/schemaregistry";
import { Client } from "cassandra-driver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Config, loadConfig } from "../common/src/config.ts";
import { ensureTopics } from "../common/src/kafka-topics.ts";
import { describeReset, resetAll } from "./reset.ts";
import { stackServices } from "./services.ts";

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

const root = new URL("../", import.meta.url).pathname;

/** Runs `bun run stack ...` as a user would, with extra environment. */
function stackCli(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "stack/cli.ts", ...args], {
      cwd: root,
      env: { ...process.env, ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** A loopback port nothing listens on. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

// Only read-only commands run against the shared stack; `up` runs with a STACK_HOME of its own, so it
// sees no process of its own and could at most refuse (the ports are held), never start or stop one.
describe("the stack command", () => {
  it("status --json prints exactly the object of contract §7, with the configured addresses", async () => {
    const r = await stackCli(["status", "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toStrictEqual({
      kafka: { bootstrap: cfg.KAFKA_BOOTSTRAP, up: true },
      schemaRegistry: { url: cfg.SCHEMA_REGISTRY_URL, up: true },
      cassandra: { contactPoint: cfg.CASSANDRA_CONTACT_POINT, up: true },
    });
    expect(r.stdout.trim().split("\n")).toHaveLength(1);
  });

  it("status checks and reports the addresses of the environment, not fixed ones", async () => {
    const port = await deadPort();
    const r = await stackCli(["status", "--json"], {
      KAFKA_BOOTSTRAP: cfg.KAFKA_BOOTSTRAP.replace("127.0.0.1", "localhost"),
      SCHEMA_REGISTRY_URL: `http://127.0.0.1:${port}`,
      CASSANDRA_CONTACT_POINT: `127.0.0.1:${port}`,
    });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toStrictEqual({
      kafka: { bootstrap: cfg.KAFKA_BOOTSTRAP.replace("127.0.0.1", "localhost"), up: true },
      schemaRegistry: { url: `http://127.0.0.1:${port}`, up: false },
      cassandra: { contactPoint: `127.0.0.1:${port}`, up: false },
    });
  });

  it("up while everything is up is a no-op: says so for each service and writes nothing", async () => {
    const home = await mkdtemp(join(tmpdir(), "stack-home-"));
    const r = await stackCli(["up"], { STACK_HOME: home });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`kafka: already up at ${cfg.KAFKA_BOOTSTRAP}`);
    expect(r.stdout).toContain(`registry: already up at ${cfg.SCHEMA_REGISTRY_URL}`);
    expect(r.stdout).toContain(`cassandra: already up at ${cfg.CASSANDRA_CONTACT_POINT}`);
    expect(await readdir(home)).toEqual([]);
  });

  it("up refuses, naming the service and address, to start a registry where it would not answer", async () => {
    // Port 8081 is taken and does not answer at this URL, as with Docker's Confluent registry and the
    // default URL: `up` must say so and start nothing. (planUp's unit tests cover each refusal.)
    const home = await mkdtemp(join(tmpdir(), "stack-home-"));
    const url = "http://127.0.0.1:8081/no-registry-here";
    const r = await stackCli(["up", "registry"], { STACK_HOME: home, SCHEMA_REGISTRY_URL: url });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`registry: nothing answers at ${url} (SCHEMA_REGISTRY_URL)`);
    expect(await readdir(home)).toEqual([]);
  });
});

describe("stack reset", () => {
  const id = `stack_reset_${run}`;
  const testConfig = (overrides: Record<string, string> = {}): Config =>
    loadConfig({
      ...process.env,
      TOPIC_USERS: `${id}_users`,
      TOPIC_DLQ: `${id}_dlq`,
      TOPIC_LATE: `${id}_late`,
      TOPIC_AGGREGATES: `${id}_agg`,
      CONSUMER_GROUP: `${id}_group`,
      CASSANDRA_KEYSPACE: id,
      ...overrides,
    });

  async function createEverything(config: Config): Promise<void> {
    await ensureTopics(config);
    const kafka = new KafkaJS.Kafka({
      kafkaJS: { brokers: [config.KAFKA_BOOTSTRAP], logLevel: KafkaJS.logLevel.ERROR },
    });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: config.TOPIC_USERS, messages: [{ key: "k", value: "v" }] });
    await producer.disconnect();
    // A consumer that committed an offset and left: the group exists, empty, as after a processor run.
    const consumer = kafka.consumer({ kafkaJS: { groupId: config.CONSUMER_GROUP, fromBeginning: true } });
    await consumer.connect();
    await consumer.subscribe({ topic: config.TOPIC_USERS });
    await new Promise<void>((resolve) => {
      consumer.run({
        eachMessage: async ({ partition, message }) => {
          await consumer.commitOffsets([
            { topic: config.TOPIC_USERS, partition, offset: String(Number(message.offset) + 1) },
          ]);
          resolve();
        },
      });
    });
    await consumer.disconnect();
    const registry = new SchemaRegistryClient({ baseURLs: [config.SCHEMA_REGISTRY_URL] });
    await registry.register(`${config.TOPIC_USERS}-value`, {
      schemaType: "AVRO",
      schema: JSON.stringify({ type: "record", name: "Probe", fields: [{ name: "n", type: "int" }] }),
    });
    const cassandra = new Client({
      contactPoints: [config.CASSANDRA_CONTACT_POINT],
      localDataCenter: config.CASSANDRA_DC,
    });
    await cassandra.execute(
      `CREATE KEYSPACE IF NOT EXISTS ${config.CASSANDRA_KEYSPACE} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`,
    );
    await cassandra.shutdown();
  }

  beforeAll(() => {
    // Reset deletes what the config names: make sure nothing here names the pipeline's own data.
    const c = testConfig();
    for (const name of [
      c.TOPIC_USERS,
      c.TOPIC_DLQ,
      c.TOPIC_LATE,
      c.TOPIC_AGGREGATES,
      c.CONSUMER_GROUP,
      c.CASSANDRA_KEYSPACE,
    ]) {
      expect(name.startsWith(id)).toBe(true);
    }
  });

  it("removes the configured topics, group, subject and keyspace, and says what it removed", async () => {
    const config = testConfig();
    await createEverything(config);
    const services = stackServices(config).services;
    const outcomes = await resetAll(services);
    expect(outcomes.map(describeReset)).toEqual([
      `kafka: removed topic ${id}_users, topic ${id}_dlq, topic ${id}_late, topic ${id}_agg, group ${id}_group`,
      `registry: removed subject ${id}_users-value`,
      `cassandra: removed keyspace ${id}`,
    ]);
    expect((await resetAll(services)).map(describeReset)).toEqual([
      "kafka: nothing to remove",
      "registry: nothing to remove",
      "cassandra: nothing to remove",
    ]);
  });

  it("goes on past a service that fails, reports each honestly and exits non-zero", async () => {
    const config = testConfig();
    await createEverything(config);
    const port = await deadPort();
    const env = {
      TOPIC_USERS: config.TOPIC_USERS,
      TOPIC_DLQ: config.TOPIC_DLQ,
      TOPIC_LATE: config.TOPIC_LATE,
      TOPIC_AGGREGATES: config.TOPIC_AGGREGATES,
      CONSUMER_GROUP: config.CONSUMER_GROUP,
      CASSANDRA_KEYSPACE: config.CASSANDRA_KEYSPACE,
      KAFKA_BOOTSTRAP: `127.0.0.1:${port}`,
    };
    const r = await stackCli(["reset"], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^kafka: reset FAILED at 127\\.0\\.0\\.1:${port}: `, "m"));
    expect(r.stdout).toContain(`registry: removed subject ${id}_users-value`);
    expect(r.stdout).toContain(`cassandra: removed keyspace ${id}`);
    // The part that failed is still there; a reset against the reachable broker removes it.
    expect((await resetAll(stackServices(config).services.slice(0, 1))).map(describeReset)).toEqual([
      `kafka: removed topic ${id}_users, topic ${id}_dlq, topic ${id}_late, topic ${id}_agg, group ${id}_group`,
    ]);
  });
});
