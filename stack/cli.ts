import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseCommandLine } from "../common/src/command-line.ts";
import { type Config, loadConfig } from "../common/src/config.ts";
import { sleep } from "../common/src/timeouts.ts";
import { repoRoot, type StackDirs } from "./paths.ts";
import { heldPorts } from "./port-probe.ts";
import { logFile, residentMiB, runningPid, stopService } from "./process.ts";
import { prometheusDown, prometheusUp } from "./prometheus.ts";
import { describeReset, resetAll } from "./reset.ts";
import type { Service } from "./service.ts";
import { stackServices } from "./services.ts";
import { startFailure } from "./start-failure.ts";
import { planUp } from "./up-plan.ts";

const usage = `usage: bun run stack <up|down|status|reset|restart> [kafka|registry|cassandra|kafka-2 ...] [--nodes N] [--json]
  up       start the services (idempotent) and return once each answers a client request;
           refuses to start one whose port another process holds
  down     stop the services this repo started (only those)
  status   whether each service answers at its configured address; --json prints the contract's object
  reset    delete the project's topics, consumer group, registry subject and keyspace
  restart  down then up
  --with-prometheus  (up) also start Debian's Prometheus on 127.0.0.1:9090, scraping the processor, producer
           and web tier with ops/prometheus/alerts.yml; on a stack already up it only adds Prometheus.
           down stops it too (only the one this repo started)
  --nodes N  a local cluster: N Kafka brokers (one KRaft quorum) and N Cassandra nodes on loopback
           addresses of their own, one registry; settings from stack/cluster.env unless set (STACK_NODES)`;

/** The cluster profile: addresses, ports, heaps, STACK_HOME and replication of `--nodes 3`. */
export const CLUSTER_PROFILE = join(repoRoot, "stack", "cluster.env");

function pick(all: Service[], names: string[]): Service[] {
  if (names.length === 0) return all;
  return names.flatMap((n) => {
    const found = all.filter((x) => x.name === n || x.kind === n);
    if (found.length === 0) {
      throw new Error(
        `unknown service '${n}' (${all.map((s) => s.name).join(", ")}, or a kind: kafka, cassandra)`,
      );
    }
    return found;
  });
}

const logSize = (file: string): number => (existsSync(file) ? statSync(file).size : 0);

function logSince(file: string, offset: number): string {
  try {
    return readFileSync(file).subarray(offset).toString("utf8");
  } catch {
    return "";
  }
}

async function waitReady(
  dirs: StackDirs,
  s: Service,
  started: number,
  logOffset: number,
  timeoutMs: number,
): Promise<void> {
  const deadline = started + timeoutMs;
  while (Date.now() < deadline) {
    if (await s.ready()) return;
    if (runningPid(dirs, s.name) === undefined) {
      const log = logFile(dirs, s.name);
      throw new Error(
        `${s.name} exited during start; see ${log}:\n${startFailure(logSince(log, logOffset))}`,
      );
    }
    await sleep(500);
  }
  throw new Error(`${s.name} did not answer within ${timeoutMs / 1000} s; see ${logFile(dirs, s.name)}`);
}

async function up(dirs: StackDirs, services: Service[], config: Config): Promise<void> {
  const t0 = Date.now();
  // Every service is looked at before anything starts: a refusal leaves the machine as it was.
  const steps = await Promise.all(
    services.map(async (s) => {
      const ready = await s.ready();
      const ours = runningPid(dirs, s.name) !== undefined;
      const held = ready || ours ? [] : await heldPorts(s.ports, s.host);
      return planUp(s, { ready, ours, heldPorts: held });
    }),
  );
  const refusals = steps.flatMap((step) => (step.action === "refuse" ? [step.reason] : []));
  if (refusals.length) throw new Error(`not starting anything:\n${refusals.join("\n")}`);
  // A cluster's other Cassandra nodes start once its seed answers; everything else at once.
  const readyOf = new Map<string, Promise<void>>();
  const results = await Promise.allSettled(
    services.map((s, i) => {
      const step = steps[i];
      if (step?.action === "already-up") {
        console.log(
          `${s.name}: already up at ${s.endpoint}${step.ours ? "" : " (not started by this repo)"}`,
        );
        return Promise.resolve();
      }
      const done = (async () => {
        const before = s.startAfter === undefined ? undefined : readyOf.get(s.startAfter);
        if (before) await before;
        const started = Date.now();
        const logOffset = logSize(logFile(dirs, s.name));
        if (step?.action === "start") {
          try {
            s.prepare();
            s.start();
          } catch (e) {
            throw new Error(
              `${s.name} could not start: ${(e as Error).message}; log: ${logFile(dirs, s.name)}`,
            );
          }
        }
        await waitReady(dirs, s, started, logOffset, config.STACK_READY_TIMEOUT_MS);
        console.log(`${s.name}: up at ${s.endpoint} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
      })();
      readyOf.set(s.name, done);
      return done;
    }),
  );
  const failed = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed.length) throw new Error(failed.map((f) => (f.reason as Error).message).join("\n"));
  console.log(`stack: up in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

async function down(dirs: StackDirs, services: Service[]): Promise<void> {
  await Promise.all(
    [...services].reverse().map(async (s) => {
      const stopped = await stopService(dirs, s.name);
      console.log(`${s.name}: ${stopped ? "stopped" : "not running (nothing of ours to stop)"}`);
    }),
  );
}

async function status(dirs: StackDirs, all: Service[], config: Config, json: boolean): Promise<boolean> {
  const up = await Promise.all(all.map((s) => s.ready()));
  const kindUp = (kind: Service["kind"]) => all.every((s, i) => s.kind !== kind || up[i] === true);
  if (json) {
    const contract = {
      kafka: { bootstrap: config.KAFKA_BOOTSTRAP, up: kindUp("kafka") },
      schemaRegistry: { url: config.SCHEMA_REGISTRY_URL, up: kindUp("registry") },
      cassandra: { contactPoint: config.CASSANDRA_CONTACT_POINT, up: kindUp("cassandra") },
    };
    // One node: exactly the contract's object. A cluster adds each node, by name.
    const nodes = all.map((s, i) => ({ name: s.name, endpoint: s.endpoint, up: up[i] === true }));
    console.log(JSON.stringify(config.STACK_NODES === 1 ? contract : { ...contract, nodes }));
  } else {
    all.forEach((s, i) => {
      const rss = residentMiB(dirs, s.name);
      const mem = rss === undefined ? "" : `  rss ${rss} MiB`;
      console.log(`${s.name.padEnd(12)} ${up[i] ? "up  " : "down"}  ${s.endpoint}${mem}`);
    });
  }
  return up.every(Boolean);
}

/** `--nodes N` reads the cluster profile for what the environment does not set (process.loadEnvFile keeps those). */
function applyNodes(nodes: string | undefined): void {
  if (nodes === undefined) return;
  if (!/^[1-9]$/.test(nodes)) throw new Error(`--nodes: expected 1 to 9, got '${nodes}'`);
  if (nodes !== "1" && existsSync(CLUSTER_PROFILE)) process.loadEnvFile(CLUSTER_PROFILE);
  process.env.STACK_NODES = nodes;
}

async function main(): Promise<number> {
  const { positionals, values } = parseCommandLine(usage, {
    allowPositionals: true,
    options: {
      json: { type: "boolean", default: false },
      nodes: { type: "string" },
      "with-prometheus": { type: "boolean", default: false },
    },
  });
  const [cmd, ...names] = positionals;
  if (!cmd) {
    console.error(usage);
    return 2;
  }
  applyNodes(values.nodes);
  const config = loadConfig();
  const { dirs, services: all } = stackServices(config);
  // Reset works through the configured addresses: once per kind, whichever nodes are picked.
  const once = (services: Service[]) =>
    services.filter((s, i) => services.findIndex((x) => x.kind === s.kind) === i);
  switch (cmd) {
    case "up":
      await up(dirs, pick(all, names), config);
      if (values["with-prometheus"]) console.log(await prometheusUp(dirs, config));
      return 0;
    case "down":
      if (names.length === 0 && (await prometheusDown(dirs))) console.log("prometheus: stopped");
      await down(dirs, pick(all, names));
      return 0;
    case "restart":
      await down(dirs, pick(all, names));
      await up(dirs, pick(all, names), config);
      return 0;
    case "status":
      return (await status(dirs, all, config, values.json)) ? 0 : 1;
    case "reset": {
      const outcomes = await resetAll(once(pick(all, names)));
      for (const o of outcomes) (o.ok ? console.log : console.error)(describeReset(o));
      return outcomes.every((o) => o.ok) ? 0 : 1;
    }
    default:
      console.error(usage);
      return 2;
  }
}

main().then(
  (code) => process.exit(code),
  (e: Error) => {
    console.error(`stack: ${e.message}`);
    process.exit(1);
  },
);
