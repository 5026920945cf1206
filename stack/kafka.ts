import { execFileSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { KafkaJS } from "@confluentinc/kafka-javascript";
import type { Config } from "../common/src/config.ts";
import { answerWithin, sleep } from "../common/src/timeouts.ts";
import { deleteGroup } from "./delete-group.ts";
import { classpath } from "./maven.ts";
import { confDir, ensureDir, type StackDirs } from "./paths.ts";
import { startJava } from "./process.ts";
import type { Service } from "./service.ts";
import type { KafkaNode, Topology } from "./topology.ts";
import { versions } from "./versions.ts";

const clusterId = "cnRwaXBlbGluZS1zdGFjaw";

/** The classpath of the Kafka server and its tools (kafka.admin.ConfigCommand). */
export const kafkaClasspath = (dirs: StackDirs) =>
  classpath(dirs.cache, "kafka", {
    "kafka.version": versions.kafka,
    "log4j.version": versions.log4j,
    "slf4j.version": versions.slf4j,
  });

// KRaft, every node broker and controller, sized for two cores: few network/io threads. One node:
// replication factor 1; a cluster: the internal topics on 3 replicas with 2 in sync, as in production.
export function serverProperties(node: KafkaNode, topo: Topology, logDirs: string): string {
  const internalRf = Math.min(3, topo.nodes);
  const internalIsr = topo.nodes > 1 ? 2 : 1;
  return `process.roles=broker,controller
node.id=${node.id}
controller.quorum.voters=${topo.voters}
listeners=PLAINTEXT://${node.host}:${node.port},CONTROLLER://${node.host}:${node.controllerPort}
advertised.listeners=PLAINTEXT://${node.host}:${node.port}
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=${logDirs}
num.partitions=1
num.network.threads=2
num.io.threads=${topo.nodes > 1 ? 2 : 4}
num.replica.fetchers=1
offsets.topic.replication.factor=${internalRf}
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=${internalRf}
transaction.state.log.min.isr=${internalIsr}
transaction.state.log.num.partitions=4
default.replication.factor=${internalRf}
unclean.leader.election.enable=false
group.initial.rebalance.delay.ms=0
# Topics exist only as the project creates them (ensureTopics): a client that still asks for a
# deleted topic (reset) must not bring it back, nor a typo make a new one.
auto.create.topics.enable=false
log.retention.hours=168
log.segment.bytes=268435456
`;
}

function admin(brokers: string[]) {
  return new KafkaJS.Kafka({
    kafkaJS: { brokers, logLevel: KafkaJS.logLevel.NOTHING },
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

/** One broker of the stack: the single one, or node `node.id` of a cluster's KRaft quorum. */
export function kafkaService(config: Config, dirs: StackDirs, topo: Topology, node: KafkaNode): Service {
  const home = join(dirs.data, node.name);
  const logDirs = join(home, "log");
  const props = join(home, "server.properties");
  const address = `${node.host}:${node.port}`;
  const endpoint = topo.nodes === 1 ? config.KAFKA_BOOTSTRAP : address;
  const heap = config.STACK_KAFKA_HEAP;
  return {
    kind: "kafka",
    name: node.name,
    setting: "KAFKA_BOOTSTRAP",
    endpoint,
    localEndpoint: address,
    host: node.host,
    ports: [node.port, node.controllerPort],
    prepare() {
      ensureDir(home);
      writeFileSync(props, serverProperties(node, topo, logDirs));
      if (!existsSync(join(logDirs, "meta.properties"))) {
        execFileSync(
          "java",
          [
            "-cp",
            kafkaClasspath(dirs),
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
      startJava(dirs, node.name, [
        `-Xms${heap}`,
        `-Xmx${heap}`,
        "-XX:+UseG1GC",
        "-XX:MaxGCPauseMillis=20",
        `-Dlog4j2.configurationFile=${join(confDir, "kafka-log4j2.yaml")}`,
        "-cp",
        kafkaClasspath(dirs),
        "kafka.Kafka",
        props,
      ]);
    },
    async ready() {
      const a = admin(endpoint.split(","));
      try {
        await answerWithin(a.connect(), 5_000, "kafka connect");
        await answerWithin(a.listTopics(), 5_000, "kafka metadata");
        return true;
      } catch {
        return false;
      } finally {
        await a.disconnect().catch(() => undefined);
      }
    },
    async reset() {
      const ours = [config.TOPIC_USERS, config.TOPIC_DLQ, config.TOPIC_LATE, config.TOPIC_AGGREGATES];
      const a = admin(config.KAFKA_BOOTSTRAP.split(","));
      try {
        await answerWithin(a.connect(), 10_000, "kafka connect");
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
