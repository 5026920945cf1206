import { execFileSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { KafkaJS } from "@confluentinc/kafka-javascript";
import type { Config } from "../common/src/config.ts";
import { deleteGroup } from "./delete-group.ts";
import { classpath } from "./maven.ts";
import { confDir, dataDir, ensureDir } from "./paths.ts";
import { startJava } from "./process.ts";
import { type Service, sleep, withTimeout } from "./service.ts";
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
# Topics exist only as the project creates them (ensureTopics): a client that still asks for a
# deleted topic (reset) must not bring it back, nor a typo make a new one.
auto.create.topics.enable=false
log.retention.hours=168
log.segment.bytes=268435456
`;

function admin(config: Config) {
  return new KafkaJS.Kafka({
    kafkaJS: { brokers: config.KAFKA_BOOTSTRAP.split(","), logLevel: KafkaJS.logLevel.NOTHING },
  }).admin();
}

// The broker acknowledges a deletion before its metadata forgets the topic; until then, creating the
// topic again fails. Reset returns once the topics are really gone.
async function untilGone(a: KafkaJS.Admin, topics: string[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const listed = new Set(await a.listTopics());
    const left = topics.filter((t) => listed.has(t));
    if (left.length === 0) return;
    if (Date.now() > deadline)
      throw new Error(`topics still listed ${timeoutMs / 1000} s after deletion: ${left}`);
    await sleep(200);
  }
}

export function kafkaService(config: Config): Service {
  return {
    name: "kafka",
    setting: "KAFKA_BOOTSTRAP",
    endpoint: config.KAFKA_BOOTSTRAP,
    localEndpoint: `127.0.0.1:${ports.kafka}`,
    ports: [ports.kafka, ports.kafkaController],
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
      const a = admin(config);
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
      const ours = [config.TOPIC_USERS, config.TOPIC_DLQ, config.TOPIC_LATE, config.TOPIC_AGGREGATES];
      const a = admin(config);
      try {
        await withTimeout(a.connect(), 10_000, "kafka connect");
        const existing = new Set(await a.listTopics());
        const topics = ours.filter((t) => existing.has(t));
        if (topics.length) {
          await a.deleteTopics({ topics, timeout: 30_000 });
          await untilGone(a, topics);
        }
        const removed = topics.map((t) => `topic ${t}`);
        const group = await deleteGroup((groups) => a.deleteGroups(groups), config.CONSUMER_GROUP);
        if (group === "deleted") removed.push(`group ${config.CONSUMER_GROUP}`);
        return removed;
      } finally {
        await a.disconnect().catch(() => undefined);
      }
    },
  };
}
