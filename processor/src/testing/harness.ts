import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { KafkaJS } from "@confluentinc/kafka-javascript";
import { type Client, types } from "cassandra-driver";
import { createCassandraClient } from "../../../common/src/cassandra-client.ts";
import { hourBucket } from "../../../common/src/cassandra-schema.ts";
import { type Config, groupByFields, loadConfig } from "../../../common/src/config.ts";
import type { AggregateMessage } from "../../../common/src/contracts/aggregate-message.ts";
import { createAdmin, deleteTopics, ensureTopics } from "../../../common/src/kafka-topics.ts";
import { type UserRecord, userSchema } from "../../../common/src/user-schema.ts";
import { encodeWire } from "../../../common/src/wire-format.ts";
import { formatFixtureLine } from "../../../producer/src/fixture-format.ts";
import {
  type FixtureGeneratorOptions,
  generateFixtureEvents,
} from "../../../producer/src/fixture-generator.ts";
import { createRng } from "../../../producer/src/rng.ts";
import { type RegisteredSchema, registerUserSchema } from "../../../producer/src/schema-registry.ts";
import { syntheticUser } from "../../../producer/src/synthetic-users.ts";
import { mapUser } from "../../../producer/src/user-mapping.ts";
import { permanentCassandraError } from "../adapters/cassandra-errors.ts";
import { batchReference, compareRows, type RefEvent, type RefRow } from "../core/reference.ts";
import { PROCESSOR_NODE_FLAGS } from "../node-flags.ts";

// Shared by the processor's integration tests and its benchmark: unique names, fixtures with their golden
// aggregates, and reading the merged windows back from Cassandra.

/** Where a test that writes its own messages starts: Cassandra connected, the topics, schema v1 registered. */
export async function openTestBed(
  config: Config,
): Promise<{ client: Client; schema: Awaited<ReturnType<typeof registerUserSchema>> }> {
  const client = cassandraClient(config);
  await client.connect();
  await ensureTopics(config);
  return { client, schema: await registerUserSchema(config, 1) };
}

/**
 * A synthetic user at event time `t` as the producer maps it: the record, its reference event (partition 0
 * unless said) and its wire message, keyed by event id.
 */
export function syntheticMessage(
  rng: ReturnType<typeof createRng>,
  t: number,
  schema: Pick<RegisteredSchema, "id" | "type">,
  partition = 0,
): { record: UserRecord; event: RefEvent; message: { key: string; value: Buffer } } {
  const mapped = mapUser(syntheticUser(rng, t), t, schema.type);
  if (!mapped.ok) throw new Error(mapped.reason);
  const record = mapped.record;
  return {
    record,
    event: { partition, eventTime: t, fields: { ...record } },
    message: { key: record.event_id, value: encodeWire(schema.id, schema.type.toBuffer(record)) },
  };
}

/** Sends a test's raw messages to its users topic (its own bytes, keys and partitions) and disconnects. */
export async function sendRaw(config: Config, messages: KafkaJS.Message[]): Promise<void> {
  const producer = await testProducer(config);
  try {
    await producer.send({ topic: config.TOPIC_USERS, messages });
  } finally {
    await producer.disconnect();
  }
}

/** A connected producer for the raw messages a test writes (its own bytes, keys and partitions). */
export async function testProducer(config: Config): Promise<KafkaJS.Producer> {
  const producer = new KafkaJS.Kafka({}).producer({
    "bootstrap.servers": config.KAFKA_BOOTSTRAP,
    kafkaJS: { logLevel: KafkaJS.logLevel.ERROR },
  });
  await producer.connect();
  return producer;
}

/** A config whose topics, group and keyspace belong to this test alone. */
export function uniqueConfig(tag: string, env: Record<string, string> = {}): Config {
  const id = `${tag}_${randomBytes(4).toString("hex")}`;
  return loadConfig({
    ...process.env,
    TOPIC_USERS: `users_${id}`,
    TOPIC_DLQ: `dlq_${id}`,
    TOPIC_LATE: `late_${id}`,
    TOPIC_AGGREGATES: `aggregates_${id}`,
    CONSUMER_GROUP: `processor_${id}`,
    CASSANDRA_KEYSPACE: `proc_${id}`,
    PROCESSOR_METRICS_PORT: "0",
    LOG_LEVEL: "warn",
    ...env,
  });
}

/** Environment of a child processor running `config`. */
export function configEnv(config: Config): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(config)) out[k] = String(v);
  return out;
}

/** Writes a generated NDJSON fixture and returns its events as the producer maps them. */
export async function writeFixture(path: string, o: FixtureGeneratorOptions): Promise<RefEvent[]> {
  const out = createWriteStream(path);
  const type = userSchema(1).type;
  const events: RefEvent[] = [];
  for (const e of generateFixtureEvents(o)) {
    if (!out.write(`${formatFixtureLine(e.eventTime, e.user)}\n`)) await once(out, "drain");
    const mapped = mapUser(e.user, e.eventTime, type);
    if (!mapped.ok) throw new Error(`generated user does not map: ${mapped.reason}`);
    events.push({ partition: 0, eventTime: e.eventTime, fields: { ...mapped.record } });
  }
  out.end();
  await once(out, "finish");
  return events;
}

export function groupsOf(config: Config): string[] {
  return ["all", ...groupByFields(config)];
}

export function reference(events: readonly RefEvent[], config: Config): RefRow[] {
  return batchReference(events, {
    windowSizeMs: config.WINDOW_SIZE_MS,
    windowSlideMs: config.WINDOW_SLIDE_MS,
    allowedLatenessMs: config.ALLOWED_LATENESS_MS,
    idleTimeoutMs: config.IDLE_TIMEOUT_MS,
    groupBy: groupsOf(config).slice(1),
  });
}

export type MergedWindow = { -readonly [K in keyof RefRow]: RefRow[K] } & {
  final: boolean;
  partitions: number;
};

export function cassandraClient(config: Config): Client {
  return createCassandraClient(config);
}

const num = (v: unknown): number => (v instanceof types.Long ? v.toNumber() : Number(v));

/** Every window row of the given hours, merged over source partitions as the web tier does. */
export async function readMerged(
  client: Client,
  config: Config,
  hours: Iterable<number>,
): Promise<MergedWindow[]> {
  const merged = new Map<string, MergedWindow>();
  const ks = config.CASSANDRA_KEYSPACE;
  for (const group of groupsOf(config)) {
    for (const hour of hours) {
      const rs = await client.execute(
        `SELECT window_start, window_end, key, count, sum_age, min_age, max_age, final FROM ${ks}.window_aggregates WHERE group_name = ? AND hour = ?`,
        [group, hour],
        { prepare: true, fetchSize: 100_000 },
      );
      for (const r of rs.rows) {
        const start = num(r.get("window_start"));
        const key = String(r.get("key"));
        const id = `${start}|${group}|${key}`;
        const count = num(r.get("count"));
        const sum = num(r.get("sum_age"));
        const min = num(r.get("min_age"));
        const max = num(r.get("max_age"));
        const fin = r.get("final") === true;
        const m = merged.get(id);
        if (!m) {
          merged.set(id, {
            windowStart: start,
            windowEnd: num(r.get("window_end")),
            group,
            key,
            count,
            sum,
            min,
            max,
            avg: 0,
            final: fin,
            partitions: 1,
          });
        } else {
          m.count += count;
          m.sum += sum;
          m.min = Math.min(m.min, min);
          m.max = Math.max(m.max, max);
          m.final &&= fin;
          m.partitions++;
        }
      }
    }
  }
  const rows = [...merged.values()];
  for (const r of rows) r.avg = r.sum / r.count;
  return rows.sort(compareRows);
}

export function hoursOf(rows: readonly RefRow[]): Set<number> {
  return new Set(rows.map((r) => hourBucket(r.windowStart)));
}

/** The merged windows as reference rows (for toEqual), or null while one is still open. */
export function finalRows(rows: readonly MergedWindow[]): RefRow[] | null {
  if (rows.some((r) => !r.final)) return null;
  return rows.map(({ windowStart, windowEnd, group, key, count, sum, min, max, avg }) => ({
    windowStart,
    windowEnd,
    group,
    key,
    count,
    sum,
    min,
    max,
    avg,
  }));
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T>,
  done: (v: T) => boolean,
  timeoutMs: number,
  intervalMs = 500,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (done(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * The merged windows once every expected one is stored and all are final (the wait an exactness test
 * ends with); null if they are not all final.
 */
export async function waitForFinal(
  client: Client,
  config: Config,
  expected: readonly RefRow[],
  timeoutMs = 120_000,
): Promise<RefRow[] | null> {
  const rows = await waitFor(
    "all windows final",
    () => notYetIfPassing(() => readMerged(client, config, hoursOf(expected))),
    (rows) => rows !== null && finalRows(rows) !== null && rows.length >= expected.length,
    timeoutMs,
  );
  return rows === null ? null : finalRows(rows);
}

/**
 * A read Cassandra fails only for now (a server-side read timeout at LOCAL_QUORUM while a node back from
 * an outage replays its hints, a node unavailable) is "not yet", as a poll should take it; null then.
 */
async function notYetIfPassing<T>(read: () => Promise<T>): Promise<T | null> {
  try {
    return await read();
  } catch (err) {
    if (permanentCassandraError(err) !== null) throw err;
    return null;
  }
}

/** A generated fixture with disorder below the lateness, its reference aggregates, and a config and
 * Cassandra session of its own: the setup of every "ends exact" test. */
export async function prepareExactRun(
  tag: string,
  dir: string,
  o: { partitions: number; count: number; seed: number; startMs: number },
): Promise<{ config: Config; client: Client; file: string; events: RefEvent[]; expected: RefRow[] }> {
  const config = uniqueConfig(tag, { TOPIC_PARTITIONS: String(o.partitions) });
  const client = cassandraClient(config);
  await client.connect();
  const file = join(dir, "fixture.ndjson");
  const events = await writeFixture(file, {
    count: o.count,
    seed: o.seed,
    startMs: o.startMs,
    spacingMs: 2,
    disorderMs: 4_000,
    lateEvery: 0,
    lateMs: 0,
  });
  return { config, client, file, events, expected: reference(events, config) };
}

/** Drops what uniqueConfig() named. */
export async function dropAll(config: Config, client: Client): Promise<void> {
  await client.execute(`DROP KEYSPACE IF EXISTS ${config.CASSANDRA_KEYSPACE}`).catch(() => undefined);
  await deleteTopics(config, [
    config.TOPIC_USERS,
    config.TOPIC_DLQ,
    config.TOPIC_LATE,
    config.TOPIC_AGGREGATES,
  ]).catch(() => undefined);
}

export interface ChildProcessor {
  child: ChildProcess;
  /** Resolves with the status port once the processor logged that it started. */
  started: Promise<number>;
  exited: Promise<number | null>;
  /** Log lines (pino JSON) seen so far. */
  lines: string[];
}

/** `node --import tsx processor/src/main.ts` as a child process, configured through its environment. */
export function spawnProcessor(config: Config, env: Record<string, string> = {}): ChildProcessor {
  const child = spawn(
    process.execPath,
    [...PROCESSOR_NODE_FLAGS, "--import", "tsx", "processor/src/main.ts"],
    {
      cwd: new URL("../../..", import.meta.url).pathname,
      env: { ...process.env, ...configEnv(config), LOG_LEVEL: "info", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const lines: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const started = new Promise<number>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.on("line", (line) => {
      lines.push(line);
      if (line.includes('"processor started"')) resolve((JSON.parse(line) as { port: number }).port);
    });
    child.stderr!.on("data", (d: Buffer) => lines.push(d.toString()));
    void exited.then((code) =>
      reject(new Error(`processor exited with ${code} before starting:\n${lines.join("\n")}`)),
    );
  });
  started.catch(() => undefined);
  return { child, started, exited, lines };
}

/** A fixture of synthetic users at exactly the given event times, in this order. */
export async function writeTimedFixture(
  path: string,
  times: readonly number[],
  seed = 1,
): Promise<RefEvent[]> {
  const rng = createRng(seed);
  const type = userSchema(1).type;
  const lines: string[] = [];
  const events: RefEvent[] = [];
  for (const t of times) {
    const user = syntheticUser(rng, t);
    lines.push(formatFixtureLine(t, user));
    const mapped = mapUser(user, t, type);
    if (!mapped.ok) throw new Error(`synthetic user does not map: ${mapped.reason}`);
    events.push({ partition: 0, eventTime: t, fields: { ...mapped.record } });
  }
  await writeFile(path, `${lines.join("\n")}\n`);
  return events;
}

export interface ReadMessage {
  key: string | null;
  value: Buffer;
  headers: Record<string, string>;
  partition: number;
}

/** Reads `topic` from the beginning until `count` messages arrived (or the timeout passed). */
export async function readTopic(
  config: Config,
  topic: string,
  count: number,
  timeoutMs = 60_000,
): Promise<ReadMessage[]> {
  const consumer = new KafkaJS.Kafka({}).consumer({
    "bootstrap.servers": config.KAFKA_BOOTSTRAP,
    kafkaJS: {
      groupId: `reader_${randomBytes(4).toString("hex")}`,
      fromBeginning: true,
      autoCommit: false,
      logLevel: KafkaJS.logLevel.ERROR,
    },
  });
  const out: ReadMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic });
    let done!: () => void;
    const enough = new Promise<void>((r) => (done = r));
    await consumer.run({
      eachMessage: async ({ message, partition }) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
        out.push({
          key: message.key?.toString() ?? null,
          value: message.value ?? Buffer.alloc(0),
          headers,
          partition,
        });
        if (out.length >= count) done();
      },
    });
    await Promise.race([enough, new Promise((r) => setTimeout(r, timeoutMs))]);
  } finally {
    await consumer.disconnect();
  }
  return out;
}

/** Messages currently in a topic (sum over partitions of high − low). */
export async function topicSize(config: Config, topic: string): Promise<number> {
  const admin = createAdmin(config);
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((a, o) => a + Number(o.high) - Number(o.low), 0);
  } finally {
    await admin.disconnect();
  }
}

/** The live window rows of the aggregates topic, latest per key (as compaction keeps), merged over partitions. */
export function mergeLiveRows(messages: readonly ReadMessage[]): MergedWindow[] {
  const latest = new Map<string, AggregateMessage>();
  for (const m of messages)
    if (m.key !== null) latest.set(m.key, JSON.parse(m.value.toString()) as AggregateMessage);
  const merged = new Map<string, MergedWindow>();
  for (const r of latest.values()) {
    const id = `${r.windowStart}|${r.group}|${r.key}`;
    const m = merged.get(id);
    if (!m) {
      merged.set(id, {
        windowStart: r.windowStart,
        windowEnd: r.windowEnd,
        group: r.group,
        key: r.key,
        count: r.count,
        sum: r.sumAge,
        min: r.minAge,
        max: r.maxAge,
        avg: 0,
        final: r.final,
        partitions: 1,
      });
    } else {
      m.count += r.count;
      m.sum += r.sumAge;
      m.min = Math.min(m.min, r.minAge);
      m.max = Math.max(m.max, r.maxAge);
      m.final &&= r.final;
      m.partitions++;
    }
  }
  const rows = [...merged.values()];
  for (const r of rows) r.avg = r.sum / r.count;
  return rows.sort(compareRows);
}

/** Rows of the users table; waits for it to reach `expected` (a fresh Cassandra may fail a full scan once). */
export async function waitForUsers(
  client: Client,
  config: Config,
  expected: number,
  timeoutMs = 120_000,
): Promise<number> {
  return waitFor(
    `${expected} users`,
    () =>
      client
        .execute(`SELECT count(*) FROM ${config.CASSANDRA_KEYSPACE}.users`, [], { readTimeout: 60_000 })
        .then((rs) => Number(rs.first().get(0)))
        .catch(() => -1),
    (n) => n >= expected,
    timeoutMs,
  );
}
