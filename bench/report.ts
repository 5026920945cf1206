import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { versions } from "../stack/versions.ts";
import type { Hotspot } from "./profile.ts";

export interface Results {
  machine: { cores: number; cpuModel: string; memoryGiB: number; os: string };
  versions: Record<string, string>;
  date: string;
  core?: {
    /** add(), one call an event: the processor's hot path. */
    eventsPerSec: number;
    /** addBatch(), 4096 events a call. */
    batchEventsPerSec: number;
    baselineEventsPerSec: number;
    ratio: number;
    bun?: { eventsPerSec: number; batchEventsPerSec: number; baselineEventsPerSec: number; ratio: number };
    profile?: { fn: string; at: string; selfPercent: number }[];
    /** add() events/s of each process the core ran in (Node, Bun); the figures above are the best. */
    perProcess?: { eventsPerSec: number }[];
    bunPerProcess?: { eventsPerSec: number }[];
    [k: string]: unknown;
  };
  processor?: {
    eventsPerSec: number;
    /** Events per second of the processor process's CPU time (utime + stime from /proc). */
    eventsPerCpuSecond: number;
    eventsPerSecWithUsers: number;
    /** The best bare cassandra-driver loader of the same users rows over the statement shapes tried. */
    usersCeilingEventsPerSec: number;
    usersCeiling: { shape: string; own: boolean; rowsInFlight: number; eventsPerSec: number }[];
    usersRatioToCeiling: number;
    /** Cores the processor storing users kept busy (CPU-seconds over seconds). */
    usersCpuCores?: number;
    rawConsumeEventsPerSec: number;
    rawConsumeEventsPerCpuSecond: number;
    ratioToRaw: number;
    events: number;
    /** The topic every reader of the run read (the peers too). */
    topic: string;
    /** Per-group counts of the stored window rows against the events that were not late. */
    check: CountsCheck;
    /** One instance and N = cores instances in one consumer group. */
    instances: {
      count: number;
      eventsPerSec: number;
      eventsPerCpuSecond: number;
      check?: CountsCheck;
      /** Events/s of every run; the figures are the best run's. */
      runs?: number[];
    }[];
    /** Top self time of a profiled aggregates-only run, when the ratio target is missed. */
    profile?: { fn: string; at: string; selfPercent: number }[];
  };
  /** `bench --peers`: the same aggregation over the same topic by Spark and by Kafka Streams. */
  peers?: { spark?: PeerFigures; kafkaStreams?: PeerFigures };
  latency?: {
    p50Ms: number;
    p99Ms: number;
    maxMs: number;
    table: { targetRate: number; achievedRate: number; p50Ms: number; p99Ms: number; maxMs: number }[];
    /** Where the time goes at 10 000 events/s: each hop's latency from the same produce time. */
    trace: LatencyHop[];
    /** Share of one core the processor and the web tier used in the traced run. */
    cpuPercent?: { processor: number; web: number };
    /** Top self time of the processor and the web tier in a profiled run at 10 000 events/s. */
    profile?: { processor: Hotspot[]; web: Hotspot[] };
  };
  web?: {
    sseClients: number;
    p99DelayMs: number;
    fanout: {
      clients: number;
      connected: number;
      p50DelayMs: number;
      p99DelayMs: number;
      /** The web tier's CPU time per update fanned out to every client. */
      webCpuMsPerUpdate?: number;
    }[];
    api: HttpScenarioResult;
    pages?: HttpScenarioResult;
  };
  memory?: {
    processorRssMbMax: number;
    processorRssMbStart: number;
    processorRssMbEnd: number;
    flat: boolean;
  };
  /** os.loadavg() (1, 5, 15 min) as each section started: the machine is shared. */
  loadAverage: Record<string, number[]>;
  errors: Record<string, string>;
}

/** One hop of produce → browser: the latency from the produce call to the moment an event passed it. */
export interface LatencyHop {
  hop: string;
  p50Ms: number;
  p99Ms: number;
}

/** A bench/k6 HTTP scenario as the bench runs it (autocannon), judged by the scenario's thresholds. */
export interface HttpScenarioResult {
  scenario: string;
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  threshold?: string;
  /** The latency at the threshold's percentile. */
  thresholdPercentileMs?: number;
  passed?: boolean;
}

export interface CountsCheck {
  ok: boolean;
  expected: number;
  counts: Record<string, number>;
}

export interface PeerFigures {
  /** Name and version, e.g. "Kafka Streams 4.1.1". */
  system: string;
  eventsPerSec: number;
  eventsPerCpuSecond: number;
  seconds: number;
  cpuSeconds: number;
  rssMbMax: number;
  /** What the peer writes while it aggregates. */
  writes: string;
  /** Events/s of every run; the figures above are the best run's. */
  runs: number[];
  check: CountsCheck & { late: number; eventsRead: number };
}

function bunVersion(): string {
  try {
    return execFileSync("bun", ["--version"], { encoding: "utf8" }).trim();
  } catch {
    return "not installed";
  }
}

export function newResults(): Results {
  return {
    machine: {
      cores: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? "unknown",
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      os: `${os.type()} ${os.release()}`,
    },
    versions: {
      node: process.version,
      bun: bunVersion(),
      kafka: versions.kafka,
      cassandra: versions.cassandra,
      registry: `apicurio ${versions.apicurio}`,
    },
    date: new Date().toISOString(),
    loadAverage: {},
    errors: {},
  };
}

const fmt = (n: number | undefined, digits = 0) =>
  n === undefined || Number.isNaN(n) ? "n/a" : n.toLocaleString("en-US", { maximumFractionDigits: digits });

const verdict = (ok: boolean, miss: string) => (ok ? "met" : `**missed**: ${miss}`);

export function markdown(r: Results): string {
  const lines = [
    "# Benchmark results",
    "",
    `${r.date} — ${r.machine.cores} cores (${r.machine.cpuModel}), ${r.machine.memoryGiB} GiB, ${r.machine.os}`,
    `Versions: ${Object.entries(r.versions)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")}`,
    `Load average (1 / 5 / 15 min) as each section started: ${Object.entries(r.loadAverage ?? {})
      .map(([k, v]) => `${k} ${v.map((x) => x.toFixed(2)).join(" / ")}`)
      .join("; ")}`,
    "",
    "| measure | value | target | verdict |",
    "| --- | --- | --- | --- |",
  ];
  if (r.core) {
    lines.push(
      `| core events/s (100 keys, default aggregation, 1 core, add()) | ${fmt(r.core.eventsPerSec)} | ≥ 20 M | ${verdict(r.core.eventsPerSec >= 20e6, `${fmt((r.core.eventsPerSec / 20e6) * 100)}% of target`)} |`,
      `| the same through addBatch(), 4096 events a call | ${fmt(r.core.batchEventsPerSec)} | — | — |`,
      `| core vs naive Map-of-objects (same run) | ${fmt(r.core.ratio, 1)}× (naive ${fmt(r.core.baselineEventsPerSec)}/s) | ≥ 10× | ${verdict(r.core.ratio >= 10, `${fmt(r.core.ratio, 1)}×`)} |`,
    );
    if (r.core.bun) {
      lines.push(
        `| core events/s under Bun (same workload) | ${fmt(r.core.bun.eventsPerSec)} (addBatch() ${fmt(r.core.bun.batchEventsPerSec)}; naive ${fmt(r.core.bun.baselineEventsPerSec)}, ${fmt(r.core.bun.ratio, 1)}×) | ≥ 20 M, ≥ 10× | ${verdict(r.core.bun.eventsPerSec >= 20e6 && r.core.bun.ratio >= 10, `${fmt((r.core.bun.eventsPerSec / 20e6) * 100)}% of target, ${fmt(r.core.bun.ratio, 1)}×`)} |`,
      );
    }
  }
  if (r.core?.perProcess) {
    const list = (runs: { eventsPerSec: number }[] = []) => runs.map((p) => fmt(p.eventsPerSec)).join(", ");
    lines.push(
      `| core add() events/s in each process (the best is kept) | Node ${list(r.core.perProcess)}; Bun ${list(r.core.bunPerProcess)} | — | — |`,
    );
  }
  if (r.processor) {
    lines.push(
      `| processor events/s, aggregates only | ${fmt(r.processor.eventsPerSec)} (${fmt(r.processor.ratioToRaw * 100)}% of raw) | ≥ 70% of raw consume | ${verdict(r.processor.ratioToRaw >= 0.7, processorMiss(r.processor))} |`,
      `| processor events/s, with user records (until the last is durable) | ${fmt(r.processor.eventsPerSecWithUsers)} (${fmt(r.processor.usersRatioToCeiling * 100)}% of the loader) | ≥ 70% of the bare users loader | ${verdict(r.processor.usersRatioToCeiling >= 0.7, usersMiss(r.processor))} |`,
      `| bare cassandra-driver users loader (ceiling: the best shape), users/s | ${r.processor.usersCeiling.map((c) => `${c.shape} (${fmt(c.rowsInFlight)} rows in flight): ${fmt(c.eventsPerSec)}`).join("; ")} | — | — |`,
      `| raw librdkafka consume events/s (ceiling) | ${fmt(r.processor.rawConsumeEventsPerSec)} | — | — |`,
    );
  }
  if (r.latency) {
    lines.push(
      `| produce → SSE at 10 000 events/s: p50 / p99 / max ms | ${fmt(r.latency.p50Ms)} / ${fmt(r.latency.p99Ms)} / ${fmt(r.latency.maxMs)} | p99 ≤ 100 | ${verdict(r.latency.p99Ms <= 100, latencyMiss(r))} |`,
    );
  }
  if (r.web) {
    lines.push(
      `| SSE fan-out: clients held, p99 delay ms | ${r.web.sseClients}, ${fmt(r.web.p99DelayMs, 1)} | 1 000 at p99 ≤ 100 | ${verdict(r.web.sseClients >= 1000 && r.web.p99DelayMs <= 100, `${r.web.sseClients} clients, p99 ${fmt(r.web.p99DelayMs, 1)} ms`)} |`,
      ...[r.web.api, r.web.pages].flatMap((h, i) =>
        h
          ? [
              `| ${i === 0 ? "aggregates API" : "dashboard pages"} (${h.scenario}'s scenario, autocannon): req/s, p50 / p99 ms | ${fmt(h.requestsPerSec)}, ${fmt(h.p50Ms, 1)} / ${fmt(h.p99Ms, 1)} | ${h.threshold ?? "—"} | ${h.passed === undefined ? "—" : verdict(h.passed, `${fmt(h.thresholdPercentileMs ?? Number.NaN)} ms at the percentile, ${h.errors} failed`)} |`,
            ]
          : [],
      ),
    );
  }
  if (r.memory) {
    lines.push(
      `| processor RSS max MB (start → end) | ${fmt(r.memory.processorRssMbMax)} (${fmt(r.memory.processorRssMbStart)} → ${fmt(r.memory.processorRssMbEnd)}) | ≤ 256 and flat | ${verdict(r.memory.processorRssMbMax <= 256 && r.memory.flat, `${fmt(r.memory.processorRssMbMax)} MB, ${r.memory.flat ? "flat" : "growing"}`)} |`,
    );
  }
  if (r.latency) {
    lines.push(
      "",
      "## Produce → SSE latency by rate",
      "",
      "| target rate | achieved | p50 ms | p99 ms | max ms |",
      "| --- | --- | --- | --- | --- |",
    );
    for (const t of r.latency.table) {
      lines.push(
        `| ${fmt(t.targetRate)} | ${fmt(t.achievedRate)} | ${fmt(t.p50Ms)} | ${fmt(t.p99Ms)} | ${fmt(t.maxMs)} |`,
      );
    }
    if (r.latency.trace.length > 0) {
      lines.push(
        "",
        "Where the time goes at 10 000 events/s: each hop's latency from the same produce call (the producer's",
        "delivery reports; the processor's and the web tier's sampled e2e stages, the median of /api/latency's",
        "per-second quantiles; the SSE client's own receipt times):",
        "",
        "| hop (from the produce call) | p50 ms | p99 ms |",
        "| --- | --- | --- |",
        ...r.latency.trace.map((h) => `| ${h.hop} | ${fmt(h.p50Ms)} | ${fmt(h.p99Ms)} |`),
      );
    }
    for (const [name, spots] of Object.entries(r.latency.profile ?? {})) {
      lines.push(
        "",
        `Top self time of the ${name === "web" ? "web tier" : name} in one more run at 10 000 events/s under --cpu-prof:`,
        "",
        "| function | file | self % |",
        "| --- | --- | --- |",
        ...spots.map((h) => `| ${h.fn} | ${h.at} | ${h.selfPercent} |`),
      );
    }
  }
  if (r.web) {
    lines.push(
      "",
      "## SSE fan-out",
      "",
      "| clients | connected | p50 ms | p99 ms | web tier CPU ms per update to all |",
      "| --- | --- | --- | --- | --- |",
    );
    for (const f of r.web.fanout)
      lines.push(
        `| ${f.clients} | ${f.connected} | ${fmt(f.p50DelayMs, 1)} | ${fmt(f.p99DelayMs, 1)} | ${fmt(f.webCpuMsPerUpdate, 1)} |`,
      );
  }
  if (r.core?.profile && r.core.eventsPerSec < 20e6) {
    lines.push(
      "",
      "## Where the core's time goes",
      "",
      "V8 sampling profile of the core's runs in the core section (the naive baseline excluded), top self time:",
      "",
      "| function | file | self % |",
      "| --- | --- | --- |",
      ...r.core.profile.map((h) => `| ${h.fn} | ${h.at} | ${h.selfPercent} |`),
    );
  }
  if (r.processor?.profile) {
    lines.push(
      "",
      "## Where the processor's time goes",
      "",
      "V8 CPU profile (--cpu-prof) of one more aggregates-only run over the same topic, top self time of the",
      "whole process: `(garbage collector)` is V8's GC, `(idle)` the event loop waiting (on librdkafka's",
      "worker, Cassandra), `(program)` native code outside JS (librdkafka's binding building messages).",
      "",
      "| function | file | self % |",
      "| --- | --- | --- |",
      ...r.processor.profile.map((h) => `| ${h.fn} | ${h.at} | ${h.selfPercent} |`),
    );
  }
  if (r.peers && r.processor) lines.push(...peersTable(r.processor, r.peers, r.memory));
  const errs = Object.entries(r.errors);
  if (errs.length) lines.push("", "## Sections that failed", "", ...errs.map(([k, v]) => `- ${k}: ${v}`));
  return `${lines.join("\n")}\n`;
}

const selfOf = (spots: readonly Hotspot[] | undefined, fn: string) =>
  spots?.find((h) => h.fn === fn)?.selfPercent;

/**
 * By how much aggregates-only missed its share of the bare read, and why: the CPU an event costs the
 * processor over the bare read (decode, windowing, writes), and where its profile says the time went.
 */
function processorMiss(p: NonNullable<Results["processor"]>): string {
  const us = (perCpuSecond: number) => 1e6 / perCpuSecond;
  const parts = [
    `${fmt(p.ratioToRaw * 100)}% of raw, ${fmt(70 - p.ratioToRaw * 100)} points short`,
    `an event costs the processor ${fmt(us(p.eventsPerCpuSecond), 1)} µs of CPU against the bare read's ${fmt(us(p.rawConsumeEventsPerCpuSecond), 1)} µs, and it kept ${fmt(p.eventsPerSec / p.eventsPerCpuSecond, 2)} cores busy against ${fmt(p.rawConsumeEventsPerSec / p.rawConsumeEventsPerCpuSecond, 2)}`,
  ];
  if (p.profile) {
    const js = p.profile.find((h) => !h.fn.startsWith("("));
    parts.push(
      `profiled: ${fmt(selfOf(p.profile, "(idle)"))}% idle (waiting on the fetch or Cassandra), ${fmt(selfOf(p.profile, "(program)"))}% native (the binding building messages), ${fmt(selfOf(p.profile, "(garbage collector)"))}% GC${js ? `, the top JS function ${js.fn} ${fmt(js.selfPercent, 1)}%` : ""}`,
    );
  }
  return parts.join("; ");
}

/**
 * By how much the users path missed its ceiling, and why: the loader at the processor's own shape (same
 * batch size and concurrency) separates what the shape costs from what the processor adds.
 */
function usersMiss(p: NonNullable<Results["processor"]>): string {
  const parts = [`${fmt(p.usersRatioToCeiling * 100)}% of the best shape`];
  const own = p.usersCeiling.find((c) => c.own);
  if (own)
    parts.push(
      `the loader at the processor's own shape (${own.shape}) wrote ${fmt(own.eventsPerSec)} users/s, so the processor is ${fmt((p.eventsPerSecWithUsers / own.eventsPerSec) * 100)}% of its own shape's ceiling and the shape costs ${fmt((1 - own.eventsPerSec / p.usersCeilingEventsPerSec) * 100)}% against the best`,
    );
  if (p.usersCpuCores !== undefined)
    parts.push(
      `the processor kept ${fmt(p.usersCpuCores * 100)}% of a core busy${p.usersCpuCores < 0.8 ? ": it waits on Cassandra (its window rows and checkpoints share the writes' concurrency)" : ": it is CPU-bound"}`,
    );
  return parts.join("; ");
}

/** By how much produce → browser p99 missed, and why: the hop whose p99 grew most, and what the processes did. */
function latencyMiss(r: Results): string {
  const l = r.latency!;
  const parts = [`p99 ${fmt(l.p99Ms)} ms, ${fmt(l.p99Ms - 100)} ms over`];
  let worst: { hop: string; step: number } | null = null;
  for (let i = 1; i < l.trace.length; i++) {
    const step = l.trace[i]!.p99Ms - l.trace[i - 1]!.p99Ms;
    if (!worst || step > worst.step) worst = { hop: l.trace[i]!.hop, step };
  }
  if (l.trace[0] && (!worst || l.trace[0].p99Ms > worst.step))
    worst = { hop: l.trace[0].hop, step: l.trace[0].p99Ms };
  if (worst) parts.push(`the largest p99 step is "${worst.hop}" (+${fmt(worst.step)} ms)`);
  const idle = (spots: Hotspot[] | undefined) => selfOf(spots, "(idle)");
  if (l.cpuPercent) {
    const idleP = idle(l.profile?.processor);
    const idleW = idle(l.profile?.web);
    const waiting = (idleP ?? 0) > 50 && (idleW ?? 0) > 50;
    parts.push(
      `the processor used ${fmt(l.cpuPercent.processor)}% of a core and the web tier ${fmt(l.cpuPercent.web)}% (profiled: ${fmt(idleP)}% and ${fmt(idleW)}% idle)${waiting ? ", so events wait for a CPU or the broker, not for their code" : ""}`,
    );
  }
  const load = r.loadAverage?.latency?.[0];
  if (load !== undefined) parts.push(`load average ${load.toFixed(1)} on ${r.machine.cores} cores`);
  return parts.join("; ");
}

const checked = (c: CountsCheck | undefined) =>
  c === undefined
    ? "—"
    : c.ok
      ? `ok: ${fmt(c.expected)} each`
      : `**wrong**: expected ${fmt(c.expected)}, got ${Object.entries(c.counts)
          .map(([g, n]) => `${g} ${fmt(n)}`)
          .join(", ")}`;

/**
 * By how much the processor missed a peer, and why: the cores each kept busy (events/s over events per
 * CPU-second) say whether the processor lacked CPU or used it less well.
 */
function peerMiss(
  mine: { count: number; eventsPerSec: number; eventsPerCpuSecond: number },
  peer: PeerFigures,
  rate: number,
  perCpu: number,
  target: number,
): string {
  const cores = (x: { eventsPerSec: number; eventsPerCpuSecond: number }) =>
    x.eventsPerSec / x.eventsPerCpuSecond;
  const short = [
    rate < target ? `events/s ${fmt(rate, 2)}×` : "",
    perCpu < target ? `per CPU-second ${fmt(perCpu, 2)}×` : "",
  ]
    .filter((x) => x !== "")
    .join(", ");
  return `${short} against ≥ ${target}×; the processor's ${mine.count} instance${mine.count > 1 ? "s" : ""} kept ${fmt(cores(mine), 2)} cores busy, the peer ${fmt(cores(peer), 2)}`;
}

function peersTable(
  p: NonNullable<Results["processor"]>,
  peers: NonNullable<Results["peers"]>,
  memory: Results["memory"],
): string[] {
  const one = p.instances[0];
  const n = p.instances.at(-1);
  const runsOf = (runs: number[] | undefined) =>
    runs && runs.length > 1 ? ` (runs: ${runs.map((x) => fmt(x)).join(", ")})` : "";
  const rows = [
    `| this processor, 1 instance | window rows and checkpoints to Cassandra, live updates to the aggregates topic | ${fmt(p.eventsPerSec)}${runsOf(one?.runs)} | ${fmt(p.eventsPerCpuSecond)} | ${fmt(memory?.processorRssMbMax)} | ${checked(p.check)} |`,
  ];
  if (n && n.count > 1)
    rows.push(
      `| this processor, ${n.count} instances in one group | the same | ${fmt(n.eventsPerSec)} (${fmt(n.eventsPerSec / p.eventsPerSec, 2)}× one)${runsOf(n.runs)} | ${fmt(n.eventsPerCpuSecond)} | — | ${checked(n.check)} |`,
    );
  for (const peer of [peers.spark, peers.kafkaStreams])
    if (peer)
      rows.push(
        `| ${peer.system} | ${peer.writes} | ${fmt(peer.eventsPerSec)}${runsOf(peer.runs)} | ${fmt(peer.eventsPerCpuSecond)} | ${fmt(peer.rssMbMax)} | ${checked(peer.check)}${peer.check.late ? ` (${fmt(peer.check.late)} late)` : ""} |`,
      );
  rows.push(
    `| bare librdkafka read, JS (the processor's ceiling) | nothing | ${fmt(p.rawConsumeEventsPerSec)} | ${fmt(p.rawConsumeEventsPerCpuSecond)} | — | — |`,
  );
  // The peers run on every core (local[N], N stream threads): the like-for-like processor is N instances.
  const versus = (
    mine: { count: number; eventsPerSec: number; eventsPerCpuSecond: number } | undefined,
    peer: PeerFigures | undefined,
    target: number,
  ) => {
    if (!peer || !mine) return [];
    const rate = mine.eventsPerSec / peer.eventsPerSec;
    const perCpu = mine.eventsPerCpuSecond / peer.eventsPerCpuSecond;
    const judged = mine.count > 1 || !n || n.count === 1;
    return [
      `| ${mine.count} instance${mine.count > 1 ? "s" : ""} against ${peer.system} | ${fmt(rate, 2)}× | ${fmt(perCpu, 2)}× | ${judged ? `≥ ${target}×` : "—"} | ${judged ? verdict(rate >= target && perCpu >= target, peerMiss(mine, peer, rate, perCpu, target)) : "—"} |`,
    ];
  };
  return [
    "",
    "## The processor and its peers",
    "",
    `Every system read the same ${fmt(p.events)}-event topic (\`${p.topic}\`) from its earliest offset in a fresh group and stopped by itself at its end; the time and CPU time (utime + stime from /proc, from its first event to its last) are of the processing processes only. Per-group counts: the sum of count over every window, for each of all, nat and gender, against the events that were not late.`,
    "",
    "| system | writes | events/s | events per CPU-second | RSS max MB | per-group counts |",
    "| --- | --- | --- | --- | --- | --- |",
    ...rows,
    "",
    `Each figure is the best of its runs (\`BENCH_REPS\`, runs of the same code differ by a third on this machine). Spark runs local[N] and Kafka Streams N stream threads on the machine's ${n?.count ?? 1} cores, so the processor's ${n?.count ?? 1} instances are the row judged; one instance is shown beside it.`,
    "",
    "| the processor | events/s | events per CPU-second | target | verdict |",
    "| --- | --- | --- | --- | --- |",
    ...versus(one, peers.spark, 2),
    ...(n && n.count > 1 ? versus(n, peers.spark, 2) : []),
    ...versus(one, peers.kafkaStreams, 1.5),
    ...(n && n.count > 1 ? versus(n, peers.kafkaStreams, 1.5) : []),
  ];
}

export function write(r: Results, dir: string): { json: string; md: string } {
  mkdirSync(dir, { recursive: true });
  const json = join(dir, "latest.json");
  const md = join(dir, "latest.md");
  writeFileSync(json, `${JSON.stringify(r, null, 2)}\n`);
  writeFileSync(md, markdown(r));
  return { json, md };
}
