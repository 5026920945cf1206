import { KafkaJS } from "@confluentinc/kafka-javascript";
import autocannon from "autocannon";
import type { Client } from "cassandra-driver";
import { createCassandraClient } from "../../common/src/cassandra-client.ts";
import { hourBucket, migrate } from "../../common/src/cassandra-schema.ts";
import { ensureTopics } from "../../common/src/kafka-topics.ts";
import { sleep } from "../../common/src/timeouts.ts";
import { API_SCENARIO, type HttpScenario, PAGES_SCENARIO } from "../k6/scenarios.ts";
import type { HttpScenarioResult, Results } from "../report.ts";
import { percentile, subscribe } from "../sse-client.ts";
import { benchConfig } from "./bench-env.ts";
import { spawnService, stopChild, waitHttp } from "./children.ts";
import { cpuSeconds } from "./proc-stat.ts";

// The web tier alone: (1) SSE fan-out — the bench publishes window rows to the aggregates topic
// every 100 ms, each tick a new window, and N clients time its arrival against its publish time;
// (2) the aggregates API under load, over a day of stored windows.
const FANOUT = [100, 1_000];
const TICKS = Number(process.env.BENCH_FANOUT_TICKS ?? 100);
const W = 10_000;

async function fanout(
  port: number,
  topic: string,
  clients: number,
  producer: KafkaJS.Producer,
  webPid: number | undefined,
) {
  const abort = new AbortController();
  let connected = 0;
  const published = new Map<number, number>();
  const delays: number[] = [];
  const subs = Array.from({ length: clients }, () =>
    subscribe(
      `http://127.0.0.1:${port}/api/stream`,
      (msg, at) => {
        if (msg.event === "snapshot") connected++;
        if (msg.event !== "update") return;
        for (const w of JSON.parse(msg.data) as { windowStart: number }[]) {
          const t = published.get(w.windowStart);
          if (t !== undefined) delays.push(at - t);
        }
      },
      abort.signal,
    ).catch(() => undefined),
  );
  const deadline = Date.now() + 60_000;
  while (connected < clients && Date.now() < deadline) await sleep(100);
  // Far ahead of real time, and each run past the previous one: the hub forgets windows that start
  // more than its lookback before the newest it has seen.
  const base = Math.floor(Date.now() / W) * W + (1_000_000 + clients * 1_000) * W;
  const cpu0 = webPid === undefined ? undefined : cpuSeconds(webPid);
  for (let i = 0; i < TICKS; i++) {
    const windowStart = base + i * W;
    const row = {
      windowStart,
      windowEnd: windowStart + W,
      group: "all",
      key: "*",
      partition: 0,
      count: i + 1,
      sumAge: 40 * (i + 1),
      minAge: 20,
      maxAge: 60,
      final: false,
      watermark: windowStart,
      emittedAt: Date.now(),
    };
    published.set(windowStart, performance.timeOrigin + performance.now());
    await producer.send({ topic, messages: [{ key: `all|*|${windowStart}|0`, value: JSON.stringify(row) }] });
    await sleep(100);
  }
  await sleep(2_000);
  const cpu1 = webPid === undefined ? undefined : cpuSeconds(webPid);
  abort.abort();
  await Promise.all(subs);
  delays.sort((a, b) => a - b);
  return {
    clients,
    connected,
    received: delays.length,
    expected: connected * TICKS,
    p50DelayMs: percentile(delays, 50),
    p99DelayMs: percentile(delays, 99),
    // The web tier's CPU time per update fanned out to every client (its whole process: Kafka included).
    webCpuMsPerUpdate: cpu0 === undefined || cpu1 === undefined ? Number.NaN : ((cpu1 - cpu0) * 1000) / TICKS,
  };
}

/**
 * One of bench/k6's HTTP scenarios with autocannon: the same connections, paths (cycled per
 * connection) and duration (BENCH_API_SECONDS shortens it), judged by the same thresholds.
 */
async function httpScenario(base: string, name: string, s: HttpScenario): Promise<HttpScenarioResult> {
  const paths = s.paths(Date.now());
  const run = await autocannon({
    url: base,
    connections: s.vus,
    duration: Number(process.env.BENCH_API_SECONDS ?? s.seconds),
    requests: paths.map((path) => ({ method: "GET", path })),
  });
  const failed = run.errors + run.non2xx;
  const total = run.requests.total + run.errors;
  const failedRate = total > 0 ? failed / total : 1;
  const pMs = s.thresholds.percentile === 99 ? run.latency.p99 : run.latency.p97_5;
  const result = {
    scenario: `bench/k6/${name}.ts`,
    requestsPerSec: Math.round(run.requests.average),
    p50Ms: run.latency.p50,
    p99Ms: run.latency.p99,
    errors: failed,
    thresholdPercentileMs: pMs,
    threshold: `p(${s.thresholds.percentile}) < ${s.thresholds.maxMs} ms, failed < ${s.thresholds.failedRate * 100}%`,
    passed: failedRate < s.thresholds.failedRate && pMs < s.thresholds.maxMs,
  };
  console.log(`  ${name} (${result.scenario} with autocannon): ${JSON.stringify(result)}`);
  return result;
}

async function seedWindows(client: Client, ks: string, from: number, to: number): Promise<void> {
  const stmt = `INSERT INTO ${ks}.window_aggregates (group_name, hour, window_start, key, kafka_partition,
    window_end, count, sum_age, min_age, max_age, final, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,toTimestamp(now()))`;
  const pending: Promise<unknown>[] = [];
  for (let ws = from; ws < to; ws += W) {
    for (const [group, key] of [
      ["all", "*"],
      ["gender", "female"],
      ["gender", "male"],
      ["nat", "FR"],
      ["nat", "US"],
    ] as const) {
      for (let p = 0; p < 3; p++) {
        pending.push(
          client.execute(stmt, [group, hourBucket(ws), ws, key, p, ws + W, 10, 400, 20, 60, true], {
            prepare: true,
          }),
        );
        if (pending.length >= 256) await Promise.all(pending.splice(0));
      }
    }
  }
  await Promise.all(pending);
}

export async function webSection(r: Results): Promise<void> {
  const { config, env } = benchConfig("web");
  await ensureTopics(config);
  const cass = createCassandraClient(config);
  await cass.connect();
  await migrate(cass, config.CASSANDRA_KEYSPACE);
  const now = Date.now();
  const hourAgo = Math.floor((now - 3_600_000) / W) * W;
  await seedWindows(cass, config.CASSANDRA_KEYSPACE, hourAgo, now);

  const port = 14_000 + Math.floor(Math.random() * 1000);
  // The live-client cap (WEB_LIVE_MAX_CLIENTS, 500 by default) above the largest fan-out measured.
  const web = spawnService("web/src/runtime/node.ts", {
    ...env,
    WEB_PORT: String(port),
    WEB_LIVE_MAX_CLIENTS: String(2 * Math.max(...FANOUT)),
  });
  const kafka = new KafkaJS.Kafka({
    kafkaJS: { brokers: [config.KAFKA_BOOTSTRAP], logLevel: KafkaJS.logLevel.ERROR },
  });
  const producer = kafka.producer({ "linger.ms": 0 });
  await producer.connect();
  try {
    await waitHttp(`http://127.0.0.1:${port}/healthz`);
    const results = [];
    for (const n of FANOUT) {
      const f = await fanout(port, config.TOPIC_AGGREGATES, n, producer, web.pid);
      console.log(`  fan-out ${n}: ${JSON.stringify(f)}`);
      results.push(f);
    }
    const base = `http://127.0.0.1:${port}`;
    const api = await httpScenario(base, "api", API_SCENARIO);
    const pages = await httpScenario(base, "pages", PAGES_SCENARIO);
    const held = results.filter((f) => f.connected === f.clients && f.received >= f.expected * 0.99);
    const best = held.at(-1);
    r.web = {
      sseClients: best?.clients ?? 0,
      p99DelayMs: best ? Math.round(best.p99DelayMs * 10) / 10 : Number.NaN,
      fanout: results.map((f) => ({
        clients: f.clients,
        connected: f.connected,
        p50DelayMs: Math.round(f.p50DelayMs * 10) / 10,
        p99DelayMs: Math.round(f.p99DelayMs * 10) / 10,
        webCpuMsPerUpdate: Math.round(f.webCpuMsPerUpdate * 10) / 10,
      })),
      api,
      pages,
    };
  } finally {
    await producer.disconnect();
    await stopChild(web);
    await cass.execute(`DROP KEYSPACE IF EXISTS ${config.CASSANDRA_KEYSPACE}`);
    await cass.shutdown();
  }
}
