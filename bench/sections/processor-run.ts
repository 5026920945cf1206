import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { createCassandraClient } from "../../common/src/cassandra-client.ts";
import type { Config } from "../../common/src/config.ts";
import { sleep } from "../../common/src/timeouts.ts";
import { PROCESSOR_NODE_FLAGS } from "../../processor/src/node-flags.ts";
import { repoRoot } from "../../stack/paths.ts";
import { cpuSeconds, rssMb } from "./proc-stat.ts";

// The processor as the bench measures it: `instances` processes in one consumer group, each its own
// Node process, timed from the first event any of them processed until together they processed
// `expected`, with their CPU time (from /proc) over the same span. They are then stopped gracefully
// (drain, checkpoint), so what they wrote can be checked.
export interface ProcessorRun {
  eventsPerSec: number;
  cpuSeconds: number;
  eventsPerCpuSecond: number;
  /** Resident memory samples (MB) of the first instance, from its first event on. */
  rss: number[];
  late: number;
}

interface Status {
  processed: number;
  late: number;
  /** Writes accepted and not yet durable in Cassandra. */
  pendingWrites: number;
}

const status = (port: number) =>
  fetch(`http://127.0.0.1:${port}/status`)
    .then((r) => (r.ok ? (r.json() as Promise<Status>) : undefined))
    .catch(() => undefined);

export async function timeProcessors(
  env: Record<string, string>,
  expected: number,
  opts: {
    basePort: number;
    instances?: number;
    nodeFlags?: readonly string[];
    /** Also wait until every accepted write is durable (the users path is timed to its last user stored). */
    untilDurable?: boolean;
  },
): Promise<ProcessorRun> {
  const entry = join(repoRoot, "processor/src/main.ts");
  const args = [...PROCESSOR_NODE_FLAGS, ...(opts.nodeFlags ?? []), "--import", "tsx", entry];
  const ports = Array.from({ length: opts.instances ?? 1 }, (_, i) => opts.basePort + i);
  const children: ChildProcess[] = ports.map((port) =>
    spawn("node", args, {
      cwd: repoRoot,
      env: { ...process.env, ...env, PROCESSOR_METRICS_PORT: String(port) },
      stdio: ["ignore", "ignore", "inherit"],
    }),
  );
  const cpu = () => children.reduce((s, c) => s + (c.pid === undefined ? 0 : (cpuSeconds(c.pid) ?? 0)), 0);
  const rss: number[] = [];
  try {
    let first: { t: number; cpu: number } | undefined;
    let processed = 0;
    let late = 0;
    let pending = 0;
    const deadline = Date.now() + 600_000;
    while (processed < expected || (opts.untilDurable && pending > 0)) {
      if (Date.now() > deadline) throw new Error(`processor processed ${processed} of ${expected} in 600 s`);
      const gone = children.find((c) => c.exitCode !== null);
      if (gone) throw new Error(`processor exited with ${gone.exitCode}`);
      await sleep(50);
      const all = await Promise.all(ports.map(status));
      if (all.some((s) => s === undefined)) continue;
      processed = all.reduce((s, x) => s + (x?.processed ?? 0), 0);
      late = all.reduce((s, x) => s + (x?.late ?? 0), 0);
      pending = all.reduce((s, x) => s + (x?.pendingWrites ?? 0), 0);
      if (processed > 0 && !first) first = { t: performance.now(), cpu: cpu() };
      const mb = children[0]?.pid === undefined ? undefined : rssMb(children[0].pid);
      if (mb !== undefined && first) rss.push(mb);
    }
    const spent = cpu() - (first?.cpu ?? 0);
    const seconds = (performance.now() - (first?.t ?? 0)) / 1000;
    return {
      eventsPerSec: processed / seconds,
      cpuSeconds: spent,
      eventsPerCpuSecond: processed / spent,
      rss,
      late,
    };
  } finally {
    await Promise.all(
      children.map((child) => {
        if (child.exitCode !== null) return undefined;
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        return exited;
      }),
    );
  }
}

/** Sum of `count` over every stored window row, by group (all / nat / gender). */
export async function storedCounts(config: Config): Promise<Record<string, number>> {
  const c = createCassandraClient(config);
  await c.connect();
  try {
    const counts: Record<string, number> = {};
    // The result set's async iterator fetches every page.
    const rows = await c.execute(
      `SELECT group_name, count FROM ${config.CASSANDRA_KEYSPACE}.window_aggregates`,
      [],
      {
        prepare: true,
        fetchSize: 5_000,
      },
    );
    for await (const row of rows) {
      const group = row.get("group_name") as string;
      counts[group] = (counts[group] ?? 0) + (row.get("count") as { toNumber(): number }).toNumber();
    }
    return counts;
  } finally {
    await c.shutdown();
  }
}

/** Whether each group's counts add up to the events that were not late (contract §4). */
export function countsCheck(
  counts: Record<string, number>,
  events: number,
  late: number,
): { ok: boolean; expected: number; counts: Record<string, number> } {
  const expected = events - late;
  const ok = ["all", "nat", "gender"].every((g) => counts[g] === expected);
  return { ok, expected, counts };
}
