import { Session } from "node:inspector/promises";
import { relative } from "node:path";
import { repoRoot } from "../stack/paths.ts";

export interface Hotspot {
  fn: string;
  at: string;
  selfPercent: number;
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
    const { profile: p } = (await session.post("Profiler.stop")) as { profile: { nodes: ProfileNode[] } };
    const nodes = new Map(p.nodes.map((n) => [n.id, n]));
    const inside = new Set<number>();
    const visit = (id: number) => {
      if (inside.has(id)) return;
      inside.add(id);
      for (const c of nodes.get(id)?.children ?? []) visit(c);
    };
    for (const n of p.nodes) if (n.callFrame.functionName === root) visit(n.id);
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
  } finally {
    await session.post("Profiler.disable").catch(() => undefined);
    session.disconnect();
  }
}
