import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createLogger } from "../../common/src/logger.ts";
import { sleep } from "../../common/src/timeouts.ts";
import { startProcessor } from "../../processor/src/start-processor.ts";
import { cassandraClient, configEnv, dropAll, uniqueConfig } from "../../processor/src/testing/harness.ts";
import { replayFile } from "../../producer/src/replay.ts";
import { startWebServer } from "../../web/src/runtime/node-server.ts";
import { loadWebConfig } from "../../web/src/web-config.ts";
import { diffWindows, fixturesDir, type Golden, type GoldenWindow, goldenSettings } from "./golden.ts";

export interface CheckResult {
  fixture: string;
  variant: string | undefined;
  sent: number;
  rejected: number;
  diff: string[];
  allFinal: boolean;
}

interface ApiWindow extends GoldenWindow {
  final: boolean;
}

/**
 * Replays a golden file's fixture through the real pipeline — producer → Kafka → processor →
 * Cassandra → the web tier's JSON API — in topics, a group and a keyspace of its own, the processor
 * and web tier configured as the golden says (window, slide, lateness, group-by), and compares the
 * final windows the API serves with the golden file.
 */
export async function checkGolden(goldenFile: string, timeoutMs = 180_000): Promise<CheckResult> {
  const golden = JSON.parse(readFileSync(goldenFile, "utf8")) as Golden;
  const fixture = join(fixturesDir, golden.fixture);
  const config = uniqueConfig("golden", goldenSettings(golden));
  const log = createLogger("golden", "warn");
  const processor = await startProcessor(config, { log });
  const web = await startWebServer(loadWebConfig({ ...configEnv(config), WEB_PORT: "0" }), log);
  const cassandra = cassandraClient(config);
  try {
    const stats = await replayFile(fixture, config, { log });
    const starts = golden.windows.map((w) => w.windowStart);
    const from = Math.min(...starts);
    const to = Math.max(...starts) + 1;
    let actual: ApiWindow[] = [];
    let diff: string[] = ["nothing read yet"];
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      actual = [];
      for (const group of golden.window.groups) {
        const res = await fetch(`${web.url}/api/aggregates?group=${group}&from=${from}&to=${to}`);
        if (!res.ok) throw new Error(`API ${res.status}: ${await res.text()}`);
        actual.push(...((await res.json()) as { windows: ApiWindow[] }).windows);
      }
      diff = diffWindows(golden.windows, actual);
      if (diff.length === 0 && actual.every((w) => w.final)) break;
      await sleep(1_000);
    }
    return {
      fixture: golden.fixture,
      variant: golden.variant,
      sent: stats.sent,
      rejected: stats.rejected,
      diff,
      allFinal: actual.length > 0 && actual.every((w) => w.final),
    };
  } finally {
    await processor.stop().catch(() => undefined);
    await web.close();
    await cassandra.connect();
    await dropAll(config, cassandra);
    await cassandra.shutdown();
  }
}
