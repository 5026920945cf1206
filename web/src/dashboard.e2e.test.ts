import { mkdirSync } from "node:fs";
import { concurrent, types } from "cassandra-driver";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hourBucket, migrate } from "../../common/src/cassandra-schema.ts";
import { ensureTopics } from "../../common/src/kafka-topics.ts";
import { createLogger } from "../../common/src/logger.ts";
import type { PipelineSnapshot } from "./pipeline-monitor.ts";
import { type RunningWeb, startWebServer } from "./runtime/node-server.ts";
import { launchChromium } from "./testing/browser.ts";
import { e2eWorld } from "./testing/e2e-world.ts";
import { syntheticWindowRows } from "./testing/synthetic-windows.ts";
import type { WindowRow } from "./window-types.ts";

// The dashboard in headless Chromium against the real Kafka and Cassandra. Until the processor
// runs here, the test itself writes what the processor would: rows on a unique aggregates topic
// and in a unique keyspace.
const W = 10_000;
const PARTITIONS = 6;
const SHOTS = "test-results/screenshots";
const world = e2eWorld("web_e2e", PARTITIONS);
const { cfg, producer, cassandra, publish } = world;
const HOSTILE = `<script>alert("pwned")</script><img src=x onerror=alert(2)>`;
const now = Math.floor(Date.now() / W) * W;
let web: RunningWeb;
let browser: Browser;
let nextWindow = now - 9 * W;

async function store(rows: WindowRow[]): Promise<void> {
  const ks = cfg.CASSANDRA_KEYSPACE;
  await concurrent.executeConcurrent(
    cassandra,
    `INSERT INTO ${ks}.window_aggregates (group_name, hour, window_start, key, kafka_partition, window_end, count, sum_age, min_age, max_age, final, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, toTimestamp(now()))`,
    rows.map((r) => [
      r.group,
      hourBucket(r.windowStart),
      types.Long.fromNumber(r.windowStart),
      r.key,
      r.partition,
      types.Long.fromNumber(r.windowEnd),
      types.Long.fromNumber(r.count),
      types.Long.fromNumber(r.sumAge),
      r.minAge,
      r.maxAge,
      r.final,
    ]),
    { concurrencyLevel: 64 },
  );
}

async function seedCassandra(): Promise<void> {
  const ks = cfg.CASSANDRA_KEYSPACE;
  await migrate(cassandra, ks);
  const history: WindowRow[] = [];
  for (let t = now - 360 * W; t < now - 9 * W; t += W)
    history.push(...syntheticWindowRows(t, W, PARTITIONS, true));
  await store(history);
  const users = [
    [
      "7a0eed16-9430-4d68-901f-c0d4c1c3bf00",
      "Mr",
      "Émile",
      "Dubois",
      "male",
      "FR",
      "France",
      "Besançon",
      "bluefrog786",
      41,
    ],
    [
      "c1b2e3a4-0000-4d68-901f-c0d4c1c3bf01",
      "Ms",
      HOSTILE,
      "O'Brien",
      "female",
      "IE",
      "Ireland",
      "Cork",
      "evil",
      29,
    ],
    [
      "d2c3f4a5-1111-4d68-901f-c0d4c1c3bf02",
      "Mrs",
      "Зоя",
      "Соколова",
      "female",
      "UA",
      "Ukraine",
      "Тернопіль",
      "redswan12",
      57,
    ],
  ] as const;
  for (const [id, title, first, last, gender, nat, country, city, username, age] of users) {
    await cassandra.execute(
      `INSERT INTO ${ks}.users (event_id, event_time, title, first_name, last_name, gender, nat, country, city, state, street, postcode,
         latitude, longitude, email, username, age, dob, registered_at, phone, cell, picture, source, kafka_partition, kafka_offset)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'State', '12 Main St', 'EC1A 1BB', 48.85, 2.35, ?, ?, ?, ?, ?, '01-23-45-67', '06-12-34-56',
         'https://randomuser.me/api/portraits/men/1.jpg', 'synthetic', 2, 1234)`,
      [
        id,
        new Date(now),
        title,
        first,
        last,
        gender,
        nat,
        country,
        city,
        `${username}@example.com`,
        username,
        age,
        new Date(now - age * 31_557_600_000),
        new Date(now - 4e11),
      ],
      { prepare: true },
    );
    await cassandra.execute(
      `INSERT INTO ${ks}.users_by_username (username, event_id) VALUES (?, ?)`,
      [username, id],
      { prepare: true },
    );
  }
  const day = Math.floor(Date.now() / 86_400_000);
  const runs: [string, number, number, number, number, number, string, string | null][] = [
    ["api", 3_600_000, 500, 498, 2, 0, "success", null],
    ["fixture", 1_800_000, 2000, 1990, 10, 0, "success", null],
    [
      "api",
      900_000,
      250,
      200,
      0,
      50,
      "failed",
      "randomuser.me: HTTP 503 Service Unavailable after 5 retries",
    ],
    ["synthetic", 60_000, 12_000, 12_000, 0, 0, "running", null],
  ];
  for (const [source, ago, fetched, sent, rejected, failed, status, error] of runs) {
    const started = new Date(Date.now() - ago);
    await cassandra.execute(
      `INSERT INTO ${ks}.ingestion_runs (day, run_id, source, started_at, ended_at, fetched, sent, rejected, failed, status, error)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        day,
        types.TimeUuid.fromDate(started),
        source,
        started,
        status === "running" ? null : new Date(started.getTime() + 42_000),
        fetched,
        sent,
        rejected,
        failed,
        status,
        error,
      ],
      { prepare: true },
    );
  }
  await cassandra.execute(
    `INSERT INTO ${ks}.processor_checkpoints (topic, kafka_partition, next_offset, watermark, updated_at) VALUES (?, 0, 3, ?, toTimestamp(now()))`,
    [cfg.TOPIC_USERS, types.Long.fromNumber(now - 15_000)],
    { prepare: true },
  );
}

async function seedKafka(): Promise<void> {
  await producer.send({
    topic: cfg.TOPIC_USERS,
    messages: Array.from({ length: 60 }, (_, i) => ({ key: `u${i}`, value: "x" })),
  });
  await producer.send({
    topic: cfg.TOPIC_DLQ,
    messages: [
      { value: JSON.stringify({ reason: "bad", stage: "map", source: "api", payload: "{}", at: now }) },
    ],
  });
  await producer.send({ topic: cfg.TOPIC_LATE, messages: [{ value: "late" }, { value: "late" }] });
  const recent: WindowRow[] = [];
  for (let t = now - 40 * W; t < nextWindow; t += W)
    recent.push(...syntheticWindowRows(t, W, PARTITIONS, true));
  await publish(recent);
}

const points = (page: Page, id: string) => page.locator(`#${id}`).getAttribute("data-points").then(Number);

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

/** Publishes the next window twice, open and then final, as the processor does. */
async function advance(): Promise<void> {
  await publish(syntheticWindowRows(nextWindow, W, PARTITIONS, false));
  await publish(syntheticWindowRows(nextWindow, W, PARTITIONS, true));
  nextWindow += W;
}

describe("the dashboard in a browser", () => {
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    await cassandra.connect();
    await seedCassandra();
    await ensureTopics(cfg);
    await producer.connect();
    await seedKafka();
    web = await startWebServer(cfg, createLogger("web-e2e", "warn"));
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await web?.close();
    await world.dispose();
  });

  async function openPage(path: string): Promise<{ page: Page; problems: string[] }> {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const problems: string[] = [];
    page.on("dialog", (d) => {
      problems.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    page.on("console", (m) => {
      // Portraits are remote and this machine is offline; everything else must load cleanly.
      if (
        m.type() === "error" &&
        !/randomuser\.me|ERR_NAME_NOT_RESOLVED|ERR_INTERNET_DISCONNECTED|Failed to load resource/.test(
          m.text(),
        )
      )
        problems.push(`console: ${m.text()}`);
    });
    await page.goto(`${web.url}${path}`);
    return { page, problems };
  }

  for (const transport of ["sse", "ws"] as const) {
    it(`Overview charts gain points as windows arrive over ${transport}`, async () => {
      const { page, problems } = await openPage(`/?transport=${transport}`);
      await expect.poll(() => points(page, "chart-all"), { timeout: 30_000 }).toBeGreaterThan(10);
      await expect.poll(() => page.locator("#live-status").textContent()).toContain("live");
      const before = await points(page, "chart-all");
      for (let i = 0; i < 3; i++) await advance();
      await expect.poll(() => points(page, "chart-all"), { timeout: 30_000 }).toBe(before + 3);
      expect(await points(page, "chart-gender")).toBe(before + 3);
      expect(await points(page, "chart-nat")).toBe(before + 3);
      await expect.poll(() => page.locator("#nat-table tbody tr").count()).toBeGreaterThan(3);
      expect(await page.locator("#kpi-rate").textContent()).toMatch(/^\d/);
      await expect.poll(() => page.locator("#health").textContent()).toContain("processor not reachable");
      await shot(page, transport === "sse" ? "overview" : "overview-websocket");
      expect(problems).toEqual([]);
      await page.close();
    });
  }

  it("History draws stored windows from Cassandra", async () => {
    const { page, problems } = await openPage("/history?group=nat&range=1h&metric=count");
    await expect.poll(() => points(page, "history-chart"), { timeout: 30_000 }).toBeGreaterThan(300);
    expect(await page.locator("#history-status").textContent()).toMatch(/windows · \d+ keys/);
    expect(await page.locator("#history-table tbody tr").count()).toBeGreaterThan(10);
    await shot(page, "history");
    await page.selectOption("select[name=group]", "all");
    await page.selectOption("select[name=metric]", "avgAge");
    await page.click("button[type=submit]");
    await expect.poll(() => page.locator("#history-title").textContent()).toBe("Average age per window");
    await shot(page, "history-avg-age");
    expect(problems).toEqual([]);
    await page.close();
  });

  it("History shows an absolute range from the URL, and a zoom lands in the URL until it is undone", async () => {
    const from = now - 360 * W;
    const to = now - 300 * W;
    const iso = (ms: number) => new Date(ms).toISOString().slice(0, 19);
    const { page, problems } = await openPage(`/history?group=all&from=${iso(from)}Z&to=${to}`);
    await expect.poll(() => points(page, "history-chart"), { timeout: 30_000 }).toBe(60);
    expect(await page.inputValue("select[name=range]")).toBe("custom");
    // A datetime-local field drops ":00" seconds; its value is UTC.
    const field = async (name: string) => Date.parse(`${await page.inputValue(`input[name=${name}]`)}Z`);
    expect(await field("from")).toBe(from);
    expect(await field("to")).toBe(to);
    const over = page.locator("#history-chart .u-over");
    const box = await over.boundingBox();
    if (!box) throw new Error("no chart area");
    await page.mouse.move(box.x + box.width * 0.25, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    const param = (name: string) => new URL(page.url()).searchParams.get(name);
    await expect.poll(() => param("from")).not.toBe(`${iso(from)}Z`);
    const zoomFrom = Date.parse(param("from") ?? "");
    const zoomTo = Date.parse(param("to") ?? "");
    expect(zoomFrom).toBeGreaterThan(from);
    expect(zoomTo).toBeLessThan(to);
    expect(await field("from")).toBe(zoomFrom);
    await shot(page, "history-absolute-zoomed");
    await over.dblclick();
    await expect.poll(() => param("from")).toBe(`${iso(from)}Z`);
    expect(param("to")).toBe(`${iso(to)}Z`);
    await page.reload();
    await expect.poll(() => points(page, "history-chart"), { timeout: 30_000 }).toBe(60);
    await shot(page, "history-absolute");
    expect(problems).toEqual([]);
    await page.close();
  });

  it("Users finds by username and shows hostile names inert", async () => {
    const { page, problems } = await openPage("/users");
    await page.fill("input[name=q]", "evil");
    await page.click("button[type=submit]");
    await expect.poll(() => page.locator("#results tbody tr").count()).toBe(1);
    expect(page.url()).toContain("/users?q=evil");
    await shot(page, "users-search");
    await page.click("#results tbody a");
    await expect.poll(() => page.locator("h1").textContent()).toContain(`<script>alert("pwned")</script>`);
    expect(await page.locator("main script").count()).toBe(0);
    await shot(page, "user-detail-hostile");
    await page.goto(`${web.url}/users/d2c3f4a5-1111-4d68-901f-c0d4c1c3bf02`);
    expect(await page.locator("h1").textContent()).toBe("Зоя Соколова");
    await shot(page, "user-detail");
    expect(problems).toEqual([]);
    await page.close();
  });

  it("Pipeline shows topics, offsets and lag; Ingestion shows runs and failures", async () => {
    const { page, problems } = await openPage("/pipeline");
    const text = await page.locator("main").textContent();
    expect(text).toContain(cfg.TOPIC_AGGREGATES);
    expect(text).toContain("not reachable");
    expect(await page.locator("#pipeline-live .kpi").nth(4).locator(".kpi-value").textContent()).toBe("1");
    expect(await page.locator("#pipeline-live .kpi").nth(5).locator(".kpi-value").textContent()).toBe("2");
    // Nothing has read the users topic but partition 0 up to its checkpoint: the rest is all lag.
    const snap = (await (await fetch(`${web.url}/api/pipeline`)).json()) as PipelineSnapshot;
    const p0 = snap.consumer.partitions.find((p) => p.partition === 0);
    expect(snap.consumer.partitions).toHaveLength(PARTITIONS);
    expect(snap.consumer.totalLag).toBe(60 - Math.min(3, p0?.end ?? 0));
    expect(await page.locator("#pipeline-live .kpi").nth(3).locator(".kpi-value").textContent()).toBe(
      String(snap.consumer.totalLag),
    );
    expect(text).toContain("from the last checkpoints");
    await shot(page, "pipeline");
    await page.goto(`${web.url}/ingestion`);
    expect(await page.locator("tr.row-bad").count()).toBe(1);
    expect(await page.locator("main").textContent()).toContain("HTTP 503");
    await shot(page, "ingestion");
    expect(problems).toEqual([]);
    await page.close();
  });
});
