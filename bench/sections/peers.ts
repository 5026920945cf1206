import { mkdtempSync, rmSync } from "node:fs";
import os, { tmpdir } from "node:os";
import { join } from "node:path";
import { RdKafka } from "@confluentinc/kafka-javascript";
import { repoRoot } from "../../stack/paths.ts";
import { ensurePeersBuilt, peerVersion } from "../peers/build.ts";
import { type PeerRun, runPeer, SPARK_JAVA_OPTIONS } from "../peers/peer-process.ts";
import type { PeerFigures, Results } from "../report.ts";
import { benchConfig, REPS, reportedRun } from "./bench-env.ts";
import { benchTopic } from "./bench-topic.ts";
import { countsCheck } from "./processor-run.ts";

// `bun run bench --peers`: the processor's aggregation run by Spark Structured Streaming and by Kafka
// Streams (bench/peers/, built with Maven) over the very topic the processor section read, each from
// the earliest offset in a fresh group, each stopping by itself at the end of the topic. Every row is
// checked: its per-group counts must equal the events that were not late.
const EVENTS = Number(process.env.BENCH_EVENTS ?? 500_000);
const SCHEMA = join(repoRoot, "common", "schema", "user-v1.avsc");

function figures(system: string, run: PeerRun, events: number, writes: string): PeerFigures {
  const late = run.result.late ?? 0;
  return {
    system,
    eventsPerSec: Math.round(events / run.seconds),
    eventsPerCpuSecond: Math.round(events / run.cpuSeconds),
    seconds: run.seconds,
    cpuSeconds: run.cpuSeconds,
    rssMbMax: Math.round(run.rssMbMax),
    writes,
    runs: [Math.round(events / run.seconds)],
    check: { ...countsCheck(run.result.counts, events, late), late, eventsRead: run.result.events },
  };
}

/** Deletes the topics Kafka Streams created for an application id (its changelog). */
async function deleteInternalTopics(bootstrap: string, appId: string): Promise<void> {
  const admin = RdKafka.AdminClient.create({ "bootstrap.servers": bootstrap });
  try {
    const topics = await new Promise<string[]>((res, rej) =>
      admin.listTopics({ timeout: 10_000 }, (e, t) => (e ? rej(e) : res(t ?? []))),
    );
    for (const t of topics.filter((t) => t.startsWith(`${appId}-`)))
      await new Promise<void>((res) => admin.deleteTopic(t, 10_000, () => res()));
  } finally {
    admin.disconnect();
  }
}

export async function peersSection(r: Results): Promise<void> {
  const classpaths = ensurePeersBuilt();
  const { topic, events } = await benchTopic(EVENTS);
  const cores = os.cpus().length;
  const { config } = benchConfig("peers");
  const env = {
    KAFKA_BOOTSTRAP: config.KAFKA_BOOTSTRAP,
    PEERS_TOPIC: topic,
    PEERS_SCHEMA: SCHEMA,
    PEERS_CORES: String(cores),
  };
  r.peers = {};

  // Each peer gets as many runs as each processor figure, and its best, as the processor does.
  for (let i = 0; i < REPS; i++) {
    const sparkDir = mkdtempSync(join(tmpdir(), "peers-spark-"));
    try {
      const spark = await runPeer({
        name: "spark",
        classpath: classpaths.spark,
        mainClass: "dev.rtpipeline.peers.SparkWindows",
        jvmFlags: [...SPARK_JAVA_OPTIONS, "-Xmx2g"],
        env: { ...env, PEERS_STATE_DIR: sparkDir },
        timeoutMs: 600_000,
      });
      r.peers.spark = better(
        r.peers.spark,
        figures(
          `Spark Structured Streaming ${peerVersion("spark.version")}, local[${cores}]`,
          spark,
          events,
          `nothing durable: foreachBatch keeps each window row's latest count on the driver; trigger AvailableNow (${spark.result.batches ?? "?"} micro-batches)`,
        ),
      );
    } finally {
      rmSync(sparkDir, { recursive: true, force: true });
    }

    const streamsDir = mkdtempSync(join(tmpdir(), "peers-streams-"));
    const appId = `${config.CONSUMER_GROUP}_streams_${i}`;
    try {
      const streams = await runPeer({
        name: "kafka-streams",
        classpath: classpaths["kafka-streams"],
        mainClass: "dev.rtpipeline.peers.StreamsWindows",
        jvmFlags: ["-Xmx1g"],
        env: { ...env, PEERS_GROUP: appId, PEERS_STATE_DIR: streamsDir },
        timeoutMs: 600_000,
      });
      r.peers.kafkaStreams = better(
        r.peers.kafkaStreams,
        figures(
          `Kafka Streams ${peerVersion("kafka.version")}, ${cores} stream threads`,
          streams,
          events,
          "RocksDB store, its changelog topic and offset commits (at-least-once); no output topic",
        ),
      );
    } finally {
      rmSync(streamsDir, { recursive: true, force: true });
      await deleteInternalTopics(config.KAFKA_BOOTSTRAP, appId).catch(() => undefined);
    }
  }
  for (const [name, p] of [
    ["spark", r.peers.spark],
    ["kafka streams", r.peers.kafkaStreams],
  ] as const)
    if (p)
      console.log(
        `  ${name}: ${p.eventsPerSec} events/s (runs ${p.runs.join(", ")}), ${p.eventsPerCpuSecond} per CPU-second`,
      );
}

/** The run of a peer reportedRun() keeps, carrying every run's events/s. */
function better(prev: PeerFigures | undefined, next: PeerFigures): PeerFigures {
  const judged = (f: PeerFigures) => ({ f, ok: f.check.ok, eventsPerSec: f.eventsPerSec });
  const keep = reportedRun(prev && judged(prev), judged(next)).f;
  return { ...keep, runs: [...(prev?.runs ?? []), ...next.runs] };
}
