import os from "node:os";
import { join } from "node:path";
import { parseCommandLine, usageError } from "../common/src/command-line.ts";
import { repoRoot } from "../stack/paths.ts";
import { newResults, type Results, write } from "./report.ts";

// `bun run bench`: every figure behind the README's claims, measured in one run against the real
// stack (`bun run stack up` first). Each section runs on its own; one that fails is reported as
// such in the summary and the others still run. `--only core,web` runs a subset; the peers (Spark and
// Kafka Streams, built with Maven) run only when asked: `--peers` adds them to the run.
type Section = (r: Results) => Promise<void>;

const sections: Record<string, () => Promise<Section>> = {
  core: async () => (await import("./sections/core.ts")).coreSection,
  processor: async () => (await import("./sections/processor.ts")).processorSection,
  peers: async () => (await import("./sections/peers.ts")).peersSection,
  latency: async () => (await import("./sections/latency.ts")).latencySection,
  web: async () => (await import("./sections/web.ts")).webSection,
};

const USAGE = `usage: bun run bench [--only ${Object.keys(sections).join(",")}] [--peers]

Measures every figure behind the README's claims against the running stack (\`bun run stack up\`)
and writes bench/results/latest.json and a Markdown summary. --only runs the named sections;
--peers adds Spark Structured Streaming and Kafka Streams (built with Maven) to a full run.`;
const { values } = parseCommandLine(USAGE, {
  options: { only: { type: "string" }, peers: { type: "boolean" } },
});
const wanted = values.only
  ? values.only.split(",")
  : Object.keys(sections).filter((s) => s !== "peers" || values.peers);
for (const name of wanted) if (!sections[name]) usageError(USAGE, `unknown section '${name}'`);

const results = newResults();
for (const name of wanted) {
  const load = sections[name];
  if (!load) continue;
  const t0 = Date.now();
  results.loadAverage[name] = os.loadavg();
  console.log(
    `bench: ${name}… (load average ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(" ")})`,
  );
  try {
    await (await load())(results);
    console.log(`bench: ${name} done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  } catch (e) {
    results.errors[name] = (e as Error).message;
    console.error(`bench: ${name} failed: ${(e as Error).stack}`);
  }
}
const out = write(results, join(repoRoot, "bench", "results"));
console.log(`bench: wrote ${out.json} and ${out.md}`);
process.exit(0);
