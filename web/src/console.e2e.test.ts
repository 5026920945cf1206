import { mkdirSync, readFileSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDeadLetter } from "../../common/src/contracts/dead-letter.ts";
import { createLogger } from "../../common/src/logger.ts";
import { type ChildProcessor, spawnProcessor } from "../../processor/src/testing/harness.ts";
import { runApiSchedule } from "../../producer/src/api-source.ts";
import { openPipeline, type Pipeline } from "../../producer/src/pipeline.ts";
import { RunsStore } from "../../producer/src/runs-store.ts";
import { registerUserSchema } from "../../producer/src/schema-registry.ts";
import { produceSynthetic } from "../../producer/src/synthetic.ts";
import { cleanupIsolated } from "../../producer/src/testing/cleanup.ts";
import { type FaultServer, startFaultServer } from "../../producer/src/testing/fault-server.ts";
import { isolatedConfig } from "../../producer/src/testing/test-config.ts";
import { type RunningWeb, startWebServer } from "./runtime/node-server.ts";
import { launchChromium } from "./testing/browser.ts";
import { loadWebConfig } from "./web-config.ts";

// The operations console in headless Chromium against the real Kafka, registry and Cassandra, with the
// producer's api scheduler running in this process against a local stand-in for randomuser.me.
const SHOTS = "test-results/screenshots";
const TOKEN = "console-e2e-token";
const page1 = readFileSync(new URL("../../fixtures/api/page-one-bad.json", import.meta.url), "utf8");
// One run an hour: every run after the first is one the test asked for.
const config = isolatedConfig("console", {
  PRODUCER_INTERVAL_MS: "3600000",
  RANDOMUSER_RESULTS: "6",
  CONSUMER_GROUP: `console_e2e_${Date.now().toString(36)}`,
  PROCESSOR_METRICS_PORT: "0",
  PRODUCER_METRICS_PORT: "0",
});
let server: FaultServer;
let pipeline: Pipeline;
let runs: RunsStore;
let web: RunningWeb;
let browser: Browser;
const stopScheduler = new AbortController();
let scheduler: Promise<unknown>;
let processor: ChildProcessor;

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

async function openPage(path: string): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  const problems: string[] = [];
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => {
    if (
      m.type() === "error" &&
      !/Failed to load resource: the server responded with a status of 4/.test(m.text())
    )
      problems.push(`console: ${m.text()}`);
  });
  await page.goto(`${web.url}${path}`);
  return { page, problems };
}

async function useToken(page: Page): Promise<void> {
  await page.fill("#admin-token", TOKEN);
  await page.click("#admin-token-save");
  await expect.poll(() => page.locator("[data-admin-state]").first().textContent()).toContain("token set");
}

describe("the operations console in a browser", () => {
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    server = await startFaultServer({ kind: "page", body: page1 });
    config.RANDOMUSER_URL = server.url;
    pipeline = await openPipeline(config);
    runs = await RunsStore.connect(config);
    scheduler = runApiSchedule(config, {
      pipeline,
      runs,
      signal: stopScheduler.signal,
      scheduler: "console-e2e",
      fetch: { timeoutMs: 2000, maxAttempts: 1 },
    });
    // The real processor on this test's topics and group, for the end-to-end latency.
    processor = spawnProcessor(config, { PROCESSOR_INSTANCE: "console-e2e", LOG_LEVEL: "info" });
    const statusPort = await processor.started;
    const cfg = loadWebConfig({
      ...process.env,
      ...Object.fromEntries(Object.entries(config).map(([k, v]) => [k, String(v ?? "")])),
      WEB_PORT: "0",
      WEB_ADMIN_TOKEN: TOKEN,
      PROCESSOR_STATUS_URL: `http://127.0.0.1:${statusPort}`,
      LOG_LEVEL: "warn",
    });
    web = await startWebServer(cfg, createLogger("console-e2e", "warn"));
    browser = await launchChromium();
  });

  afterAll(async () => {
    stopScheduler.abort();
    await scheduler;
    processor?.child.kill("SIGTERM");
    await processor?.exited;
    await browser?.close();
    await web?.close();
    await pipeline?.close();
    await runs?.close();
    await server?.close();
    await cleanupIsolated(config, { keyspace: true });
  });

  it("Ingestion: the schedule and its next run; trigger a run and see it appear; pause and resume", async () => {
    const { page, problems } = await openPage("/ingestion");
    // The scheduler's first run starts at once; its heartbeat and next run time show in the card.
    await expect.poll(() => page.locator("#runs tbody tr[data-run]").count(), { timeout: 30_000 }).toBe(1);
    await expect
      .poll(() => page.locator("#schedule-status").textContent(), { timeout: 15_000 })
      .toBe("scheduled");
    expect(await page.locator("#next-run").textContent()).toMatch(/UTC \(in \d+ min/);
    await useToken(page);
    await page.click("#trigger-run");
    await expect.poll(() => page.locator("#schedule-message").textContent()).toContain("run requested");
    await expect.poll(() => page.locator("#runs tbody tr[data-run]").count(), { timeout: 30_000 }).toBe(2);
    const newest = page.locator("#runs tbody tr[data-run]").first();
    await expect.poll(() => newest.textContent(), { timeout: 15_000 }).toContain("trigger=manual");
    expect(await newest.textContent()).toContain("success");

    await page.click("#pause");
    await expect.poll(() => page.locator("#schedule-status").textContent()).toBe("paused");
    expect(await page.locator("#next-run").textContent()).toContain("paused");
    await shot(page, "ingestion");
    await page.click("#resume");
    await expect
      .poll(() => page.locator("#schedule-status").textContent(), { timeout: 15_000 })
      .toBe("scheduled");
    await expect.poll(() => page.locator("#next-run").textContent(), { timeout: 15_000 }).toMatch(/UTC \(in/);

    // A run's page: its parameters, counts, and the rejection it met.
    await newest.locator("a").first().click();
    await expect.poll(() => page.locator("#run-status").textContent()).toBe("success");
    expect(await page.locator("#run-parameters").textContent()).toContain("manual");
    expect(await page.locator("#run-counts").textContent()).toBe("6 / 5");
    expect(await page.locator("#run-errors").textContent()).toMatch(/map: /);
    await shot(page, "ingestion-run");
    expect(problems).toEqual([]);
    await page.close();
  });

  it("Dead letters: list them, open one (redacted payload, headers), re-drive it and see it counted", async () => {
    // A letter the producer wrote before a fix: a good user refused by a bug; after the fix, re-driving it sends it.
    const good = (
      JSON.parse(readFileSync(new URL("../../fixtures/api/page-good.json", import.meta.url), "utf8")) as {
        results: { login: Record<string, unknown> }[];
      }
    ).results[0];
    expect(good?.login.password).toBeTruthy();
    const letter = buildDeadLetter({
      reason: "nat: refused by a mapping bug fixed since",
      stage: "map",
      source: "api",
      payload: JSON.stringify(good),
      key: String(good?.login.uuid),
    });
    await pipeline.producer.send(config.TOPIC_DLQ, letter.key, letter.value, [{ source: "api" }]);

    const { page, problems } = await openPage("/dead-letters");
    const row = page.locator("#dead-letters tbody tr", { hasText: "mapping bug fixed since" });
    await expect.poll(() => row.count(), { timeout: 15_000 }).toBe(1);
    // The scheduler's run dead-lettered the page's bad user: listed too, with its stage and origin.
    expect(await page.locator("#dead-letters tbody tr", { hasText: "login.uuid" }).count()).toBeGreaterThan(
      0,
    );
    expect(await page.locator("#redriven-count").textContent()).toBe("0");
    await shot(page, "dead-letters");

    await row.locator("a").first().click();
    await expect.poll(() => page.locator("#letter-reason").textContent()).toContain("mapping bug");
    const payload = (await page.locator("#letter-payload").textContent()) ?? "";
    expect(payload).toContain(String(good?.login.uuid));
    expect(payload).not.toContain(String(good?.login.password));
    expect(await page.locator("#letter-headers").textContent()).toContain("source");
    await useToken(page);
    await page.click("#redrive");
    await expect.poll(() => page.locator("#redrive-sent").textContent(), { timeout: 30_000 }).toBe("1");
    await shot(page, "dead-letter");
    const runHref = await page.locator("#redrive-run").getAttribute("href");

    expect(await page.locator("#redrive-result").textContent()).not.toContain("could not be stored");
    await page.goto(`${web.url}/dead-letters`);
    expect(await page.locator("#redriven-count").textContent()).toBe("1");
    // Recorded as a run: source redrive, the letter in its parameters.
    await page.goto(`${web.url}${runHref}`);
    expect(await page.locator("#run-status").textContent()).toBe("success");
    expect(await page.locator("#run-counts").textContent()).toBe("1 / 1");
    expect(await page.locator("#run-parameters").textContent()).toMatch(/\d+:\d+/);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("a run's page lists the dead letters it wrote", async () => {
    const { page, problems } = await openPage("/ingestion");
    const first = page.locator("#runs tbody tr[data-run]", { hasText: "trigger=schedule" }).first();
    await first.locator("a").first().click();
    await expect
      .poll(() => page.locator("#dead-letters tbody tr[data-letter]").count(), { timeout: 15_000 })
      .toBe(1);
    expect(await page.locator("#dead-letters").textContent()).toContain("login.uuid");
    await shot(page, "ingestion-run-dead-letters");
    expect(problems).toEqual([]);
    await page.close();
  });

  it("Topics: the input topic's latest messages, decoded through the registry, by partition and offset", async () => {
    const { page, problems } = await openPage("/topics");
    await page.click(`#topics a:has-text("${config.TOPIC_USERS}")`);
    const rows = page.locator("#messages tbody tr[data-offset]");
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBeGreaterThan(4);
    const first = (await rows.first().textContent()) ?? "";
    expect(first).toContain("avro");
    expect(first).toContain('"event_id"');
    expect(first).toContain("produced_at=");
    await shot(page, "topics");
    // One partition from offset 0: in offset order.
    const [partition] = ((await rows.first().getAttribute("data-offset")) ?? "0:0").split(":");
    await page.selectOption("select[name=partition]", String(partition));
    await page.fill("input[name=offset]", "0");
    await page.click("#topic-show");
    await expect.poll(() => rows.first().getAttribute("data-offset")).toBe(`${partition}:0`);
    expect(await page.locator("#messages-count").textContent()).toContain(
      `partition ${partition} from offset 0`,
    );
    // The dead-letter topic's JSON letters read as JSON.
    await page.goto(`${web.url}/topics/${config.TOPIC_DLQ}`);
    await expect.poll(() => page.locator("#messages tbody tr[data-offset]").count()).toBeGreaterThan(0);
    expect(await page.locator("#messages").textContent()).toContain("json");
    expect(problems).toEqual([]);
    await page.close();
  });

  it("Schemas: subjects, versions, compatibility level, and a diff between two versions", async () => {
    await registerUserSchema(config, 2);
    const subject = `${config.TOPIC_USERS}-value`;
    const { page, problems } = await openPage("/schemas");
    const row = page.locator("#subjects tbody tr", { hasText: subject });
    expect(await row.textContent()).toMatch(/2\s*2/);
    await row.locator("a").click();
    expect(await page.locator("#compatibility").textContent()).toMatch(/^[A-Z_]+$/);
    expect(await page.locator("#versions tbody tr").count()).toBe(2);
    await page.selectOption("#diff-from", "1");
    await page.selectOption("#diff-to", "2");
    await page.click("#diff-show");
    await expect.poll(() => page.locator("#diff .add").count()).toBeGreaterThan(0);
    expect(await page.locator("#diff-summary").textContent()).toMatch(/^[1-9]\d* lines added/);
    await shot(page, "schemas-diff");
    expect(problems).toEqual([]);
    await page.close();
  });

  it("Pipeline: the end-to-end latency chart moves while events flow (produced → processed → emitted → delivered)", async () => {
    // Someone watches the live charts: updates are delivered to a browser.
    const { page: overview } = await openPage("/");
    const { page, problems } = await openPage("/pipeline");
    const points = () => page.locator("#latency-chart").getAttribute("data-points").then(Number);
    await expect.poll(points, { timeout: 15_000 }).toBeGreaterThan(0);
    const stop = new AbortController();
    const flowing = produceSynthetic(config, { pipeline, rate: 50, count: 20_000, signal: stop.signal });
    try {
      await expect
        .poll(() => page.locator("#latency-status").textContent(), { timeout: 60_000 })
        .toMatch(/^delivered p50 [\d.,]+ ms · p99 [\d.,]+ ms$/);
      const before = await points();
      await expect.poll(points, { timeout: 15_000 }).toBeGreaterThan(before + 2);
      const l = (await (await fetch(`${web.url}/api/latency`)).json()) as Record<
        string,
        { p50: number | null; p99: number | null } | null
      >;
      for (const stage of ["processed", "emitted", "delivered"]) {
        expect(l[stage]?.p50, stage).toBeGreaterThan(0);
        expect(l[stage]?.p99, stage).toBeGreaterThanOrEqual(l[stage]?.p50 ?? 0);
      }
      // Each later stage includes the earlier ones.
      expect(l.emitted?.p50).toBeGreaterThanOrEqual(l.processed?.p50 ?? 0);
      const metrics = await (await fetch(`${web.url}/metrics`)).text();
      expect(metrics).toMatch(/web_e2e_delivered_seconds_count [1-9]/);
      await shot(page, "pipeline-latency");
    } finally {
      stop.abort();
      await flowing;
    }
    expect(problems).toEqual([]);
    await overview.close();
    await page.close();
  });

  it("refuses the controls without the token", async () => {
    const res = await fetch(`${web.url}/api/ingestion/schedule/pause`, { method: "POST" });
    expect(res.status).toBe(401);
    const sched = (await (await fetch(`${web.url}/api/ingestion/schedule`)).json()) as { paused: boolean };
    expect(sched.paused).toBe(false);
  });
});
