import { readdirSync, readFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { join, relative } from "node:path";
import { repoRoot } from "../stack/paths.ts";

export interface Hotspot {
  fn: string;
  at: string;
  selfPercent: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
}

interface ProfileNode {
  id: number;
  hitCount?: number;
  children?: number[];
  callFrame: { functionName: string; url: string; lineNumber: number };
}

/**
 * Where the time goes: runs `work` under V8's sampling profiler (in this process) and returns the
 * functions with the most self time, as shares of the samples taken inside calls to `root`.
 */
export async function profile(
  work: () => Promise<unknown> | unknown,
  root: string,
  top = 6,
): Promise<Hotspot[]> {
  const session = new Session();
  session.connect();
  try {
    await session.post("Profiler.enable");
    await session.post("Profiler.setSamplingInterval", { interval: 200 });
    await session.post("Profiler.start");
    await work();
    const { profile: p } = (await session.post("Profiler.stop")) as { profile: CpuProfile };
    return hotspots(p, top, root);
  } finally {
    await session.post("Profiler.disable").catch(() => undefined);
    session.disconnect();
  }
}

/**
 * The functions with the most self time in a V8 CPU profile, as shares of its samples: of the samples
 * taken inside calls to `root` when given, else of all of them, V8's own entries included
 * ("(garbage collector)", "(idle)": waiting on I/O, "(program)": native code outside JS).
 */
export function hotspots(p: CpuProfile, top: number, root?: string): Hotspot[] {
  const nodes = new Map(p.nodes.map((n) => [n.id, n]));
  const inside = new Set<number>();
  const visit = (id: number) => {
    if (inside.has(id)) return;
    inside.add(id);
    for (const c of nodes.get(id)?.children ?? []) visit(c);
  };
  for (const n of p.nodes) if (root === undefined || n.callFrame.functionName === root) visit(n.id);
  const byFn = new Map<string, Hotspot & { hits: number }>();
  let total = 0;
  for (const id of inside) {
    const n = nodes.get(id)!;
    const hits = n.hitCount ?? 0;
    total += hits;
    const { functionName, url } = n.callFrame;
    const file = url.startsWith("file://") ? relative(repoRoot, new URL(url).pathname) : url || "(native)";
    const key = `${functionName}|${file}`;
    const e = byFn.get(key) ?? { fn: functionName || "(anonymous)", at: file, selfPercent: 0, hits: 0 };
    e.hits += hits;
    byFn.set(key, e);
  }
  return [...byFn.values()]
    .sort((a, b) => b.hits - a.hits)
    .slice(0, top)
    .map(({ fn, at, hits }) => ({
      fn,
      at,
      selfPercent: Math.round((hits / Math.max(1, total)) * 1000) / 10,
    }));
}

/**
 * hotspots() of the main thread's profile that a child process wrote with --cpu-prof into `dir`
 * (CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile; thread 0 is the main one, tsx's loader has its own).
 */
export function hotspotsOfDir(dir: string, top: number): Hotspot[] {
  const main = readdirSync(dir).find((f) => /\.\d+\.0\.\d+\.cpuprofile$/.test(f));
  if (main === undefined) throw new Error(`no main-thread .cpuprofile written in ${dir}`);
  return hotspots(JSON.parse(readFileSync(join(dir, main), "utf8")) as CpuProfile, top);
}
