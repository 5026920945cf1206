import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { cassandra } from "./cassandra.ts";
import { kafka } from "./kafka.ts";
import { logFile, residentMiB, runningPid, stopService } from "./process.ts";
import { registry } from "./registry.ts";
import { type Service, sleep } from "./service.ts";

const all: Service[] = [kafka, registry, cassandra];
const READY_TIMEOUT_MS = Number(process.env.STACK_READY_TIMEOUT_MS ?? 240_000);

const usage = `usage: bun run stack <up|down|status|reset|restart> [kafka|registry|cassandra ...] [--json]
  up       start the services (idempotent) and return once each answers a client request
  down     stop the services this repo started (only those)
  status   whether each service answers; --json prints the contract's object
  reset    delete the project's topics, consumer group, registry subject and keyspace
  restart  down then up`;

function pick(names: string[]): Service[] {
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

async function waitReady(s: Service, started: number): Promise<void> {
  const deadline = started + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (await s.ready()) return;
    if (runningPid(s.name) === undefined) {
      throw new Error(`${s.name} exited during start; see ${logFile(s.name)}:\n${tail(logFile(s.name))}`);
    }
    await sleep(500);
  }
  throw new Error(`${s.name} did not answer within ${READY_TIMEOUT_MS / 1000} s; see ${logFile(s.name)}`);
}

async function up(services: Service[]): Promise<void> {
  const t0 = Date.now();
  const pending: Service[] = [];
  for (const s of services) {
    if (await s.ready()) {
      const own = runningPid(s.name) !== undefined ? "" : " (not started by this repo)";
      console.log(`${s.name}: already up at ${s.endpoint}${own}`);
      continue;
    }
    if (runningPid(s.name) === undefined) {
      try {
        s.prepare();
        s.start();
      } catch (e) {
        throw new Error(`${s.name} could not start: ${(e as Error).message}; log: ${logFile(s.name)}`);
      }
    }
    pending.push(s);
  }
  const results = await Promise.allSettled(
    pending.map(async (s) => {
      await waitReady(s, t0);
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

async function status(json: boolean): Promise<boolean> {
  const [k, r, c] = await Promise.all(all.map((s) => s.ready()));
  if (json) {
    console.log(
      JSON.stringify({
        kafka: { bootstrap: kafka.endpoint, up: k },
        schemaRegistry: { url: registry.endpoint, up: r },
        cassandra: { contactPoint: cassandra.endpoint, up: c },
      }),
    );
  } else {
    all.forEach((s, i) => {
      const isUp = [k, r, c][i];
      const rss = residentMiB(s.name);
      const mem = rss === undefined ? "" : `  rss ${rss} MiB`;
      console.log(`${s.name.padEnd(10)} ${isUp ? "up  " : "down"}  ${s.endpoint}${mem}`);
    });
  }
  return Boolean(k && r && c);
}

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { json: { type: "boolean", default: false }, help: { type: "boolean", short: "h" } },
  });
  const [cmd, ...names] = positionals;
  if (values.help || !cmd) {
    console.log(usage);
    return cmd ? 0 : 2;
  }
  switch (cmd) {
    case "up":
      await up(pick(names));
      return 0;
    case "down":
      await down(pick(names));
      return 0;
    case "restart":
      await down(pick(names));
      await up(pick(names));
      return 0;
    case "status":
      return (await status(values.json)) ? 0 : 1;
    case "reset": {
      for (const s of pick(names)) {
        const removed = await s.reset();
        console.log(`${s.name}: ${removed.length ? `removed ${removed.join(", ")}` : "nothing to remove"}`);
      }
      return 0;
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
