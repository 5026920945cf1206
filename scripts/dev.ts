import { type ChildProcess, spawn } from "node:child_process";
import { availableParallelism } from "node:os";
import { loadConfig } from "../common/src/config.ts";
import { createLogger } from "../common/src/logger.ts";

// `bun run dev`: the stack, then the producer (synthetic users), the processor and the web tier,
// each a child process with its output prefixed; Ctrl-C stops the app and leaves the stack up.
const log = createLogger("dev");
const cfg = loadConfig();

const run = (name: string, args: string[]): ChildProcess => {
  const child = spawn("bun", ["run", ...args], { stdio: ["ignore", "pipe", "pipe"], env: process.env });
  const prefix = (chunk: Buffer) => {
    for (const line of chunk.toString().split("\n"))
      if (line.length > 0) process.stdout.write(`[${name}] ${line}\n`);
  };
  child.stdout?.on("data", prefix);
  child.stderr?.on("data", prefix);
  child.on("exit", (code, signal) => log.warn({ name, code, signal }, "exited"));
  return child;
};

const stack = spawn("bun", ["run", "stack", "up"], { stdio: "inherit" });
const stackCode = await new Promise<number>((resolve) => stack.on("exit", (c) => resolve(c ?? 1)));
if (stackCode !== 0) {
  log.error("the stack did not come up; see the messages above");
  process.exit(1);
}

// One processor instance a core (PROCESSOR_INSTANCES overrides): the group spreads the partitions.
const instances =
  process.env.PROCESSOR_INSTANCES || String(Math.min(availableParallelism(), cfg.TOPIC_PARTITIONS));
const children = [
  run("processor", ["processor", "--instances", instances]),
  run("web", ["web"]),
  run("producer", ["producer", "--source", "synthetic"]),
];
// The URL is printed once the web tier answers, so that a newcomer's first click works.
const url = `http://${cfg.WEB_HOST}:${cfg.WEB_PORT}/`;
const deadline = Date.now() + 60_000;
let up = false;
while (!up && Date.now() < deadline) {
  up = await fetch(`${url}healthz`).then(
    (r) => r.ok,
    () => false,
  );
  if (!up) await new Promise((r) => setTimeout(r, 250));
}
if (up) console.log(`\n  Dashboard: ${url}\n`);
else log.error({ url }, "the web tier did not answer within 60 s; see its output above");

const stop = () => {
  for (const c of children) c.kill("SIGTERM");
  setTimeout(() => process.exit(0), 10_000).unref();
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
await Promise.all(children.map((c) => new Promise((r) => c.on("exit", r))));
