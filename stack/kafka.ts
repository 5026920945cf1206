import { execFileSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { KafkaJS } from "@confluentinc/kafka-javascript";
import { loadConfig } from "../common/src/config.ts";
import { classpath } from "./maven.ts";
import { confDir, dataDir, ensureDir } from "./paths.ts";
import { startJava } from "./process.ts";
import { type Service, withTimeout } from "./service.ts";
import { heaps, ports, versions } from "./versions.ts";

const home = join(dataDir, "kafka");
const logDirs = join(home, "log");
const props = join(home, "server.properties");
const clusterId = "cnRwaXBlbGluZS1zdGFjaw";

const cp = () =>
  classpath("kafka", {
    "kafka.version": versions.kafka,
    "log4j.version": versions.log4j,
    "slf4j.version": versions.slf4j,
  });

// Single-node KRaft, sized for two cores: few network/io threads, replication factor 1.
const serverProperties = `process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:${ports.kafkaController}
listeners=PLAINTEXT://127.0.0.1:${ports.kafka},CONTROLLER://127.0.0.1:${ports.kafkaController}
advertised.listeners=PLAINTEXT://127.0.0.1:${ports.kafka}
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=${logDirs}
num.partitions=1
num.network.threads=2
num.io.threads=4
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=4
group.initial.rebalance.delay.ms=0
log.retention.hours=168
log.segment.bytes=268435456
`;

function admin() {
  return new KafkaJS.Kafka({
    kafkaJS: { brokers: [loadConfig().KAFKA_BOOTSTRAP], logLevel: KafkaJS.logLevel.NOTHING },
  }).admin();
}

export const kafka: Service = {
  name: "kafka",
  endpoint: `127.0.0.1:${ports.kafka}`,
  prepare() {
    ensureDir(home);
    writeFileSync(props, serverProperties);
    if (!existsSync(join(logDirs, "meta.properties"))) {
      execFileSync(
        "java",
        [
          "-cp",
          cp(),
          "kafka.tools.StorageTool",
          "format",
          "-t",
          clusterId,
          "-c",
          props,
          "--ignore-formatted",
        ],
        { stdio: "ignore" },
      );
    }
  },
  start() {
    startJava("kafka", [
      `-Xms${heaps.kafka}`,
      `-Xmx${heaps.kafka}`,
      "-XX:+UseG1GC",
      "-XX:MaxGCPauseMillis=20",
      `-Dlog4j2.configurationFile=${join(confDir, "kafka-log4j2.yaml")}`,
      "-cp",
      cp(),
      "kafka.Kafka",
      props,
    ]);
  },
  async ready() {
    const a = admin();
    try {
      await withTimeout(a.connect(), 5_000, "kafka connect");
      await withTimeout(a.listTopics(), 5_000, "kafka metadata");
      return true;
    } catch {
      return false;
    } finally {
      await a.disconnect().catch(() => undefined);
    }
  },
  async reset() {
    const c = loadConfig();
    const ours = [c.TOPIC_USERS, c.TOPIC_DLQ, c.TOPIC_LATE, c.TOPIC_AGGREGATES, c.TOPIC_RUNS];
    const a = admin();
    await a.connect();
    try {
      const existing = new Set(await a.listTopics());
      const topics = ours.filter((t) => existing.has(t));
      if (topics.length) await a.deleteTopics({ topics, timeout: 30_000 });
      const groups = await a.listGroups();
      const group = groups.groups.find((g) => g.groupId === c.CONSUMER_GROUP);
      if (group) await a.deleteGroups([c.CONSUMER_GROUP]);
      return [...topics.map((t) => `topic ${t}`), ...(group ? [`group ${c.CONSUMER_GROUP}`] : [])];
    } finally {
      await a.disconnect();
    }
  },
};
