import { execFileSync } from "node:child_process";
import { repoRoot } from "../../stack/paths.ts";
import { type CoreBenchResult, runCoreBench } from "../core.ts";
import { profile } from "../profile.ts";
import type { Results } from "../report.ts";

// The windowing core on one core, under Node in this process and under Bun in a child, each next
// to the naive Map-of-objects baseline measured in the same run.
function underBun(): CoreBenchResult | string {
  try {
    const out = execFileSync(
      "bun",
      [
        "-e",
        'import { runCoreBench } from "./bench/core.ts"; console.log(JSON.stringify(await runCoreBench()));',
      ],
      { cwd: repoRoot, encoding: "utf8", maxBuffer: 16 * 1024 * 1024 },
    );
    return JSON.parse(out.trim().split("\n").at(-1) ?? "") as CoreBenchResult;
  } catch (e) {
    return (e as Error).message;
  }
}

export async function coreSection(r: Results): Promise<void> {
  const node = await runCoreBench();
  console.log(
    `  node: ${node.eventsPerSec} events/s (addBatch() ${node.batchEventsPerSec}), naive ${node.baselineEventsPerSec} (${node.ratio}×)`,
  );
  const bun = underBun();
  if (typeof bun === "string") r.errors["core.bun"] = bun;
  else
    console.log(
      `  bun: ${bun.eventsPerSec} events/s (addBatch() ${bun.batchEventsPerSec}), naive ${bun.baselineEventsPerSec} (${bun.ratio}×)`,
    );
  r.core = {
    eventsPerSec: node.eventsPerSec,
    batchEventsPerSec: node.batchEventsPerSec,
    baselineEventsPerSec: node.baselineEventsPerSec,
    ratio: node.ratio,
    bytesPerOpenWindow: node.bytesPerOpenWindow,
    runtime: node.runtime,
    rows: node.rows,
  };
  // A shorter run of the same workload under the profiler, for the summary's "where the time goes".
  r.core.profile = await profile(() => runCoreBench({ events: 1_000_000, reps: 1 }), "runCore");
  if (typeof bun !== "string") {
    r.core.bun = {
      eventsPerSec: bun.eventsPerSec,
      batchEventsPerSec: bun.batchEventsPerSec,
      baselineEventsPerSec: bun.baselineEventsPerSec,
      ratio: bun.ratio,
    };
    r.core.bunRows = bun.rows;
  }
}
