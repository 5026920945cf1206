import { spawn } from "node:child_process";
import { existsSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { sleep } from "../common/src/timeouts.ts";
import { ensureDir, type StackDirs } from "./paths.ts";

// Each service runs detached with a marker system property, so `down` can tell a process it
// started from an unrelated one that happens to reuse the pid.
export const marker = (service: string) => `-Drtpipeline.stack=${service}`;

const pidFile = (dirs: StackDirs, service: string) => join(dirs.run, `${service}.pid`);
export const logFile = (dirs: StackDirs, service: string) => join(dirs.logs, `${service}.log`);

export function runningPid(dirs: StackDirs, service: string): number | undefined {
  if (!existsSync(pidFile(dirs, service))) return undefined;
  const pid = Number(readFileSync(pidFile(dirs, service), "utf8").trim());
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    // Whole arguments only: kafka's marker is a prefix of kafka-2's.
    const args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    return args.includes(marker(service)) ? pid : undefined;
  } catch {
    return undefined;
  }
}

export function startJava(
  dirs: StackDirs,
  service: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): number {
  ensureDir(dirs.run);
  ensureDir(dirs.logs);
  const out = openSync(logFile(dirs, service), "a");
  const child = spawn("java", [marker(service), ...args], {
    detached: true,
    stdio: ["ignore", out, out],
    env: { ...process.env, ...env },
  });
  if (child.pid === undefined) throw new Error(`${service}: java did not start`);
  child.unref();
  writeFileSync(pidFile(dirs, service), String(child.pid));
  return child.pid;
}

/** SIGTERM, then SIGKILL after graceMs; `signal` SIGKILL kills at once (the chaos test's kill -9). */
export async function stopService(
  dirs: StackDirs,
  service: string,
  graceMs = 30_000,
  signal: "SIGTERM" | "SIGKILL" = "SIGTERM",
): Promise<boolean> {
  const pid = runningPid(dirs, service);
  if (pid === undefined) {
    rmSync(pidFile(dirs, service), { force: true });
    return false;
  }
  process.kill(pid, signal);
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && runningPid(dirs, service) !== undefined) await sleep(250);
  if (runningPid(dirs, service) !== undefined) process.kill(pid, "SIGKILL");
  while (runningPid(dirs, service) !== undefined) await sleep(100);
  rmSync(pidFile(dirs, service), { force: true });
  return true;
}

/** Resident memory of a running service in MiB, from /proc. */
export function residentMiB(dirs: StackDirs, service: string): number | undefined {
  const pid = runningPid(dirs, service);
  if (pid === undefined) return undefined;
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Math.round(Number(m[1]) / 1024) : undefined;
}
