import { mkdtempSync, rmSync } from "node:fs";
import os, { tmpdir } from "node:os";
import { join } from "node:path";
import { createCassandraClient } from "../../common/src/cassandra-client.ts";
import type { Config } from "../../common/src/config.ts";
import { loadProcessorOptions } from "../../processor/src/processor-options.ts";
import { hotspotsOfDir } from "../profile.ts";
import type { CountsCheck, Results } from "../report.ts";
import { bareRead } from "./bare-read.ts";
import { benchConfig, REPS, reportedRun } from "./bench-env.ts";
import { benchTopic } from "./bench-topic.ts";
import { countsCheck, type ProcessorRun, storedCounts, timeProcessors } from "./processor-run.ts";
import { usersCeiling } from "./users-ceiling.ts";

// Processor throughput against its ceiling, in one run: the same topic is read (1) by a bare
// librdkafka consumer doing nothing, (2) by the processor storing aggregates only, (3) by the
// processor also storing every user record. The processor runs as its own process, so its
// resident memory is sampled from /proc the way an operator would see it.
const EVENTS = Number(process.env.BENCH_EVENTS ?? 500_000);
/** `bench --peers` explains every row, so the processor is profiled even when it meets its target. */
const PEERS = process.argv.includes("--peers");
const EVENTS_WITH_USERS = Number(process.env.BENCH_EVENTS_WITH_USERS ?? 100_000);

/** The best of REPS runs of a processor figure, each over the topic in a fresh group and keyspace. */
async function bestOfReps(
  topic: string,
  tag: string,
  opts: { basePort: number; instances?: number },
  keyspaces: string[],
): Promise<{ best: ProcessorRun; check: CountsCheck; runs: number[] }> {
  let best: { best: ProcessorRun; check: CountsCheck; ok: boolean; eventsPerSec: number } | undefined;
  const runs: number[] = [];
  for (let i = 0; i < REPS; i++) {
    const { env, config } = benchConfig(tag, { STORE_USERS: "false", TOPIC_USERS: topic });
    keyspaces.push(config.CASSANDRA_KEYSPACE);
    const run = await timeProcessors(env, EVENTS, opts);
    const check = countsCheck(await storedCounts(config), EVENTS, run.late);
    runs.push(Math.round(run.eventsPerSec));
    best = reportedRun(best, { best: run, check, ok: check.ok, eventsPerSec: run.eventsPerSec });
  }
  return { best: best!.best, check: best!.check, runs };
}

async function dropKeyspaces(config: Config, keyspaces: string[]): Promise<void> {
  const c = createCassandraClient(config);
  await c.connect();
  for (const ks of keyspaces) await c.execute(`DROP KEYSPACE IF EXISTS ${ks}`);
  await c.shutdown();
}

export async function processorSection(r: Results): Promise<void> {
  const { topic } = await benchTopic(EVENTS);
  const aggregatesOnly = benchConfig("proc", { STORE_USERS: "false", TOPIC_USERS: topic });

  // The ceiling is the best bare read over the batch sizes worth trying, each given as many runs as the
  // processor's figures.
  let raw = { eventsPerSec: 0, eventsPerCpuSecond: 0 };
  for (let i = 0; i < REPS; i++) {
    for (const batchSize of [500, 1_000, 5_000]) {
      const run = await bareRead(
        aggregatesOnly.env,
        EVENTS,
        batchSize,
        `${aggregatesOnly.config.CONSUMER_GROUP}_raw_${batchSize}_${i}`,
      );
      if (run.eventsPerSec > raw.eventsPerSec) raw = run;
    }
  }
  console.log(`  raw consume: ${Math.round(raw.eventsPerSec)} events/s`);
  const keyspaces: string[] = [];
  const single = await bestOfReps(topic, "proc", { basePort: 19_464 }, keyspaces);
  const { best: agg, check } = single;
  console.log(
    `  processor (aggregates only): ${Math.round(agg.eventsPerSec)} events/s (runs ${single.runs.join(", ")}), ${Math.round(agg.eventsPerCpuSecond)} per CPU-second; counts ${check.ok ? "ok" : `WRONG ${JSON.stringify(check.counts)}`}`,
  );

  // N instances on N cores, one consumer group: how far the processor scales out on this machine.
  const cores = os.cpus().length;
  const scaled = await bestOfReps(topic, "procn", { basePort: 19_470, instances: cores }, keyspaces);
  const { best: multi, check: multiCheck } = scaled;
  console.log(
    `  processor × ${cores}: ${Math.round(multi.eventsPerSec)} events/s (runs ${scaled.runs.join(", ")}), ${Math.round(multi.eventsPerCpuSecond)} per CPU-second; counts ${multiCheck.ok ? "ok" : `WRONG ${JSON.stringify(multiCheck.counts)}`}`,
  );

  // User records stored too, timed until the last one is durable: a topic of its own with just the
  // events to store (fewer: Cassandra-bound), else the processor would go on past them.
  const usersEvents = Math.min(EVENTS, EVENTS_WITH_USERS);
  const withUsers = benchConfig("procu", {
    STORE_USERS: "true",
    TOPIC_USERS: (await benchTopic(usersEvents)).topic,
  });
  const users = await timeProcessors(withUsers.env, usersEvents, {
    basePort: 19_465,
    untilDurable: true,
  });
  console.log(`  processor (with users): ${Math.round(users.eventsPerSec)} events/s`);
  const options = loadProcessorOptions(process.env);
  const ceilingConfig = benchConfig("ceil").config;
  const ceilingRuns = await usersCeiling(ceilingConfig, usersEvents, {
    users: options.PROCESSOR_USERS_PER_BATCH,
    concurrency: options.PROCESSOR_SINK_CONCURRENCY,
  }).catch((err: Error) => {
    // The processor's figures stand without it; the summary lists the failure.
    r.errors["users ceiling"] = err.message;
    return [];
  });
  const ceiling = ceilingRuns.length > 0 ? Math.max(...ceilingRuns.map((c) => c.eventsPerSec)) : Number.NaN;
  console.log(
    `  bare users loader: ${ceilingRuns.map((c) => `${c.shape} ${Math.round(c.eventsPerSec)}`).join(", ")} users/s`,
  );

  r.processor = {
    eventsPerSec: Math.round(agg.eventsPerSec),
    eventsPerCpuSecond: Math.round(agg.eventsPerCpuSecond),
    eventsPerSecWithUsers: Math.round(users.eventsPerSec),
    usersCeilingEventsPerSec: Math.round(ceiling),
    usersCeiling: ceilingRuns.map((c) => ({ ...c, eventsPerSec: Math.round(c.eventsPerSec) })),
    usersRatioToCeiling: users.eventsPerSec / ceiling,
    usersCpuCores: users.cpuSeconds / (usersEvents / users.eventsPerSec),
    rawConsumeEventsPerSec: Math.round(raw.eventsPerSec),
    rawConsumeEventsPerCpuSecond: Math.round(raw.eventsPerCpuSecond),
    ratioToRaw: agg.eventsPerSec / raw.eventsPerSec,
    events: EVENTS,
    topic,
    check,
    instances: [
      {
        count: 1,
        eventsPerSec: Math.round(agg.eventsPerSec),
        eventsPerCpuSecond: Math.round(agg.eventsPerCpuSecond),
        runs: single.runs,
      },
      {
        count: cores,
        eventsPerSec: Math.round(multi.eventsPerSec),
        eventsPerCpuSecond: Math.round(multi.eventsPerCpuSecond),
        check: multiCheck,
        runs: scaled.runs,
      },
    ],
  };
  const profiled = benchConfig("procp", { STORE_USERS: "false", TOPIC_USERS: topic });
  // Where the time goes, for the summary (what limits the processor's row of the peers table too): the
  // same run again under V8's profiler, a separate run so the profiler's cost stays out of the figures.
  if (r.processor.ratioToRaw < 0.7 || PEERS) {
    const dir = mkdtempSync(join(tmpdir(), "processor-prof-"));
    await timeProcessors(profiled.env, EVENTS, {
      basePort: 19_466,
      nodeFlags: ["--cpu-prof", `--cpu-prof-dir=${dir}`],
    });
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
    ...keyspaces,
    withUsers.config.CASSANDRA_KEYSPACE,
    ceilingConfig.CASSANDRA_KEYSPACE,
    profiled.config.CASSANDRA_KEYSPACE,
  ]);
}
