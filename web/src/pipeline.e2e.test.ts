import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { Client } from "cassandra-driver";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deleteTopics } from "../../common/src/kafka-topics.ts";
import { createLogger } from "../../common/src/logger.ts";
import { type ProcessorHandle, startProcessor } from "../../processor/src/processor.ts";
import { type RunningWeb, startWebServer } from "./server.ts";
import { loadWebConfig } from "./web-config.ts";
import type { Window } from "./window-types.ts";

// The whole pipeline behind the dashboard: the producer's synthetic source (a child process, as
// `bun run producer` runs it) → Kafka → the processor → Cassandra and the aggregates topic → this web
// tier → Chromium. Every name is unique to this run.
const run = randomBytes(4).toString("hex");
const COUNT = 600;
const SHOTS = "test-results/screenshots";
const base = loadWebConfig({
  ...process.env,
  WEB_PORT: "0",
  PROCESSOR_METRICS_PORT: "0",
  CASSANDRA_KEYSPACE: `web_full_${run}`,
  TOPIC_USERS: `web_full_users_${run}`,
  TOPIC_DLQ: `web_full_dlq_${run}`,
  TOPIC_LATE: `web_full_late_${run}`,
  TOPIC_AGGREGATES: `web_full_aggregates_${run}`,
  TOPIC_PARTITIONS: "3",
  CONSUMER_GROUP: `web_full_group_${run}`,
  LOG_LEVEL: "warn",
});
let processor: ProcessorHandle;
let web: RunningWeb;
let browser: Browser;
const started = Date.now();

function produce(): Promise<{ code: number | null; out: string }> {
  const env: Record<string, string> = { ...(process.env as Record<string, string>) };
  for (const [k, v] of Object.entries(base)) env[k] = String(v);
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "producer/src/cli.ts",
      "--source",
      "synthetic",
      "--rate",
      "60",
      "--count",
      String(COUNT),
      "--quiet",
    ],
    { env, stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  child.stdout.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr.on("data", (d: Buffer) => {
    out += d.toString();
  });
  return new Promise((resolve) => child.on("exit", (code) => resolve({ code, out })));
}

describe("the dashboard over the real pipeline", () => {
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    processor = await startProcessor(base, { log: createLogger("processor", "warn") });
    web = await startWebServer(
      { ...base, PROCESSOR_STATUS_URL: `http://127.0.0.1:${processor.port}` },
      createLogger("web", "warn"),
    );
    browser = await chromium.launch({
      executablePath: "/usr/bin/chromium",
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await web?.close();
    await processor?.stop().catch(() => undefined);
    await deleteTopics(base, [base.TOPIC_USERS, base.TOPIC_DLQ, base.TOPIC_LATE, base.TOPIC_AGGREGATES]);
    const c = new Client({
      contactPoints: [base.CASSANDRA_CONTACT_POINT],
      localDataCenter: base.CASSANDRA_DC,
      // A shared, busy single node answers DDL and wide reads slowly; wait rather than fail.
      socketOptions: { connectTimeout: 15_000, readTimeout: 30_000 },
    });
    await c.execute(`DROP KEYSPACE IF EXISTS ${base.CASSANDRA_KEYSPACE}`);
    await c.shutdown();
  });

  it("moves the live charts while users flow, and ends with every event counted", async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const problems: string[] = [];
    page.on("pageerror", (e) => problems.push(e.message));
    await page.goto(`${web.url}/`);
    const producer = produce();
    const points = () => page.locator("#chart-all").getAttribute("data-points").then(Number);
    await expect.poll(points, { timeout: 60_000 }).toBeGreaterThanOrEqual(1);
    const first = await points();
    await expect.poll(points, { timeout: 60_000 }).toBeGreaterThan(first);
    const { code, out } = await producer;
    expect(code, out).toBe(0);

    const total = async () => {
      const res = await fetch(
        `${web.url}/api/aggregates?group=all&from=${started - 60_000}&to=${Date.now() + 60_000}`,
      );
      const body = (await res.json()) as { windows: Window[] };
      return body.windows.reduce((a, w) => a + w.count, 0);
    };
    await expect.poll(total, { timeout: 60_000, interval: 1000 }).toBe(COUNT);
    const live = async () => {
      const snap = (await (await fetch(`${web.url}/api/live/snapshot`)).json()) as { windows: Window[] };
      return snap.windows.filter((w) => w.group === "all").reduce((a, w) => a + w.count, 0);
    };
    await expect.poll(live, { timeout: 30_000 }).toBe(COUNT);
    await page.waitForTimeout(500);
    await page.screenshot({ path: `${SHOTS}/full-pipeline-overview.png`, fullPage: true });

    await page.goto(`${web.url}/pipeline`);
    expect(await page.locator("main").textContent()).toContain("running");
    await page.screenshot({ path: `${SHOTS}/full-pipeline-pipeline.png`, fullPage: true });

    await page.goto(`${web.url}/history?group=nat&range=15m`);
    await expect
      .poll(() => page.locator("#history-chart").getAttribute("data-points").then(Number))
      .toBeGreaterThan(0);
    await page.screenshot({ path: `${SHOTS}/full-pipeline-history.png`, fullPage: true });
    expect(problems).toEqual([]);
  });
});
