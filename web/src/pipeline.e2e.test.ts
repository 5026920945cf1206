import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "cassandra-driver";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deleteTopics } from "../../common/src/kafka-topics.ts";
import { createLogger } from "../../common/src/logger.ts";
import { type ProcessorHandle, startProcessor } from "../../processor/src/start-processor.ts";
import type { PipelineSnapshot } from "./pipeline-monitor.ts";
import { type RunningWeb, startWebServer } from "./runtime/node-server.ts";
import { launchChromium } from "./testing/browser.ts";
import { loadWebConfig } from "./web-config.ts";
import type { Window } from "./window-types.ts";

// The whole pipeline behind the dashboard, fed by fixture replays as `bun run replay` runs them (the
// producer CLI in a child process) → Kafka → the processor → Cassandra and the aggregates topic →
// this web tier → Chromium. Every name is unique to this run.
const run = randomBytes(4).toString("hex");
const SHOTS = "test-results/screenshots";
const HAPPY = "fixtures/happy.ndjson";
const FRESH_COUNT = 300;
const W = 10_000;
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
  // Idleness is processing time (contract §4): a replay stalled on a loaded machine for longer than
  // IDLE_TIMEOUT_MS + ALLOWED_LATENESS_MS (3 s + 5 s by default) makes its later events late, which the
  // golden file cannot have (CI once saw 65 of happy's 200). This test is about what the dashboard shows;
  // idleness has its own (processor/src/idle-partitions.int.test.ts). The last windows close 20 s later.
  IDLE_TIMEOUT_MS: "20000",
  LOG_LEVEL: "warn",
});
const tmp = mkdtempSync(join(tmpdir(), "web-e2e-"));
let processor: ProcessorHandle;
let web: RunningWeb;
let browser: Browser;

interface Child {
  code: number | null;
  out: string;
}

function node(args: string[]): Promise<Child> {
  const env: Record<string, string> = { ...(process.env as Record<string, string>) };
  for (const [k, v] of Object.entries(base)) env[k] = String(v);
  const child = spawn(process.execPath, ["--import", "tsx", ...args], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr.on("data", (d: Buffer) => {
    out += d.toString();
  });
  return new Promise((resolve) => child.on("exit", (code) => resolve({ code, out })));
}

/** `bun run replay <file>` (package.json: the producer CLI with --source fixture --replay). */
const replay = (file: string) =>
  node(["producer/src/cli.ts", "--source", "fixture", "--replay", file, "--quiet"]);
/** A fixture sent at its recorded pace, as it was received. */
const replayPaced = (file: string) =>
  node(["producer/src/cli.ts", "--source", "fixture", file, "--speed", "1x", "--quiet"]);

function fixtureEvents(file: string): { eventTime: number; username: string; uuid: string }[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => {
      const e = JSON.parse(l) as { event_time: number; user: { login: { username: string; uuid: string } } };
      return { eventTime: e.event_time, username: e.user.login.username, uuid: e.user.login.uuid };
    });
}

const iso = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`;

async function stored(group: string, from: number, to: number): Promise<Window[]> {
  const res = await fetch(`${web.url}/api/aggregates?group=${group}&from=${from}&to=${to}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { windows: Window[] }).windows;
}

const sum = (ws: Window[]) => ws.reduce((a, w) => a + w.count, 0);
const points = (page: Page, id: string) => page.locator(`#${id}`).getAttribute("data-points").then(Number);
/** The start of the newest window the Overview's main chart shows. */
const newestShown = (page: Page) =>
  page
    .locator("#chart-all")
    .getAttribute("data-last")
    .then((s) => Number(s) * 1000);
const shot = (page: Page, name: string) => page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });

describe("the dashboard over the real pipeline, fed by fixture replays", () => {
  let overview: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    processor = await startProcessor(base, { log: createLogger("processor", "warn") });
    web = await startWebServer(
      { ...base, PROCESSOR_STATUS_URL: `http://127.0.0.1:${processor.port}` },
      createLogger("web", "warn"),
    );
    browser = await launchChromium();
    overview = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    overview.on("pageerror", (e) => problems.push(e.message));
    await overview.goto(`${web.url}/`);
  });

  afterAll(async () => {
    await browser?.close();
    await web?.close();
    await processor?.stop().catch(() => undefined);
    rmSync(tmp, { recursive: true, force: true });
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

  it("replays fixtures/happy.ndjson into the open Overview, and History finds its 2026-01-01 windows as the golden file has them", async () => {
    const golden = JSON.parse(readFileSync("fixtures/happy.golden.json", "utf8")) as { windows: Window[] };
    const goldenAll = golden.windows.filter((w) => w.group === "all");
    const times = fixtureEvents(HAPPY).map((e) => e.eventTime);
    const from = Math.floor(Math.min(...times) / W) * W;
    const to = (Math.floor(Math.max(...times) / W) + 1) * W;
    expect(await points(overview, "chart-all")).toBe(0);

    const replayed = replay(HAPPY);
    await expect.poll(() => points(overview, "chart-all"), { timeout: 60_000 }).toBeGreaterThanOrEqual(1);
    const { code, out } = await replayed;
    expect(code, out).toBe(0);
    expect(out).toMatch(/replay: sent 200, rejected 0, failed 0/);
    await expect.poll(() => points(overview, "chart-all"), { timeout: 60_000 }).toBe(goldenAll.length);
    expect(await newestShown(overview)).toBe(goldenAll.at(-1)?.windowStart);

    // Every window final and equal to the reference's, for every group.
    const finalAll = async () => (await stored("all", from, to)).every((w) => w.final);
    await expect.poll(finalAll, { timeout: 120_000, interval: 1000 }).toBe(true);
    // An event finalized out of its window would show here first, with its reason on the late topic.
    const snap = (await (await fetch(`${web.url}/api/pipeline`)).json()) as PipelineSnapshot;
    expect({ late: snap.late, deadLettered: snap.deadLettered }).toEqual({ late: 0, deadLettered: 0 });
    for (const group of ["all", "nat", "gender"]) {
      const expected = golden.windows.filter((w) => w.group === group).map((w) => ({ ...w, final: true }));
      await expect.poll(() => stored(group, from, to), { timeout: 30_000, interval: 1000 }).toEqual(expected);
    }
    await shot(overview, "full-pipeline-overview-happy");

    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on("pageerror", (e) => problems.push(e.message));
    await page.goto(`${web.url}/history?group=all&from=${iso(from)}&to=${iso(to)}`);
    await expect.poll(() => points(page, "history-chart"), { timeout: 30_000 }).toBe(goldenAll.length);
    const totals = page.locator("#history-table tbody tr").first().locator("td");
    expect(await totals.nth(2).textContent()).toBe("200");
    await shot(page, "full-pipeline-history-happy");
    await page.close();
    expect(problems).toEqual([]);
  });

  it("replays a fixture recorded now at its pace: the live charts gain points as it goes, and every event is counted", async () => {
    const file = join(tmp, "fresh.ndjson");
    const start = Date.now();
    const generated = await node([
      "fixtures/generate.ts",
      "--count",
      String(FRESH_COUNT),
      "--seed",
      "7",
      "--start",
      String(start),
      "--spacing-ms",
      "100",
      "--disorder-ms",
      "1000",
      "--out",
      file,
    ]);
    expect(generated.code, generated.out).toBe(0);
    const events = fixtureEvents(file);
    expect(events).toHaveLength(FRESH_COUNT);
    const from = Math.floor(Math.min(...events.map((e) => e.eventTime)) / W) * W;
    const to = (Math.floor(Math.max(...events.map((e) => e.eventTime)) / W) + 1) * W;

    const replayed = replayPaced(file);
    // The Overview follows the newest windows: the fixture's, once its first window is published.
    await expect.poll(() => newestShown(overview), { timeout: 60_000 }).toBeGreaterThanOrEqual(from);
    const first = await points(overview, "chart-all");
    expect(first).toBeGreaterThanOrEqual(1);
    await expect.poll(() => points(overview, "chart-all"), { timeout: 60_000 }).toBeGreaterThan(first);
    const { code, out } = await replayed;
    expect(code, out).toBe(0);
    expect(out).toContain(`fixture: sent ${FRESH_COUNT}, rejected 0, failed 0`);

    await expect
      .poll(async () => sum(await stored("all", from, to)), { timeout: 60_000, interval: 1000 })
      .toBe(FRESH_COUNT);
    const live = async () => {
      const snap = (await (await fetch(`${web.url}/api/live/snapshot`)).json()) as { windows: Window[] };
      return sum(snap.windows.filter((w) => w.group === "all" && w.windowStart >= from));
    };
    await expect.poll(live, { timeout: 30_000 }).toBe(FRESH_COUNT);
    await expect.poll(() => points(overview, "chart-all"), { timeout: 30_000 }).toBe((to - from) / W);
    await overview.waitForTimeout(500);
    await shot(overview, "full-pipeline-overview");

    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on("pageerror", (e) => problems.push(e.message));
    await page.goto(`${web.url}/history?group=nat&from=${from}&to=${to}`);
    await expect.poll(() => points(page, "history-chart"), { timeout: 30_000 }).toBe((to - from) / W);
    expect(await page.locator("#history-status").textContent()).toMatch(/windows · \d+ keys/);
    await shot(page, "full-pipeline-history");

    const pipeline = async () =>
      ((await (await fetch(`${web.url}/api/pipeline`)).json()) as PipelineSnapshot).consumer.totalLag;
    await expect.poll(pipeline, { timeout: 30_000, interval: 1000 }).toBe(0);
    await page.goto(`${web.url}/pipeline`);
    const text = (await page.locator("main").textContent()) ?? "";
    expect(text).toContain("running");
    expect(text).toContain(base.TOPIC_AGGREGATES);
    await shot(page, "full-pipeline-pipeline");

    const someone = events[0];
    if (!someone) throw new Error("empty fixture");
    await page.goto(`${web.url}/users`);
    await page.fill("input[name=q]", someone.username);
    await page.click("button[type=submit]");
    await expect
      .poll(() => page.locator("#results tbody tr").count(), { timeout: 30_000 })
      .toBeGreaterThanOrEqual(1);
    await shot(page, "full-pipeline-users");
    await page.goto(`${web.url}/users/${someone.uuid}`);
    expect(await page.locator("main").textContent()).toContain(someone.username);
    await shot(page, "full-pipeline-user-detail");

    await page.goto(`${web.url}/ingestion`);
    await shot(page, "full-pipeline-ingestion");
    await page.close();
    expect(problems).toEqual([]);
  });
});
