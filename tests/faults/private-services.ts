import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../common/src/config.ts";
import { sleep } from "../../common/src/timeouts.ts";
import { kafkaService } from "../../stack/kafka.ts";
import { type StackDirs, stackDirs } from "../../stack/paths.ts";
import { heldPorts } from "../../stack/port-probe.ts";
import { logFile, runningPid, stopService } from "../../stack/process.ts";
import { registryService } from "../../stack/registry.ts";
import type { Service } from "../../stack/service.ts";
import type { KafkaNode, Topology } from "../../stack/topology.ts";

// A broker or a registry of a test's own, started from the same jars as `bun run stack up` on a loopback
// address the shared stack does not use (the 3-node cluster takes 127.0.0.2-4), with its data, logs and pid
// files in a temporary directory: a fault test stops and kills these, never the shared stack's processes.

export const PRIVATE_KAFKA_HOST = "127.0.0.5";
export const PRIVATE_REGISTRY_HOST = "127.0.0.6";

const KAFKA_PORT = 9092;
const KAFKA_CONTROLLER_PORT = 9093;
const REGISTRY_PORT = 8081;

export interface PrivateService {
  /** The address clients are given: KAFKA_BOOTSTRAP or SCHEMA_REGISTRY_URL. */
  readonly endpoint: string;
  /** Starts the process and resolves once it answers a client, or throws after timeoutMs with its log's tail. */
  start(timeoutMs?: number): Promise<void>;
  /** SIGTERM (a clean stop, SIGKILL after graceMs) or SIGKILL at once (kill -9). */
  stop(signal?: "SIGTERM" | "SIGKILL", graceMs?: number): Promise<void>;
  running(): boolean;
  /** Stops it if running and removes its directory: safe to call in afterAll whatever happened. */
  dispose(): Promise<void>;
  logTail(lines?: number): string;
}

function privateDirs(tag: string): StackDirs {
  const home = mkdtempSync(join(tmpdir(), `${tag}-`));
  return {
    home,
    // The shared stack's resolved classpaths and unpacked jars: read, never written while they are whole.
    cache: stackDirs(loadConfig()).cache,
    data: join(home, "data"),
    logs: join(home, "logs"),
    run: join(home, "run"),
  };
}

function topologyOf(node: KafkaNode): Topology {
  return {
    nodes: 1,
    kafka: [node],
    voters: `${node.id}@${node.host}:${node.controllerPort}`,
    cassandra: [],
    registry: { host: PRIVATE_REGISTRY_HOST, port: REGISTRY_PORT },
  };
}

function wrap(service: Service, dirs: StackDirs): PrivateService {
  let prepared = false;
  const tail = (lines = 30) => {
    try {
      return readFileSync(logFile(dirs, service.name), "utf8").trimEnd().split("\n").slice(-lines).join("\n");
    } catch {
      return "(no log)";
    }
  };
  return {
    endpoint: service.endpoint,
    async start(timeoutMs = 120_000) {
      const held = await heldPorts(service.ports, service.host);
      if (held.length > 0) {
        throw new Error(
          `${service.host}:${held.join(",")} already taken: a private ${service.kind} for this test cannot start there`,
        );
      }
      if (!prepared) service.prepare();
      prepared = true;
      service.start();
      const deadline = Date.now() + timeoutMs;
      while (!(await service.ready())) {
        if (runningPid(dirs, service.name) === undefined) {
          throw new Error(`private ${service.kind} at ${service.endpoint} exited while starting:\n${tail()}`);
        }
        if (Date.now() > deadline) {
          throw new Error(
            `private ${service.kind} at ${service.endpoint} not ready after ${timeoutMs} ms:\n${tail()}`,
          );
        }
        await sleep(500);
      }
    },
    async stop(signal = "SIGTERM", graceMs = 30_000) {
      await stopService(dirs, service.name, graceMs, signal);
    },
    running: () => runningPid(dirs, service.name) !== undefined,
    async dispose() {
      await stopService(dirs, service.name, 10_000).catch(() => undefined);
      rmSync(dirs.home, { recursive: true, force: true });
    },
    logTail: tail,
  };
}

/** A single-node KRaft broker at 127.0.0.5:9092. */
export function privateKafka(): PrivateService {
  const dirs = privateDirs("fault-kafka");
  const endpoint = `${PRIVATE_KAFKA_HOST}:${KAFKA_PORT}`;
  const node: KafkaNode = {
    name: "kafka-fault",
    id: 1,
    host: PRIVATE_KAFKA_HOST,
    port: KAFKA_PORT,
    controllerPort: KAFKA_CONTROLLER_PORT,
  };
  const config = loadConfig({ ...process.env, KAFKA_BOOTSTRAP: endpoint, STACK_KAFKA_HEAP: "384m" });
  return wrap(kafkaService(config, dirs, topologyOf(node), node), dirs);
}

/** Apicurio at http://127.0.0.6:8081/apis/ccompat/v7, its H2 store a file (ids survive a restart). */
export function privateRegistry(): PrivateService {
  const dirs = privateDirs("fault-registry");
  const url = `http://${PRIVATE_REGISTRY_HOST}:${REGISTRY_PORT}/apis/ccompat/v7`;
  const config = loadConfig({ ...process.env, SCHEMA_REGISTRY_URL: url });
  const node: KafkaNode = { name: "unused", id: 1, host: PRIVATE_KAFKA_HOST, port: 0, controllerPort: 0 };
  return wrap(registryService(config, dirs, topologyOf(node)), dirs);
}
