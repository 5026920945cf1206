import { sleep } from "../../common/src/timeouts.ts";
import { PROCESSOR_NODE_FLAGS } from "../../processor/src/node-flags.ts";
import { openPipeline, syntheticUser } from "../../producer/src/index.ts";
import { createRng } from "../../producer/src/rng.ts";
import type { Results } from "../report.ts";
import { percentile, subscribe } from "../sse-client.ts";
import { benchConfig } from "./bench-env.ts";
import { spawnService, stopChild, waitHttp } from "./children.ts";

// Produce → browser: events are produced at a fixed rate with event time = now, through the real
// producer, Kafka, processor, aggregates topic and web tier, to an SSE client. Each event's produce
// time is remembered per window; when the client sees a window's count reach n, the events up to
// n of that window (in produce order) count as delivered at that moment.
const SECONDS = Number(process.env.BENCH_LATENCY_SECONDS ?? 15);
const RATES = [1_000, 10_000, 0];

interface WindowMsg {
  windowStart: number;
  group: string;
  key: string;
  count: number;
}

async function measure(rate: number): Promise<{ achievedRate: number; latencies: number[] }> {
  const { config, env } = benchConfig("lat", { STORE_USERS: "false" });
  const webPort = 13_000 + Math.floor(Math.random() * 1000);
  const statusPort = webPort + 1_000;
  const pipeline = await openPipeline(config);
  const processor = spawnService(
    "processor/src/main.ts",
    { ...env, PROCESSOR_METRICS_PORT: String(statusPort) },
    PROCESSOR_NODE_FLAGS,
  );
  const web = spawnService("web/src/runtime/node.ts", {
    ...env,
    WEB_PORT: String(webPort),
    PROCESSOR_STATUS_URL: `http://127.0.0.1:${statusPort}`,
  });
  const produced = new Map<number, number[]>();
  const delivered = new Map<number, number>();
  const latencies: number[] = [];
  const abort = new AbortController();
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

    const ingestor = pipeline.ingestor("synthetic");
    const rng = createRng(7);
    const t0 = Date.now();
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
    return { achievedRate, latencies };
  } finally {
    abort.abort();
    await pipeline.close();
    await Promise.all([stopChild(processor), stopChild(web)]);
  }
}

export async function latencySection(r: Results): Promise<void> {
  const table: NonNullable<Results["latency"]>["table"] = [];
  for (const rate of RATES) {
    const { achievedRate, latencies } = await measure(rate);
    latencies.sort((a, b) => a - b);
    const row = {
      targetRate: rate === 0 ? Math.round(achievedRate) : rate,
      achievedRate: Math.round(achievedRate),
      p50Ms: Math.round(percentile(latencies, 50)),
      p99Ms: Math.round(percentile(latencies, 99)),
      maxMs: Math.round(latencies.at(-1) ?? Number.NaN),
    };
    console.log(`  ${rate === 0 ? "max" : rate}/s: ${JSON.stringify(row)}`);
    table.push(row);
  }
  const at10k = table[1]!;
  r.latency = { p50Ms: at10k.p50Ms, p99Ms: at10k.p99Ms, maxMs: at10k.maxMs, table };
}
