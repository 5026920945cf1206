import { mkdirSync } from "node:fs";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate } from "../../common/src/cassandra-schema.ts";
import { writeHeartbeat } from "../../common/src/instance-registry.ts";
import { ensureTopics } from "../../common/src/kafka-topics.ts";
import { createLogger } from "../../common/src/logger.ts";
import { type RunningWeb, startWebServer } from "./runtime/node-server.ts";
import { launchChromium } from "./testing/browser.ts";
import { e2eWorld } from "./testing/e2e-world.ts";
import { GROUP_VALUES, syntheticWindowRows } from "./testing/synthetic-windows.ts";

// The Overview's live charts are the configured groups': a processor that publishes GROUP_BY=country,city
// with its heartbeat (the web tier's own GROUP_BY stays the default nat,gender) gets a chart for each of
// its fields and the latest-window table of its first, and no nat or gender chart. Real Kafka and
// Cassandra; the test writes what such a processor would (its heartbeat, its window rows).
const W = 10_000;
const PARTITIONS = 3;
const GROUP_BY = ["country", "city"];
const SHOTS = "test-results/screenshots";
const world = e2eWorld("web_groups", PARTITIONS);
const { cfg, producer, cassandra, publish } = world;
const now = Math.floor(Date.now() / W) * W;
let web: RunningWeb;
let browser: Browser;

const windowsAt = (start: number, final: boolean) =>
  syntheticWindowRows(start, W, PARTITIONS, final, GROUP_BY);

describe("the Overview charts the configured groups", () => {
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    await cassandra.connect();
    await migrate(cassandra, cfg.CASSANDRA_KEYSPACE);
    await writeHeartbeat(cassandra, cfg.CASSANDRA_KEYSPACE, {
      group: cfg.CONSUMER_GROUP,
      instance: "processor-country-city",
      address: "127.0.0.1:9",
      host: "test",
      pid: process.pid,
      startedAt: Date.now(),
      heartbeatAt: Date.now(),
      heartbeatIntervalMs: 60_000,
      assigned: [0, 1, 2],
      status: "running",
      processed: 0,
      eventsPerSec: 0,
      groupBy: GROUP_BY,
    });
    await ensureTopics(cfg);
    await producer.connect();
    for (let t = now - 20 * W; t < now - 2 * W; t += W) await publish(windowsAt(t, true));
    web = await startWebServer(cfg, createLogger("web-groups-e2e", "warn"));
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await web?.close();
    await world.dispose();
  });

  it("draws one chart per published group-by field and the table of the first, live", async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1100 } });
    const problems: string[] = [];
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    await page.goto(`${web.url}/`);
    const charts = await page
      .locator(".chart[data-group]")
      .evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.group));
    expect(charts).toEqual(GROUP_BY);
    expect(await page.locator("#chart-nat, #chart-gender").count()).toBe(0);
    expect(await page.locator("h2").allTextContents()).toEqual(
      expect.arrayContaining(["By country", "By city", "Latest window by country"]),
    );
    const points = (id: string) => page.locator(`#${id}`).getAttribute("data-points").then(Number);
    await expect.poll(() => points("chart-country"), { timeout: 30_000 }).toBe(18);
    // New windows arrive over the live stream and every configured chart moves with them.
    for (const t of [now - 2 * W, now - W]) {
      await publish(windowsAt(t, false));
      await publish(windowsAt(t, true));
    }
    await expect.poll(() => points("chart-country"), { timeout: 30_000 }).toBe(20);
    expect(await points("chart-city")).toBe(20);
    expect(await points("chart-all")).toBe(20);
    // Series are the keys of each group (the top 8 by count), the table the first group's latest window.
    const legend = await page.locator("[data-group-card=country] .u-legend .u-series th").allTextContents();
    expect(legend.length).toBeGreaterThan(1);
    const rows = page.locator("#country-table tbody tr");
    await expect.poll(() => rows.count()).toBeGreaterThan(3);
    const first = await rows.first().locator("td").first().textContent();
    expect(GROUP_VALUES.country).toContain(first);
    await page.screenshot({ path: `${SHOTS}/overview-configured-groups.png`, fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  }, 120_000);
});
