import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { sleep } from "../../common/src/timeouts.ts";
import { repoRoot } from "../../stack/paths.ts";

/** A service of the repo (processor, web) as its own process, the way `bun run dev` runs it. */
export function spawnService(
  entry: string,
  env: Record<string, string>,
  nodeFlags: readonly string[] = [],
): ChildProcess {
  return spawn("node", [...nodeFlags, "--import", "tsx", join(repoRoot, entry)], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ["ignore", "ignore", "inherit"],
  });
}

export async function waitHttp(url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await fetch(url)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return;
    await sleep(200);
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  await Promise.race([exited, sleep(20_000).then(() => child.kill("SIGKILL"))]);
}
