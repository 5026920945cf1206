import { readFileSync } from "node:fs";
import { parseCommandLine } from "../common/src/command-line.ts";
import { type Config, loadConfig } from "../common/src/config.ts";
import { cassandraService } from "./cassandra.ts";
import { kafkaService } from "./kafka.ts";
import { heldPorts } from "./port-probe.ts";
import { logFile, residentMiB, runningPid, stopService } from "./process.ts";
import { registryService } from "./registry.ts";
import { describeReset, resetAll } from "./reset.ts";
import { type Service, sleep } from "./service.ts";
import { planUp } from "./up-plan.ts";

const usage = `usage: bun run stack <up|down|status|reset|restart> [kafka|registry|cassandra ...] [--json]
  up       start the services (idempotent) and return once each answers a client request;
           refuses to start one whose port another process holds
  down     stop the services this repo started (only those)
  status   whether each service answers at its configured address; --json prints the contract's object
  reset    delete the project's topics, consumer group, registry subject and keyspace
  restart  down then up`;

function pick(all: Service[], names: string[]): Service[] {
  if (names.length === 0) return all;
  return names.map((n) => {
    const s = all.find((x) => x.name === n);
    if (!s) throw new Error(`unknown service '${n}' (kafka, registry, cassandra)`);
    return s;
  });
}

function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

async function waitReady(s: Service, started: number, timeoutMs: number): Promise<void> {
  const deadline = started + timeoutMs;
  while (Date.now() < deadline) {
    if (await s.ready()) return;
    if (runningPid(s.name) === undefined) {
      throw new Error(`${s.name} exited during start; see ${logFile(s.name)}:\n${tail(logFile(s.name))}`);
    }
    await sleep(500);
  }
  throw new Error(`${s.name} did not answer within ${timeoutMs / 1000} s; see ${logFile(s.name)}`);
}

async function up(services: Service[], config: Config): Promise<void> {
  const t0 = Date.now();
  // Every service is looked at before anything starts: a refusal leaves the machine as it was.
  const steps = await Promise.all(
    services.map(async (s) => {
      const ready = await s.ready();
      const ours = runningPid(s.name) !== undefined;
      const held = ready || ours ? [] : await heldPorts(s.ports);
      return planUp(s, { ready, ours, heldPorts: held });
    }),
  );
  const refusals = steps.flatMap((step) => (step.action === "refuse" ? [step.reason] : []));
  if (refusals.length) throw new Error(`not starting anything:\n${refusals.join("\n")}`);
  const pending: Service[] = [];
  services.forEach((s, i) => {
    const step = steps[i];
    if (step?.action === "already-up") {
      console.log(`${s.name}: already up at ${s.endpoint}${step.ours ? "" : " (not started by this repo)"}`);
      return;
    }
    if (step?.action === "start") {
      try {
        s.prepare();
        s.start();
      } catch (e) {
        throw new Error(`${s.name} could not start: ${(e as Error).message}; log: ${logFile(s.name)}`);
      }
    }
    pending.push(s);
  });
  const results = await Promise.allSettled(
    pending.map(async (s) => {
      await waitReady(s, t0, config.STACK_READY_TIMEOUT_MS);
      console.log(`${s.name}: up at ${s.endpoint} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    }),
  );
  const failed = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed.length) throw new Error(failed.map((f) => (f.reason as Error).message).join("\n"));
  console.log(`stack: up in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

async function down(services: Service[]): Promise<void> {
  for (const s of [...services].reverse()) {
    const stopped = await stopService(s.name);
    console.log(`${s.name}: ${stopped ? "stopped" : "not running (nothing of ours to stop)"}`);
  }
}

interface Stack {
  kafka: Service;
  registry: Service;
  cassandra: Service;
}

async function status(stack: Stack, json: boolean): Promise<boolean> {
  const [kafka, registry, cassandra] = await Promise.all([
    stack.kafka.ready(),
    stack.registry.ready(),
    stack.cassandra.ready(),
  ]);
  if (json) {
    console.log(
      JSON.stringify({
        kafka: { bootstrap: stack.kafka.endpoint, up: kafka },
        schemaRegistry: { url: stack.registry.endpoint, up: registry },
        cassandra: { contactPoint: stack.cassandra.endpoint, up: cassandra },
      }),
    );
  } else {
    for (const [s, isUp] of [
      [stack.kafka, kafka],
      [stack.registry, registry],
      [stack.cassandra, cassandra],
    ] as const) {
      const rss = residentMiB(s.name);
      const mem = rss === undefined ? "" : `  rss ${rss} MiB`;
      console.log(`${s.name.padEnd(10)} ${isUp ? "up  " : "down"}  ${s.endpoint}${mem}`);
    }
  }
  return kafka && registry && cassandra;
}

async function main(): Promise<number> {
  const { positionals, values } = parseCommandLine(usage, {
    allowPositionals: true,
    options: { json: { type: "boolean", default: false } },
  });
  const [cmd, ...names] = positionals;
  if (!cmd) {
    console.error(usage);
    return 2;
  }
  const config = loadConfig();
  const stack: Stack = {
    kafka: kafkaService(config),
    registry: registryService(config),
    cassandra: cassandraService(config),
  };
  const all = [stack.kafka, stack.registry, stack.cassandra];
  switch (cmd) {
    case "up":
      await up(pick(all, names), config);
      return 0;
    case "down":
      await down(pick(all, names));
      return 0;
    case "restart":
      await down(pick(all, names));
      await up(pick(all, names), config);
      return 0;
    case "status":
      return (await status(stack, values.json)) ? 0 : 1;
    case "reset": {
      const outcomes = await resetAll(pick(all, names));
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
