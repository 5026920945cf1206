import { spawn } from "node:child_process";
import { existsSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ensureDir, logDir, runDir } from "./paths.ts";

// Each service runs detached with a marker system property, so `down` can tell a process it
// started from an unrelated one that happens to reuse the pid.
export const marker = (service: string) => `-Drtpipeline.stack=${service}`;

const pidFile = (service: string) => join(runDir, `${service}.pid`);
export const logFile = (service: string) => join(logDir, `${service}.log`);

export function runningPid(service: string): number | undefined {
  if (!existsSync(pidFile(service))) return undefined;
  const pid = Number(readFileSync(pidFile(service), "utf8").trim());
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    return cmdline.includes(marker(service)) ? pid : undefined;
  } catch {
    return undefined;
  }
}

export function startJava(service: string, args: string[], env: NodeJS.ProcessEnv = {}): number {
  ensureDir(runDir);
  ensureDir(logDir);
  const out = openSync(logFile(service), "a");
  const child = spawn("java", [marker(service), ...args], {
    detached: true,
    stdio: ["ignore", out, out],
    env: { ...process.env, ...env },
  });
  if (child.pid === undefined) throw new Error(`${service}: java did not start`);
  child.unref();
  writeFileSync(pidFile(service), String(child.pid));
  return child.pid;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function stopService(service: string, graceMs = 30_000): Promise<boolean> {
  const pid = runningPid(service);
  if (pid === undefined) {
    rmSync(pidFile(service), { force: true });
    return false;
  }
  process.kill(pid, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && runningPid(service) !== undefined) await sleep(250);
  if (runningPid(service) !== undefined) process.kill(pid, "SIGKILL");
  while (runningPid(service) !== undefined) await sleep(100);
  rmSync(pidFile(service), { force: true });
  return true;
}

/** Resident memory of a running service in MiB, from /proc. */
export function residentMiB(service: string): number | undefined {
  const pid = runningPid(service);
  if (pid === undefined) return undefined;
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Math.round(Number(m[1]) / 1024) : undefined;
}
