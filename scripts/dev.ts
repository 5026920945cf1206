import { spawn } from "node:child_process";
import { availableParallelism } from "node:os";
import pino from "pino";
import PinoPretty, { prettyFactory } from "pino-pretty";
import { parseCommandLine } from "../common/src/command-line.ts";
import { loadConfig } from "../common/src/config.ts";
import { DEFAULT_RESTART, Supervisor } from "./supervisor.ts";

// `bun run dev`: the stack, then the producer (synthetic users), the processor and the web tier,
// each a supervised child whose JSON log lines are printed readably (pino-pretty) with its name;
// the children themselves log JSON, as everywhere else. Ctrl-C stops the app and leaves the stack up.
parseCommandLine(
  `usage: bun run dev

Starts the stack (\`bun run stack up\`, left running afterwards), then the processor (one instance a
core, PROCESSOR_INSTANCES overrides), the web tier and a synthetic producer, and prints the dashboard URL once it answers. A child that fails is restarted
after 1 s, 2 s, 4 s … (at most 30 s); after ${DEFAULT_RESTART.maxRestarts} failures in a row dev stops the others and exits
with that child's status. Ctrl-C stops the app (exit 0 if every child stopped cleanly).
Settings: the environment, then .env (.env.example lists every one with its default).`,
  {},
);
const cfg = loadConfig();
const colorize = process.stdout.isTTY === true;
const prettyOptions = {
  colorize,
  singleLine: true,
  translateTime: "SYS:HH:MM:ss.l",
  ignore: "pid,hostname,svc,name",
};
const log = pino({ name: "dev" }, PinoPretty({ ...prettyOptions, sync: true }));
const pretty = prettyFactory(prettyOptions);

const stack = spawn("bun", ["run", "stack", "up"], { stdio: "inherit" });
const stackCode = await new Promise<number>((resolve) => stack.on("exit", (c) => resolve(c ?? 1)));
if (stackCode !== 0) {
  log.error("the stack did not come up; see the messages above");
  process.exit(stackCode);
}

const width = Math.max(..."processor web producer".split(" ").map((n) => n.length));
const supervisor = new Supervisor({
  onLine: (name, line) => {
    const text = line.startsWith("{") ? pretty(line).trimEnd() : line;
    process.stdout.write(`[${name.padEnd(width)}] ${text}\n`);
  },
  onEvent: (e) => {
    if (e.kind === "exited")
      (e.code === 0 ? log.info : log.warn).call(log, `${e.name} exited (${e.signal ?? `code ${e.code}`})`);
    else if (e.kind === "restarting")
      log.warn(`${e.name}: restart ${e.attempt} in ${(e.delayMs / 1000).toFixed(0)} s`);
    else log.error(`${e.name} failed ${e.restarts + 1} times in a row: giving up, stopping the others`);
  },
  restart: DEFAULT_RESTART,
  stopGraceMs: 15_000,
});
// One processor instance a core (PROCESSOR_INSTANCES overrides): the group spreads the partitions.
const instances =
  process.env.PROCESSOR_INSTANCES || String(Math.min(availableParallelism(), cfg.TOPIC_PARTITIONS));
supervisor.start({
  name: "processor",
  command: "bun",
  args: ["run", "--silent", "processor", "--instances", instances],
});
supervisor.start({ name: "web", command: "bun", args: ["run", "--silent", "web"] });
supervisor.start({
  name: "producer",
  command: "bun",
  args: ["run", "--silent", "producer", "--source", "synthetic"],
});

const stop = () => {
  log.info("stopping the processor, web tier and producer (the stack stays up)");
  void supervisor.stop();
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);

// The URL is printed once the web tier answers, so that a newcomer's first click works.
const url = `http://${cfg.WEB_HOST}:${cfg.WEB_PORT}/`;
const deadline = Date.now() + 60_000;
let up = false;
let finished = false;
void supervisor.done.then(() => {
  finished = true;
});
while (!up && !finished && Date.now() < deadline) {
  up = await fetch(`${url}healthz`).then(
    (r) => r.ok,
    () => false,
  );
  if (!up) await new Promise((r) => setTimeout(r, 250));
}
if (up) console.log(`\n  Dashboard: ${url}\n`);
else if (!finished) log.error(`the web tier did not answer at ${url} within 60 s; see its output above`);

process.exit(await supervisor.done);
