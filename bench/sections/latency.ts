import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sleep } from "../../common/src/timeouts.ts";
import { encodeAvroWire } from "../../common/src/wire-format.ts";
import { PROCESSOR_NODE_FLAGS } from "../../processor/src/node-flags.ts";
import { mapUser, openPipeline, syntheticUser } from "../../producer/src/index.ts";
import type { MessageSink } from "../../producer/src/kafka-producer.ts";
import { createRng } from "../../producer/src/rng.ts";
import { type Hotspot, hotspotsOfDir } from "../profile.ts";
import type { LatencyHop, Results } from "../report.ts";
import { percentile, subscribe } from "../sse-client.ts";
import { benchConfig } from "./bench-env.ts";
import { spawnService, stopChild, waitHttp } from "./children.ts";
import { cpuSeconds } from "./proc-stat.ts";

// Produce → browser: events are produced at a fixed rate with event time = now, through the real
// producer, Kafka, processor, aggregates topic and web tier, to an SSE client. Each event's produce
// time is remembered per window; when the client sees a window's count reach n, the events up to
// n of that window (in produce order) count as delivered at that moment.
//
// The trace says where the time goes, hop by hop, each from the same produce time: acknowledged by
// Kafka (the producer's delivery report), aggregated by the processor, sent to the live topic, fanned
// out by the web tier (the processor's and the web tier's own sampled e2e stages, /api/latency read
// every second of the run), received by the client. A last run at 10 000 events/s is profiled
// (--cpu-prof of the processor and the web tier), apart, so the profiler's cost stays out of the figures.
const SECONDS = Number(process.env.BENCH_LATENCY_SECONDS ?? 15);
/** 0 is as fast as the producer goes; BENCH_LATENCY_RATES=10000 runs one rate (the traced one). */
const RATES = (process.env.BENCH_LATENCY_RATES ?? "1000,10000,0").split(",").map(Number);
const TRACED_RATE = 10_000;
/** Built for the as-fast-as-it-goes run; it sends what it can of them in SECONDS. */
const MAX_RATE_EVENTS = Number(process.env.BENCH_LATENCY_MAX_EVENTS ?? 300_000);
/** Records handed to the producer and not acknowledged yet, at most (librdkafka's queue holds them). */
const MAX_UNACKED = 100_000;
/** Records sent in one event-loop turn at most, so the client's reads and delivery reports get turns. */
const MAX_PER_TURN = 2_000;

interface WindowMsg {
  windowStart: number;
  group: string;
  key: string;
  count: number;
}

interface StageQuantiles {
  p50: number | null;
  p99: number | null;
}

interface LatencyAnswer {
  processed: StageQuantiles | null;
  emitted: StageQuantiles | null;
  delivered: StageQuantiles;
}

interface Measured {
  achievedRate: number;
  latencies: number[];
  hops: LatencyHop[];
  /** Share of one core the processor and the web tier used while events flowed (/proc). */
  cpuPercent: { processor: number; web: number };
}

/** The producer's sink, noting how long each record took from produce() to its delivery report. */
function ackTimed(sink: MessageSink, acks: number[]): MessageSink {
  return {
    produce(topic, key, value, headers, onDelivery) {
      const at = performance.now();
      sink.produce(topic, key, value, headers, (err) => {
        acks.push(performance.now() - at);
        onDelivery(err);
      });
    },
  };
}

const cpuOf = (pid: number | undefined) => (pid === undefined ? Number.NaN : (cpuSeconds(pid) ?? Number.NaN));

const median = (xs: number[]) =>
  percentile(
    [...xs].sort((a, b) => a - b),
    50,
  );

/** A stage's p50 and p99 over the run: the median of the per-second figures /api/latency gave. */
function stageOverRun(polls: LatencyAnswer[], stage: (a: LatencyAnswer) => StageQuantiles | null) {
  const of = (q: "p50" | "p99") =>
    median(polls.map((a) => stage(a)?.[q]).filter((v): v is number => typeof v === "number"));
  return { p50Ms: of("p50"), p99Ms: of("p99") };
}

interface ProfileDirs {
  processor: string;
  web: string;
}

async function measure(rate: number, profDirs?: ProfileDirs): Promise<Measured> {
  const { config, env } = benchConfig("lat", { STORE_USERS: "false" });
  const webPort = 13_000 + Math.floor(Math.random() * 1000);
  const statusPort = webPort + 1_000;
  const prof = (dir: string | undefined) => (dir ? ["--cpu-prof", `--cpu-prof-dir=${dir}`] : []);
  const pipeline = await openPipeline(config);
  const processor = spawnService(
    "processor/src/main.ts",
    { ...env, PROCESSOR_METRICS_PORT: String(statusPort) },
    [...PROCESSOR_NODE_FLAGS, ...prof(profDirs?.processor)],
  );
  const web = spawnService(
    "web/src/runtime/node.ts",
    { ...env, WEB_PORT: String(webPort), PROCESSOR_STATUS_URL: `http://127.0.0.1:${statusPort}` },
    prof(profDirs?.web),
  );
  const produced = new Map<number, number[]>();
  const delivered = new Map<number, number>();
  const latencies: number[] = [];
  const acks: number[] = [];
  const polls: LatencyAnswer[] = [];
  const abort = new AbortController();
  let stopped = false;
  try {
    await waitHttp(`http://127.0.0.1:${statusPort}/status`);
    await waitHttp(`http://127.0.0.1:${webPort}/healthz`);
    const sse = subscribe(
      `http://127.0.0.1:${webPort}/api/stream`,
      (msg, at) => {
        if (msg.event !== "update") return;
        for (const w of JSON.parse(msg.data) as WindowMsg[]) {
          if (w.group !== "all") continue;
          const times = produced.get(w.windowStart);
          if (!times) continue;
          const from = delivered.get(w.windowStart) ?? 0;
          const upTo = Math.min(w.count, times.length);
          for (let i = from; i < upTo; i++) latencies.push(at - times[i]!);
          if (upTo > from) delivered.set(w.windowStart, upTo);
        }
      },
      abort.signal,
    ).catch((e: Error) => console.error(`  sse: ${e.message}`));
    await sleep(2_000);

    // Every record is built before the clock starts, each with the event time it is due at, so the timed
    // loop only hands ready bytes to the producer: building them on the way cost this process more than
    // 10 000 events/s took (it reached 4 116/s at load 11) and held back the very delivery reports and
    // SSE reads it times.
    const planned = rate > 0 ? Math.ceil(SECONDS * rate) : MAX_RATE_EVENTS;
    const rng = createRng(7);
    const type = pipeline.schema.type;
    // Event times from a start a little ahead of the build's end; should the build take longer, every
    // event time is the same few seconds behind its send (windows and watermarks only see the offset).
    const planT0 = Date.now() + 3_000;
    const records: { key: string; value: Buffer; at: number; eventTime: number }[] = [];
    for (let i = 0; i < planned; i++) {
      const at = rate > 0 ? (i * 1000) / rate : 0;
      const eventTime = Math.floor(planT0 + at);
      const mapped = mapUser(syntheticUser(rng, eventTime), eventTime, type, "synthetic");
      if (!mapped.ok) throw new Error(`synthetic user refused: ${mapped.reason}`);
      records.push({
        key: mapped.record.event_id,
        value: encodeAvroWire(type, pipeline.schema.id, mapped.record),
        at,
        eventTime,
      });
    }
    const t0 = Math.max(planT0, Date.now() + 100);
    const sink = ackTimed(pipeline.producer, acks);
    let unacked = 0;
    let failed = 0;
    const onDelivery = (err: Error | null) => {
      unacked--;
      if (err) failed++;
    };
    while (Date.now() < t0) await sleep(t0 - Date.now());
    const cpu0 = { processor: cpuOf(processor.pid), web: cpuOf(web.pid) };
    // The stages' recent quantiles, once a second while events flow (the first second is warm-up).
    const poller = setInterval(() => {
      if (Date.now() - t0 < 1_000) return;
      fetch(`http://127.0.0.1:${webPort}/api/latency`)
        .then((r) => r.json() as Promise<LatencyAnswer>)
        .then((a) => stopped || polls.push(a))
        .catch(() => undefined);
    }, 1_000);
    let i = 0;
    while (i < records.length && Date.now() - t0 < SECONDS * 1000) {
      // What is due by now goes out at once, then the loop yields for a millisecond.
      const now = Date.now();
      const until = i + MAX_PER_TURN;
      for (; i < until && i < records.length && t0 + records[i]!.at <= now && unacked < MAX_UNACKED; i++) {
        const r = records[i]!;
        const ws = Math.floor(r.eventTime / config.WINDOW_SIZE_MS) * config.WINDOW_SIZE_MS;
        let times = produced.get(ws);
        if (!times) {
          times = [];
          produced.set(ws, times);
        }
        times.push(Date.now());
        unacked++;
        sink.produce(config.TOPIC_USERS, r.key, r.value, [], onDelivery);
      }
      await sleep(1);
    }
    const total = i;
    const elapsedMs = Date.now() - t0;
    const achievedRate = (total / elapsedMs) * 1000;
    const busy = (pid: number | undefined, from: number) => ((cpuOf(pid) - from) * 100_000) / elapsedMs;
    const cpuPercent = {
      processor: Math.round(busy(processor.pid, cpu0.processor)),
      web: Math.round(busy(web.pid, cpu0.web)),
    };
    stopped = true;
    clearInterval(poller);
    while (unacked > 0) await sleep(10);
    if (failed > 0) throw new Error(`${failed} of ${total} events were not acknowledged by Kafka`);
    const deadline = Date.now() + 30_000;
    while (latencies.length < total && Date.now() < deadline) await sleep(200);
    abort.abort();
    await sse;
    if (latencies.length < total * 0.99) {
      throw new Error(`only ${latencies.length} of ${total} events reached the SSE client`);
    }
    acks.sort((a, b) => a - b);
    const sorted = [...latencies].sort((a, b) => a - b);
    const hops: LatencyHop[] = [
      {
        hop: "acknowledged by Kafka (producer delivery report)",
        p50Ms: percentile(acks, 50),
        p99Ms: percentile(acks, 99),
      },
      { hop: "aggregated by the processor", ...stageOverRun(polls, (a) => a.processed) },
      { hop: "sent to the live topic (processor publish)", ...stageOverRun(polls, (a) => a.emitted) },
      { hop: "fanned out by the web tier", ...stageOverRun(polls, (a) => a.delivered) },
      { hop: "received by the SSE client", p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99) },
    ].map((h) => ({ ...h, p50Ms: Math.round(h.p50Ms), p99Ms: Math.round(h.p99Ms) }));
    return { achievedRate, latencies, hops, cpuPercent };
  } finally {
    stopped = true;
    abort.abort();
    await pipeline.close();
    await Promise.all([stopChild(processor), stopChild(web)]);
  }
}

/** The run at TRACED_RATE again with both services under --cpu-prof; their top self time. */
async function measureProfiled(): Promise<{ processor: Hotspot[]; web: Hotspot[] }> {
  const dirs = {
    processor: mkdtempSync(join(tmpdir(), "lat-proc-prof-")),
    web: mkdtempSync(join(tmpdir(), "lat-web-prof-")),
  };
  try {
    await measure(TRACED_RATE, dirs);
    return { processor: hotspotsOfDir(dirs.processor, 8), web: hotspotsOfDir(dirs.web, 8) };
  } finally {
    rmSync(dirs.processor, { recursive: true, force: true });
    rmSync(dirs.web, { recursive: true, force: true });
  }
}

export async function latencySection(r: Results): Promise<void> {
  const table: NonNullable<Results["latency"]>["table"] = [];
  let trace: LatencyHop[] = [];
  let cpu: Measured["cpuPercent"] | undefined;
  for (const rate of RATES) {
    const { achievedRate, latencies, hops, cpuPercent } = await measure(rate);
    latencies.sort((a, b) => a - b);
    const row = {
      targetRate: rate === 0 ? Math.round(achievedRate) : rate,
      achievedRate: Math.round(achievedRate),
      p50Ms: Math.round(percentile(latencies, 50)),
      p99Ms: Math.round(percentile(latencies, 99)),
      maxMs: Math.round(latencies.at(-1) ?? Number.NaN),
    };
    console.log(`  ${rate === 0 ? "max" : rate}/s: ${JSON.stringify(row)}`);
    if (rate === TRACED_RATE) {
      trace = hops;
      cpu = cpuPercent;
      console.log(`    CPU (% of one core): processor ${cpuPercent.processor}, web tier ${cpuPercent.web}`);
      for (const h of hops) console.log(`    ${h.hop}: p50 ${h.p50Ms} ms, p99 ${h.p99Ms} ms`);
    }
    table.push(row);
  }
  const at10k = table.find((t) => t.targetRate === TRACED_RATE) ?? table[0]!;
  r.latency = { p50Ms: at10k.p50Ms, p99Ms: at10k.p99Ms, maxMs: at10k.maxMs, table, trace };
  if (cpu) r.latency.cpuPercent = cpu;
  r.latency.profile = await measureProfiled();
}
