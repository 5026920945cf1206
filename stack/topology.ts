import type { Config } from "../common/src/config.ts";
import { ports } from "./versions.ts";

// Where each process of the local stack listens: one of each on 127.0.0.1 (STACK_NODES=1), or a
// cluster of STACK_NODES brokers and Cassandra nodes, each on a loopback address of its own the way
// Cassandra's ccm runs them (stack/cluster.env: 127.0.0.2-4), so it runs beside the single-node stack.

export interface KafkaNode {
  /** Service name: "kafka", or "kafka-<id>" in a cluster. */
  name: string;
  id: number;
  host: string;
  port: number;
  controllerPort: number;
}

export interface CassandraNode {
  name: string;
  index: number;
  host: string;
  nativePort: number;
  storagePort: number;
  jmxPort: number;
  /** The first node's address: every node gossips with it first. */
  seed: string;
  /** Its single token, evenly spaced (ccm's way); undefined for one node (it takes any). */
  initialToken: string | undefined;
}

export interface Topology {
  nodes: number;
  kafka: KafkaNode[];
  /** KRaft's static quorum: every broker is a controller too. */
  voters: string;
  cassandra: CassandraNode[];
  registry: { host: string; port: number };
}

interface HostPort {
  host: string;
  port: number;
}

function hostPort(text: string, what: string): HostPort {
  const m = /^(\d+\.\d+\.\d+\.\d+):(\d+)$/.exec(text.trim());
  if (!m || !m[1]!.startsWith("127.")) {
    throw new Error(`${what}: "${text}" is not a loopback host:port (a local cluster runs on 127.0.0.0/8)`);
  }
  return { host: m[1]!, port: Number(m[2]) };
}

function listOf(value: string, setting: string, nodes: number): HostPort[] {
  const items = value
    .split(",")
    .map((x) => x.trim())
    .filter((x) => x !== "");
  if (items.length !== nodes) {
    throw new Error(
      `${setting} names ${items.length} address(es) but STACK_NODES is ${nodes}: list one per node (see stack/cluster.env)`,
    );
  }
  const out = items.map((x) => hostPort(x, setting));
  if (new Set(out.map((x) => x.host)).size !== nodes) {
    throw new Error(`${setting}: each node needs a loopback address of its own (${value})`);
  }
  return out;
}

/** Murmur3's token range split evenly: node i owns the same share of every table. */
export function evenTokens(nodes: number): string[] {
  const step = 2n ** 64n / BigInt(nodes);
  return Array.from({ length: nodes }, (_, i) => (-(2n ** 63n) + BigInt(i) * step).toString());
}

export function topology(config: Config): Topology {
  const n = config.STACK_NODES;
  if (n === 1) {
    return {
      nodes: 1,
      kafka: [
        {
          name: "kafka",
          id: 1,
          host: "127.0.0.1",
          port: ports.kafka,
          controllerPort: config.STACK_KAFKA_CONTROLLER_PORT,
        },
      ],
      voters: `1@127.0.0.1:${config.STACK_KAFKA_CONTROLLER_PORT}`,
      cassandra: [
        {
          name: "cassandra",
          index: 0,
          host: "127.0.0.1",
          nativePort: ports.cassandraNative,
          storagePort: config.STACK_CASSANDRA_STORAGE_PORT,
          jmxPort: config.STACK_CASSANDRA_JMX_PORT,
          seed: `127.0.0.1:${config.STACK_CASSANDRA_STORAGE_PORT}`,
          initialToken: undefined,
        },
      ],
      registry: { host: "127.0.0.1", port: ports.registry },
    };
  }
  const brokers = listOf(config.KAFKA_BOOTSTRAP, "KAFKA_BOOTSTRAP", n);
  const cass = listOf(config.CASSANDRA_CONTACT_POINT, "CASSANDRA_CONTACT_POINT", n);
  if (new Set(cass.map((c) => c.port)).size !== 1) {
    // The driver reaches the nodes it discovers on the port of its contact points.
    throw new Error(
      `CASSANDRA_CONTACT_POINT: every node must serve CQL on the same port (${config.CASSANDRA_CONTACT_POINT})`,
    );
  }
  const registryUrl = new URL(config.SCHEMA_REGISTRY_URL);
  const registry = hostPort(`${registryUrl.hostname}:${registryUrl.port || "80"}`, "SCHEMA_REGISTRY_URL");
  const kafka = brokers.map((b, i) => ({
    name: `kafka-${i + 1}`,
    id: i + 1,
    host: b.host,
    port: b.port,
    controllerPort: config.STACK_KAFKA_CONTROLLER_PORT,
  }));
  const tokens = evenTokens(n);
  const storage = config.STACK_CASSANDRA_STORAGE_PORT;
  return {
    nodes: n,
    kafka,
    voters: kafka.map((k) => `${k.id}@${k.host}:${k.controllerPort}`).join(","),
    cassandra: cass.map((c, i) => ({
      name: `cassandra-${i + 1}`,
      index: i,
      host: c.host,
      nativePort: c.port,
      storagePort: storage,
      jmxPort: config.STACK_CASSANDRA_JMX_PORT + 100 * i,
      seed: `${cass[0]!.host}:${storage}`,
      initialToken: tokens[i],
    })),
    registry,
  };
}
