import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RdKafka } from "@confluentinc/kafka-javascript";
import { Client } from "cassandra-driver";
import type { Config } from "../../common/src/config.ts";
import { PROCESSOR_NODE_FLAGS } from "../../processor/src/node-flags.ts";
import { loadProcessorOptions } from "../../processor/src/processor-options.ts";
import { produceSynthetic } from "../../producer/src/index.ts";
import { repoRoot } from "../../stack/paths.ts";
import { hotspotsOfDir } from "../profile.ts";
import type { Results } from "../report.ts";
import { benchConfig, sleep } from "./bench-env.ts";

// Processor throughput against its ceiling, in one run: the same topic is read (1) by a bare
// librdkafka consumer doing nothing, (2) by the processor storing aggregates only, (3) by the
// processor also storing every user record. The processor runs as its own process, so its
// resident memory is sampled from /proc the way an operator would see it.
const EVENTS = Number(process.env.BENCH_EVENTS ?? 500_000);
const EVENTS_WITH_USERS = Number(process.env.BENCH_EVENTS_WITH_USERS ?? 100_000);

/** One full read of the topic by a bare consumer that only counts; events/s. */
async function rawConsume(config: Config, expected: number, batchSize: number): Promise<number> {
  const fetch = loadProcessorOptions(process.env);
  const consumer = new RdKafka.KafkaConsumer(
    {
      "bootstrap.servers": config.KAFKA_BOOTSTRAP,
      "group.id": `${config.CONSUMER_GROUP}_raw_${batchSize}`,
      "enable.auto.commit": false,
      // The processor's own pre-fetch settings: with librdkafka's defaults the bare read is slower.
      "queued.max.messages.kbytes": fetch.PROCESSOR_FETCH_QUEUE_KB,
      "fetch.queue.backoff.ms": fetch.PROCESSOR_FETCH_QUEUE_BACKOFF_MS,
      "fetch.wait.max.ms": 50,
    },
    { "auto.offset.reset": "earliest" },
  );
  consumer.setDefaultConsumeTimeout(100);
  (
    consumer as unknown as { setDefaultIsTimeoutOnlyForFirstMessage(v: boolean): void }
  ).setDefaultIsTimeoutOnlyForFirstMessage(true);
  await new Promise<void>((res, rej) => consumer.connect({ timeout: 30_000 }, (e) => (e ? rej(e) : res())));
  consumer.subscribe([config.TOPIC_USERS]);
  let seen = 0;
  let first = 0;
  const deadline = Date.now() + 300_000;
  while (seen < expected && Date.now() < deadline) {
    const batch = await new Promise<RdKafka.Message[]>((res, rej) =>
      consumer.consume(batchSize, (e, m) => (e ? rej(e) : res(m))),
    );
    if (batch.length && first === 0) first = performance.now();
    seen += batch.length;
  }
  const elapsed = performance.now() - first;
  await new Promise<void>((res) => consumer.disconnect(() => res()));
  if (seen < expected) throw new Error(`raw consumer read ${seen} of ${expected}`);
  return (seen / elapsed) * 1000;
}

interface Status {
  processed: number;
}

function rssMb(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Runs the processor process until it has processed `expected` events; events/s and RSS samples. */
export async function timeProcessor(
  env: Record<string, string>,
  expected: number,
  port: number,
  nodeFlags: readonly string[] = [],
): Promise<{ eventsPerSec: number; rss: number[] }> {
  const entry = join(repoRoot, "processor/src/main.ts");
  const args = [...PROCESSOR_NODE_FLAGS, ...nodeFlags, "--import", "tsx", entry];
  const child: ChildProcess = spawn("node", args, {
    cwd: repoRoot,
    env: { ...process.env, ...env, PROCESSOR_METRICS_PORT: String(port) },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const rss: number[] = [];
  try {
    let first = 0;
    let processed = 0;
    const deadline = Date.now() + 600_000;
    while (processed < expected) {
      if (Date.now() > deadline) throw new Error(`processor processed ${processed} of ${expected} in 600 s`);
      if (child.exitCode !== null) throw new Error(`processor exited with ${child.exitCode}`);
      await sleep(50);
      const s = await fetch(`http://127.0.0.1:${port}/status`)
        .then((r) => (r.ok ? (r.json() as Promise<Status>) : undefined))
        .catch(() => undefined);
      if (!s) continue;
      if (s.processed > 0 && first === 0) first = performance.now();
      processed = s.processed;
      const mb = child.pid === undefined ? undefined : rssMb(child.pid);
      if (mb !== undefined && first > 0) rss.push(mb);
    }
    return { eventsPerSec: (processed / (performance.now() - first)) * 1000, rss };
  } finally {
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
  }
}

async function dropKeyspaces(config: Config, keyspaces: string[]): Promise<void> {
  const c = new Client({
    contactPoints: [config.CASSANDRA_CONTACT_POINT],
    localDataCenter: config.CASSANDRA_DC,
  });
  await c.connect();
  for (const ks of keyspaces) await c.execute(`DROP KEYSPACE IF EXISTS ${ks}`);
  await c.shutdown();
}

export async function processorSection(r: Results): Promise<void> {
  const aggregatesOnly = benchConfig("proc", { STORE_USERS: "false" });
  const fill = await produceSynthetic(aggregatesOnly.config, { rate: 0, count: EVENTS, progress: false });
  console.log(`  filled ${aggregatesOnly.config.TOPIC_USERS} with ${fill.sent} events`);

  // The ceiling is the best bare read over the batch sizes worth trying.
  let raw = 0;
  for (const batchSize of [1_000, 5_000])
    raw = Math.max(raw, await rawConsume(aggregatesOnly.config, EVENTS, batchSize));
  console.log(`  raw consume: ${Math.round(raw)} events/s`);
  const agg = await timeProcessor(aggregatesOnly.env, EVENTS, 19_464);
  console.log(`  processor (aggregates only): ${Math.round(agg.eventsPerSec)} events/s`);

  // Same topic, a fresh group and keyspace, user records stored too (fewer events: Cassandra-bound).
  const withUsers = benchConfig("procu", {
    STORE_USERS: "true",
    TOPIC_USERS: aggregatesOnly.env.TOPIC_USERS!,
  });
  const users = await timeProcessor(withUsers.env, Math.min(EVENTS, EVENTS_WITH_USERS), 19_465);
  console.log(`  processor (with users): ${Math.round(users.eventsPerSec)} events/s`);

  r.processor = {
    eventsPerSec: Math.round(agg.eventsPerSec),
    eventsPerSecWithUsers: Math.round(users.eventsPerSec),
    rawConsumeEventsPerSec: Math.round(raw),
    ratioToRaw: agg.eventsPerSec / raw,
    events: EVENTS,
  };
  const profiled = benchConfig("procp", {
    STORE_USERS: "false",
    TOPIC_USERS: aggregatesOnly.env.TOPIC_USERS!,
  });
  if (r.processor.ratioToRaw < 0.7) {
    // Where the time goes, for the summary: the same run again under V8's profiler (a separate run, so
    // the profiler's cost stays out of the figures above).
    const dir = mkdtempSync(join(tmpdir(), "processor-prof-"));
    await timeProcessor(profiled.env, EVENTS, 19_466, ["--cpu-prof", `--cpu-prof-dir=${dir}`]);
    r.processor.profile = hotspotsOfDir(dir, 8);
    rmSync(dir, { recursive: true, force: true });
  }
  const samples = agg.rss;
  const third = Math.max(1, Math.floor(samples.length / 3));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const middle = mean(samples.slice(third, 2 * third));
  const last = mean(samples.slice(2 * third));
  r.memory = {
    processorRssMbMax: Math.round(Math.max(...samples, 0)),
    processorRssMbStart: Math.round(samples[0] ?? 0),
    processorRssMbEnd: Math.round(samples.at(-1) ?? 0),
    flat: samples.length >= 3 && last <= middle * 1.1,
  };
  await dropKeyspaces(aggregatesOnly.config, [
    aggregatesOnly.config.CASSANDRA_KEYSPACE,
    withUsers.config.CASSANDRA_KEYSPACE,
    profiled.config.CASSANDRA_KEYSPACE,
  ]);
}
