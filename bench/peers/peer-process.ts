import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { z } from "zod";
import { cpuSeconds, rssMb } from "../sections/proc-stat.ts";

// Runs one peer (a JVM) to its end and measures it from outside: wall time and CPU time (from
// /proc/<pid>/stat) between its `start` and `done` lines. JVM start-up, and Spark's session set-up,
// come before `start` and are not counted; resident memory is sampled over the whole run.
const PeerLine = z.discriminatedUnion("event", [
  z.object({ event: z.literal("start") }),
  z.object({ event: z.literal("done") }),
  z.object({
    event: z.literal("result"),
    events: z.number().int().nonnegative(),
    late: z.number().int().nonnegative().optional(),
    droppedRows: z.number().int().nonnegative().optional(),
    windowRows: z.number().int().nonnegative(),
    batches: z.number().int().nonnegative().optional(),
    counts: z.record(z.string(), z.number().int().nonnegative()),
  }),
]);
export type PeerResult = Extract<z.infer<typeof PeerLine>, { event: "result" }>;

export interface PeerRun {
  seconds: number;
  cpuSeconds: number;
  rssMbMax: number;
  result: PeerResult;
}

/** The Java 17 module openings Spark 3.5 needs (its launcher adds the same). */
export const SPARK_JAVA_OPTIONS = [
  "java.lang",
  "java.lang.invoke",
  "java.lang.reflect",
  "java.io",
  "java.net",
  "java.nio",
  "java.util",
  "java.util.concurrent",
  "java.util.concurrent.atomic",
  "sun.nio.ch",
  "sun.nio.cs",
  "sun.security.action",
  "sun.util.calendar",
]
  .map((p) => `--add-opens=java.base/${p}=ALL-UNNAMED`)
  .concat(["-Djdk.reflect.useDirectMethodHandle=false"]);

export async function runPeer(opts: {
  name: string;
  classpath: string;
  mainClass: string;
  jvmFlags: readonly string[];
  env: Record<string, string>;
  timeoutMs: number;
}): Promise<PeerRun> {
  const child = spawn("java", [...opts.jvmFlags, "-cp", opts.classpath, opts.mainClass], {
    env: { ...process.env, ...opts.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const stderr: string[] = [];
  createInterface({ input: child.stderr }).on("line", (l) => {
    stderr.push(l);
    if (stderr.length > 40) stderr.shift();
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${opts.name}: java did not start`);
  let start: { t: number; cpu: number } | undefined;
  let done: { t: number; cpu: number } | undefined;
  let result: PeerResult | undefined;
  let rssMax = 0;
  const sampler = setInterval(() => {
    rssMax = Math.max(rssMax, rssMb(pid) ?? 0);
  }, 200);
  const mark = () => ({ t: performance.now(), cpu: cpuSeconds(pid) ?? Number.NaN });
  createInterface({ input: child.stdout }).on("line", (l) => {
    if (!l.startsWith("PEER ")) return;
    const line = PeerLine.parse(JSON.parse(l.slice(5)));
    if (line.event === "start") start = mark();
    else if (line.event === "done") done = mark();
    else result = line;
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs);
  const code = await new Promise<number | null>((res) => child.once("exit", res));
  clearTimeout(timer);
  clearInterval(sampler);
  if (!start || !done || !result) {
    throw new Error(
      `${opts.name} exited with ${code} before reporting (${start ? "" : "no start, "}${done ? "" : "no done, "}${result ? "" : "no result"}): ${stderr.slice(-8).join(" | ")}`,
    );
  }
  return { seconds: (done.t - start.t) / 1000, cpuSeconds: done.cpu - start.cpu, rssMbMax: rssMax, result };
}
