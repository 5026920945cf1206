import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sleep } from "../../common/src/timeouts.ts";
import { PROCESSOR_NODE_FLAGS } from "../../processor/src/node-flags.ts";
import { openPipeline, syntheticUser } from "../../producer/src/index.ts";
import { Ingestor } from "../../producer/src/ingestor.ts";
import type { MessageSink } from "../../producer/src/kafka-producer.ts";
import { createRng } from "../../producer/src/rng.ts";
import { type Hotspot, hotspotsOfDir } from "../profile.ts";
import type { LatencyHop, Results } from "../report.ts";
import { percentile, subscribe } from "../sse-client.ts";
import { benchConfig } from "./bench-env.ts";
import { spawnService, stopChild, waitHttp } from "./children.ts";

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
const RATES = [1_000, 10_000, 0];
const TRACED_RATE = 10_000;

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

    const ingestor = new Ingestor({
      sink: ackTimed(pipeline.producer, acks),
      schema: pipeline.schema,
      usersTopic: config.TOPIC_USERS,
      dlqTopic: config.TOPIC_DLQ,
      source: "synthetic",
    });
    const rng = createRng(7);
    const t0 = Date.now();
    // The stages' recent quantiles, once a second while events flow (the first second is warm-up).
    const poller = setInterval(() => {
      if (Date.now() - t0 < 1_000) return;
      fetch(`http://127.0.0.1:${webPort}/api/latency`)
        .then((r) => r.json() as Promise<LatencyAnswer>)
        .then((a) => stopped || polls.push(a))
        .catch(() => undefined);
    }, 1_000);
    let i = 0;
    while (Date.now() - t0 < SECONDS * 1000) {
      if (rate > 0) {
        const due = t0 + (i * 1000) / rate;
        if (due > Date.now()) await sleep(due - Date.now());
      }
      const now = Date.now();
      const ws = Math.floor(now / config.WINDOW_SIZE_MS) * config.WINDOW_SIZE_MS;
      let times = produced.get(ws);
      if (!times) {
        times = [];
        produced.set(ws, times);
      }
      times.push(now);
      await ingestor.offerUser(syntheticUser(rng, now), now);
      i++;
    }
    stopped = true;
    clearInterval(poller);
    await ingestor.drain();
    const achievedRate = (i / (Date.now() - t0)) * 1000;
    const total = i;
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
    return { achievedRate, latencies, hops };
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
  for (const rate of RATES) {
    const { achievedRate, latencies, hops } = await measure(rate);
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
      for (const h of hops) console.log(`    ${h.hop}: p50 ${h.p50Ms} ms, p99 ${h.p99Ms} ms`);
    }
    table.push(row);
  }
  const at10k = table[1]!;
  r.latency = { p50Ms: at10k.p50Ms, p99Ms: at10k.p99Ms, maxMs: at10k.maxMs, table, trace };
  r.latency.profile = await measureProfiled();
}
