import { describe, expect, it } from "vitest";
import { createApp } from "./app.tsx";
import { type ProcessorStatus, StoreUnavailableError } from "./ports.ts";
import { testWorld } from "./testing/deps.ts";
import { blankUser } from "./testing/in-memory-ports.ts";
import type { WindowRow } from "./window-types.ts";

const row = (p: Partial<WindowRow>): WindowRow => ({
  windowStart: 10_000,
  windowEnd: 20_000,
  group: "nat",
  key: "FR",
  partition: 0,
  count: 2,
  sumAge: 60,
  minAge: 20,
  maxAge: 40,
  final: true,
  ...p,
});

const HOSTILE = `<script>alert("x")</script><img src=x onerror=alert(1)>`;

describe("GET /api/aggregates", () => {
  it("returns merged windows with from <= windowStart < to, numbers as numbers", async () => {
    const w = testWorld();
    w.aggregates.rows = [
      row({ partition: 0 }),
      row({ partition: 1, count: 1, sumAge: 50, minAge: 50, maxAge: 50, final: false }),
      row({ key: "DE", windowStart: 0, windowEnd: 10_000 }),
      row({ windowStart: 30_000, windowEnd: 40_000 }),
      row({ group: "gender", key: "male" }),
    ];
    const res = await createApp(w.deps).request("/api/aggregates?group=nat&from=0&to=30000");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/application\/json/);
    expect(await res.json()).toEqual({
      windows: [
        {
          windowStart: 0,
          windowEnd: 10_000,
          group: "nat",
          key: "DE",
          count: 2,
          sumAge: 60,
          minAge: 20,
          maxAge: 40,
          avgAge: 30,
          final: true,
        },
        {
          windowStart: 10_000,
          windowEnd: 20_000,
          group: "nat",
          key: "FR",
          count: 3,
          sumAge: 110,
          minAge: 20,
          maxAge: 50,
          avgAge: 110 / 3,
          final: false,
        },
      ],
    });
  });

  it("filters by key", async () => {
    const w = testWorld();
    w.aggregates.rows = [row({}), row({ key: "DE" })];
    const body = (await (
      await createApp(w.deps).request("/api/aggregates?group=nat&from=0&to=99999&key=DE")
    ).json()) as {
      windows: { key: string }[];
    };
    expect(body.windows.map((x) => x.key)).toEqual(["DE"]);
  });

  it.each([
    "group=nat&from=0",
    "group=x&from=0&to=1",
    "group=all&from=5&to=1",
    "group=all&from=a&to=1",
    "group=all&from=0&to=999999999999",
  ])("answers 400 with a JSON error for %s", async (qs) => {
    const res = await createApp(testWorld().deps).request(`/api/aggregates?${qs}`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toEqual(expect.any(String));
  });

  it("answers 413 when the range holds more rows than the limit", async () => {
    const w = testWorld();
    w.deps.limits = { ...w.deps.limits, maxRows: 1 };
    w.aggregates.rows = [row({}), row({ partition: 1 })];
    const res = await createApp(w.deps).request("/api/aggregates?group=nat&from=0&to=99999");
    expect(res.status).toBe(413);
  });
});

describe("users", () => {
  it("returns a stored user as JSON and 404 for an unknown one", async () => {
    const w = testWorld();
    w.users.users = [blankUser("u-1", { firstName: "Émile", username: "emile" })];
    const app = createApp(w.deps);
    const ok = await app.request("/api/users/u-1");
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ eventId: "u-1", firstName: "Émile" });
    expect(Object.keys(body).some((k) => /password|salt|md5|sha/i.test(k))).toBe(false);
    expect((await app.request("/api/users/nobody")).status).toBe(404);
  });

  it("looks up any plausible id (404 when unknown) and answers 400 only for absurd ones", async () => {
    const w = testWorld();
    w.users.users = [blankUser("user.42+é", { firstName: "Dot" })];
    const app = createApp(w.deps);
    expect(await (await app.request(`/api/users/${encodeURIComponent("user.42+é")}`)).json()).toMatchObject({
      firstName: "Dot",
    });
    expect((await app.request(`/users/${encodeURIComponent("user.42+é")}`)).status).toBe(200);
    for (const unknown of ["%3Cscript%3E", "a.b", "x".repeat(65), "é".repeat(128), "id%20with%20spaces"]) {
      const res = await app.request(`/api/users/${unknown}`);
      expect(res.status, unknown).toBe(404);
      expect(((await res.json()) as { error: string }).error).toMatch(/^no user/);
      expect((await app.request(`/users/${unknown}`)).status, unknown).toBe(404);
    }
    for (const absurd of ["x".repeat(257), "é".repeat(129), "a%00b", "a%0Ab"]) {
      const res = await app.request(`/api/users/${absurd}`);
      expect(res.status, absurd).toBe(400);
      expect(((await res.json()) as { error: string }).error).toMatch(/^id: at most 256 bytes/);
    }
  });

  it("renders hostile values inert on the detail page and in search results", async () => {
    const w = testWorld();
    w.users.users = [
      blankUser("u-2", {
        firstName: HOSTILE,
        city: "Тверь",
        username: "evil",
        picture: "javascript:alert(1)",
      }),
    ];
    const app = createApp(w.deps);
    for (const path of ["/users/u-2", "/users?q=evil", "/users?q=u-2"]) {
      const res = await app.request(path);
      expect(res.status).toBe(200);
      const html = await res.text();
      expect(html).not.toContain("<script>alert");
      expect(html).not.toContain("<img src=x");
      expect(html).toContain("&lt;script&gt;alert");
      expect(html).not.toContain("javascript:alert");
    }
    expect(await (await app.request("/users/u-2")).text()).toContain("Тверь");
  });

  it("answers htmx searches with just the results fragment", async () => {
    const w = testWorld();
    w.users.users = [blankUser("u-3", { username: "ann", firstName: "Ann" })];
    const res = await createApp(w.deps).request("/users?q=ann", { headers: { "HX-Request": "true" } });
    const html = await res.text();
    expect(html.startsWith('<section class="card" id="results">')).toBe(true);
    expect(html).toContain('href="/users/u-3"');
  });

  it.each(["/users?q=ann", "/pipeline", "/ingestion"])(
    "%s varies with HX-Request and answers an htmx history restore with the whole page",
    async (path) => {
      const app = createApp(testWorld().deps);
      const page = await app.request(path);
      const fragment = await app.request(path, { headers: { "HX-Request": "true" } });
      const restore = await app.request(path, {
        headers: { "HX-Request": "true", "HX-History-Restore-Request": "true" },
      });
      for (const res of [page, fragment, restore]) expect(res.headers.get("vary")).toContain("HX-Request");
      expect((await page.text()).startsWith("<!doctype html>")).toBe(true);
      expect((await fragment.text()).startsWith("<!doctype html>")).toBe(false);
      const restored = await restore.text();
      expect(restored.startsWith("<!doctype html>")).toBe(true);
      expect(restored).toContain("<body>");
    },
  );

  it("tells htmx not to send HX-Request on a history restore", async () => {
    const html = await (await createApp(testWorld().deps).request("/users")).text();
    const meta = /<meta name="htmx-config" content="([^"]*)"/.exec(html)?.[1] ?? "";
    expect(JSON.parse(meta.replaceAll("&quot;", '"'))).toMatchObject({ historyRestoreAsHxRequest: false });
  });

  it("shows a 404 page for an unknown user", async () => {
    const res = await createApp(testWorld().deps).request("/users/missing-id");
    expect(res.status).toBe(404);
    expect(await res.text()).toContain("User not found");
  });
});

describe("safety", () => {
  it("sends a CSP that allows only our own scripts", async () => {
    const res = await createApp(testWorld().deps).request("/");
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'self'");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    const html = await res.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/\son[a-z]+=/);
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3)/);
  });

  it("refuses state-changing requests without the admin token", async () => {
    expect((await createApp(testWorld().deps).request("/api/aggregates", { method: "POST" })).status).toBe(
      403,
    );
    const app = createApp(testWorld({ adminToken: "s3cret" }).deps);
    expect((await app.request("/api/anything", { method: "DELETE" })).status).toBe(401);
    const wrong = await app.request("/api/anything", {
      method: "POST",
      headers: { Authorization: "Bearer nope" },
    });
    expect(wrong.status).toBe(401);
    const right = await app.request("/api/anything", {
      method: "POST",
      headers: { Authorization: "Bearer s3cret" },
    });
    expect(right.status).toBe(404);
  });
});

describe("service endpoints", () => {
  it("serves health, Prometheus metrics and vendored static files", async () => {
    const app = createApp(testWorld().deps);
    expect(await (await app.request("/healthz")).json()).toMatchObject({ status: "ok" });
    await app.request("/api/users/x");
    const metrics = await app.request("/metrics");
    expect(metrics.headers.get("content-type")).toContain("text/plain");
    expect(await metrics.text()).toContain(
      'web_http_request_duration_seconds_count{method="GET",route="/api/users/:id",status="404"} 1',
    );
    for (const name of ["htmx.min.js", "uPlot.iife.min.js", "live.js", "app.css"]) {
      const res = await app.request(`/static/${name}`);
      expect(res.status).toBe(200);
      const etag = res.headers.get("etag") ?? "";
      expect((await app.request(`/static/${name}`, { headers: { "If-None-Match": etag } })).status).toBe(304);
    }
    expect((await app.request("/static/nope.js")).status).toBe(404);
  });

  it("renders every page", async () => {
    const app = createApp(testWorld().deps);
    for (const path of [
      "/",
      "/?transport=ws",
      "/history?group=nat&range=6h",
      "/users",
      "/pipeline",
      "/ingestion",
      "/fragments/health",
    ]) {
      const res = await app.request(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("content-type")).toContain("text/html");
    }
  });
});

describe("history page", () => {
  it("takes an absolute range as epoch ms or ISO from/to and fills the UTC fields with it", async () => {
    const app = createApp(testWorld().deps);
    const res = await app.request("/history?group=nat&from=2026-01-01T00:00:00Z&to=1767229200000");
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<option value="custom" selected="">');
    expect(html).toMatch(/name="from"[^>]*value="2026-01-01T00:00:00"/);
    expect(html).toMatch(/name="to"[^>]*value="2026-01-01T01:00:00"/);
    expect(html).toContain('<option value="nat" selected="">');
  });

  it("keeps a range back from now when from/to are absent, and says why when they cannot be read", async () => {
    const app = createApp(testWorld().deps);
    const plain = await (await app.request("/history?range=6h")).text();
    expect(plain).toContain('<option value="6h" selected="">');
    expect(plain).not.toContain("history-problem");
    const bad = await app.request("/history?range=6h&from=yesterday&to=2026-01-01");
    expect(bad.status).toBe(400);
    const html = await bad.text();
    expect(html).toContain('id="history-problem"');
    expect(html).toContain('<option value="6h" selected="">');
  });
});

describe("history retention", () => {
  it("says how far back stored windows go, from the configured TTL", async () => {
    const html = await (await createApp(testWorld().deps).request("/history")).text();
    expect(html).toMatch(
      /id="history-retention"[^>]*>Stored windows are kept 30 days after their last update/,
    );
    const forever = testWorld({ windowsRetentionSeconds: 0 }).deps;
    expect(await (await createApp(forever).request("/history")).text()).toContain("kept for ever");
  });
});

describe("storage outage", () => {
  it("answers 503 with Retry-After, as JSON for the API and as a page for people", async () => {
    const w = testWorld();
    const down = async () => {
      throw new StoreUnavailableError("Cassandra did not answer: All host(s) tried for query failed.");
    };
    w.users.user = down;
    w.runs.recentRuns = down;
    const app = createApp(w.deps);
    const api = await app.request("/api/users/u-1");
    expect(api.status).toBe(503);
    expect(api.headers.get("retry-after")).toBe("5");
    expect(((await api.json()) as { error: string }).error).toMatch(/Cassandra did not answer/);
    const page = await app.request("/ingestion");
    expect(page.status).toBe(503);
    expect(await page.text()).toContain("Storage unavailable");
  });
});

describe("pipeline", () => {
  it("shows processor state, lag and dead-letter counts, as a page, an htmx fragment and JSON", async () => {
    const w = testWorld();
    w.admin.topics.set("users_created", {
      topic: "users_created",
      exists: true,
      partitions: [{ partition: 0, low: 0, high: 120 }],
    });
    w.admin.topics.set("users_created_dlq", {
      topic: "users_created_dlq",
      exists: true,
      partitions: [{ partition: 0, low: 0, high: 4 }],
    });
    w.processor.current = {
      instance: "proc-<b>1</b>",
      group: "rt-processor",
      assigned: [0],
      watermark: 1_000,
      partitions: [{ partition: 0, nextOffset: 100, watermark: 1_000, idle: false }],
      processed: 100,
      late: 3,
      deadLettered: 4,
      eventsPerSec: 12.5,
      sinkLatencyMs: { p50: null, p99: null },
      startedAt: 0,
      paused: true,
      pendingWrites: 7,
    };
    const app = createApp(w.deps);
    const html = await (await app.request("/pipeline")).text();
    expect(html).toContain("paused: sink backpressure");
    expect(html).toContain("proc-&lt;b&gt;1&lt;/b&gt;");
    const fragment = await (await app.request("/pipeline", { headers: { "HX-Request": "true" } })).text();
    expect(fragment.startsWith('<div id="pipeline-live"')).toBe(true);
    const json = (await (await app.request("/api/pipeline")).json()) as {
      consumer: { totalLag: number };
      deadLettered: number;
    };
    expect(json.consumer.totalLag).toBe(20);
    expect(json.deadLettered).toBe(4);
  });
});

describe("pipeline: several instances", () => {
  it("lists every instance with its partitions and health, gone ones too, and sums their counts", async () => {
    const w = testWorld();
    w.admin.topics.set("users_created", {
      topic: "users_created",
      exists: true,
      partitions: [0, 1, 2].map((partition) => ({ partition, low: 0, high: 100 })),
    });
    const st = (instance: string, assigned: number[], processed: number): ProcessorStatus => ({
      instance,
      group: "rt-processor",
      assigned,
      watermark: 1_000,
      partitions: assigned.map((partition) => ({ partition, nextOffset: 90, watermark: 1_000, idle: false })),
      processed,
      late: 1,
      deadLettered: 0,
      eventsPerSec: 10,
      sinkLatencyMs: { p50: 1, p99: 2 },
      startedAt: 0,
    });
    w.processor.current = null;
    const at = Date.now();
    w.processor.others = [
      {
        instance: "p-1",
        address: "127.0.0.1:9464",
        liveness: "running",
        heartbeatAt: at,
        assigned: [0, 1],
        status: st("p-1", [0, 1], 70),
      },
      {
        instance: "p-2",
        address: "127.0.0.1:9465",
        liveness: "running",
        heartbeatAt: at,
        assigned: [2],
        status: st("p-2", [2], 30),
      },
      {
        instance: "p-3",
        address: "127.0.0.1:9466",
        liveness: "gone",
        heartbeatAt: at - 60_000,
        assigned: [2],
        status: null,
      },
    ];
    const app = createApp(w.deps);
    const html = await (await app.request("/pipeline")).text();
    expect(html).toContain("2 of 3 answering");
    expect(html).toMatch(/data-instance="p-3" data-liveness="gone"/);
    expect(html).toContain("gone: no heartbeat");
    const json = (await (await app.request("/api/pipeline")).json()) as {
      processor: ProcessorStatus;
      instances: { instance: string; liveness: string; assigned: number[] }[];
    };
    expect(json.processor.processed).toBe(100);
    expect(json.processor.late).toBe(2);
    expect(json.processor.assigned).toEqual([0, 1, 2]);
    expect(json.instances.map((i) => [i.instance, i.liveness, i.assigned])).toEqual([
      ["p-1", "running", [0, 1]],
      ["p-2", "running", [2]],
      ["p-3", "gone", [2]],
    ]);
  });
});

describe("pipeline: batch sizes, partly-late and refused counts, failure", () => {
  const usersTopic = {
    topic: "users_created",
    exists: true,
    partitions: [
      { partition: 0, low: 0, high: 120 },
      { partition: 1, low: 0, high: 80 },
    ],
  };
  const status = (over: Partial<ProcessorStatus> = {}): ProcessorStatus => ({
    instance: "proc-1",
    group: "rt-processor",
    assigned: [0, 1],
    watermark: 1_000,
    partitions: [
      { partition: 0, nextOffset: 100, watermark: 1_000, idle: false, partlyLate: 11, refused: 0 },
      { partition: 1, nextOffset: 80, watermark: 1_000, idle: false, partlyLate: 5, refused: 3 },
    ],
    processed: 180,
    late: 3,
    deadLettered: 4,
    eventsPerSec: 12.5,
    sinkLatencyMs: { p50: 2, p99: 9 },
    startedAt: 0,
    paused: false,
    pendingWrites: 0,
    partlyLate: 16,
    refused: 3,
    batchSize: { last: 37, p50: 120, p99: 480, max: 500, limit: 500 },
    failure: null,
    ...over,
  });
  const pipelineHtml = async (st: ProcessorStatus) => {
    const w = testWorld();
    w.admin.topics.set("users_created", usersTopic);
    w.processor.current = st;
    return (await createApp(w.deps).request("/pipeline")).text();
  };
  const kpi = (html: string, label: string) =>
    html.match(
      new RegExp(
        `<div class="kpi( kpi-\\w+)?"><div class="kpi-label">${label}</div><div class="kpi-value">([^<]*)</div>`,
      ),
    );
  const partitionRow = (html: string, partition: number) =>
    [...html.matchAll(/<tr><td class="num">(\d+)<\/td>(.*?)<\/tr>/g)]
      .find((m) => m[1] === String(partition))?.[2]
      ?.match(/<td[^>]*>.*?<\/td>/g)
      ?.map((td) => td.replace(/<[^>]+>/g, ""));

  it("shows batch sizes beside sink latency, partly-late and refused beside late and dead letters, per partition too", async () => {
    const html = await pipelineHtml(status());
    expect(html).toContain("running");
    expect(html).toContain("<dt>Batch size last / p50 / p99 / max</dt>");
    expect(html).toMatch(/37 \/ 120 \/ 480 \/ 500<span class="muted"> \(limit 500\)<\/span>/);
    expect(html).not.toContain("catching up");
    expect(kpi(html, "Partly late")?.slice(1)).toEqual([" kpi-warn", "16"]);
    expect(kpi(html, "Refused")?.slice(1)).toEqual([" kpi-bad", "3"]);
    expect(html).toContain('<dt>Partly late / refused</dt><dd>16 / <b class="bad-value">3</b></dd>');
    // Log start, end, committed, checkpoint, processor, watermark, partly late, refused, lag.
    expect(partitionRow(html, 0)?.slice(6, 9)).toEqual(["11", "0", "20"]);
    expect(partitionRow(html, 1)?.slice(6, 9)).toEqual(["5", "3", "0"]);
    expect(html).toContain('<td class="num"><b class="bad-value">3</b></td>');
    expect(html).not.toContain('role="alert"');
  });

  it("calls zero refused events fine and full batches catching up", async () => {
    const html = await pipelineHtml(
      status({
        refused: 0,
        partlyLate: 0,
        batchSize: { last: 500, p50: 500, p99: 500, max: 500, limit: 500 },
        partitions: [
          { partition: 0, nextOffset: 100, watermark: 1_000, idle: false, partlyLate: 0, refused: 0 },
        ],
      }),
    );
    expect(kpi(html, "Refused")?.slice(1)).toEqual([" kpi-ok", "0"]);
    expect(kpi(html, "Partly late")?.slice(1)).toEqual([" kpi-ok", "0"]);
    expect(html).not.toContain("bad-value");
    expect(html).toContain("(limit 500; full batches: catching up)");
  });

  it("puts the reason the processor stopped in a banner, escaped", async () => {
    const w = testWorld();
    w.admin.topics.set("users_created", usersTopic);
    w.processor.current = status({ paused: true, failure: `late topic refused the write: ${HOSTILE}` });
    const app = createApp(w.deps);
    const html = await (await app.request("/pipeline")).text();
    expect(html).toContain('<section class="card alert failure" role="alert">');
    expect(html).toContain("The processor stopped");
    expect(html).toContain(
      "late topic refused the write: &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;",
    );
    expect(html).not.toContain(HOSTILE);
    expect(html).toContain('<span class="pill pill-bad">failed</span>');
    expect(html).not.toContain("paused: sink backpressure");
    const fragment = await (await app.request("/pipeline", { headers: { "HX-Request": "true" } })).text();
    expect(fragment).toContain('role="alert"');
    const strip = await (await app.request("/fragments/health")).text();
    expect(strip).toContain("processor failed");
    const json = (await (await app.request("/api/pipeline")).json()) as {
      processorState: string;
      processor: { failure: string };
    };
    expect(json.processorState).toBe("failed");
    expect(json.processor.failure).toBe(`late topic refused the write: ${HOSTILE}`);
  });

  it("renders an older processor's answer without the fields it lacks", async () => {
    const {
      partlyLate: _p,
      refused: _r,
      batchSize: _b,
      failure: _f,
      ...older
    } = status({ partitions: [{ partition: 0, nextOffset: 100, watermark: 1_000, idle: false }] });
    const html = await pipelineHtml(older);
    expect(html).toContain("running");
    expect(kpi(html, "Partly late")?.slice(1)).toEqual([undefined, "—"]);
    expect(kpi(html, "Refused")?.slice(1)).toEqual([undefined, "—"]);
    expect(html).not.toContain("Batch size");
    expect(html).not.toContain("<dt>Partly late / refused</dt>");
    expect(html).not.toContain('role="alert"');
    expect(partitionRow(html, 0)?.slice(6, 9)).toEqual(["—", "—", "20"]);
  });
});

describe("pipeline without the processor", () => {
  it("shows lag from the log start and the watermark of the last checkpoints", async () => {
    const w = testWorld();
    w.admin.topics.set("users_created", {
      topic: "users_created",
      exists: true,
      partitions: [
        { partition: 0, low: 0, high: 12 },
        { partition: 1, low: 0, high: 48 },
      ],
    });
    w.checkpoints.byTopic.set("users_created", [
      { partition: 0, nextOffset: 3, watermark: Date.parse("2026-01-01T00:00:15Z"), updatedAt: null },
    ]);
    const app = createApp(w.deps);
    const html = await (await app.request("/pipeline")).text();
    expect(html).toContain("not reachable");
    expect(html).toContain("2026-01-01 00:00:15 UTC");
    expect(html).toContain("from the last checkpoints");
    const json = (await (await app.request("/api/pipeline")).json()) as { consumer: { totalLag: number } };
    expect(json.consumer.totalLag).toBe(57);
    const strip = await (await app.request("/fragments/health")).text();
    expect(strip).toContain("2026-01-01 00:00:15 UTC");
  });
});

describe("GET /api/stream", () => {
  async function readEvents(
    res: Response,
    n: number,
  ): Promise<{ id?: string; event?: string; data?: string }[]> {
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buf = "";
    const events: { id?: string; event?: string; data?: string }[] = [];
    while (events.length < n) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += value;
      let i = buf.indexOf("\n\n");
      while (i >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const ev: Record<string, string> = {};
        for (const line of block.split("\n")) {
          const m = /^(id|event|data): ?(.*)$/.exec(line);
          if (m?.[1] && m[2] !== undefined) ev[m[1]] = m[2];
        }
        if (ev.event) events.push(ev);
        i = buf.indexOf("\n\n");
      }
    }
    await reader.cancel();
    return events;
  }

  it("streams a snapshot, then updates, and resumes after Last-Event-ID", async () => {
    const w = testWorld();
    w.deps.hub.ingest([row({ group: "all", key: "*" })]);
    const app = createApp(w.deps);
    const res = await app.request("/api/stream");
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    setTimeout(() => w.deps.hub.ingest([row({ group: "all", key: "*", partition: 1 })]), 20);
    const [snap, upd] = await readEvents(res, 2);
    expect(snap).toMatchObject({ id: "t.1", event: "snapshot" });
    expect(JSON.parse(snap?.data ?? "")).toEqual([expect.objectContaining({ count: 2 })]);
    expect(upd).toMatchObject({ id: "t.2", event: "update" });
    expect(JSON.parse(upd?.data ?? "")).toEqual([expect.objectContaining({ count: 4, sumAge: 120 })]);

    w.deps.hub.ingest([row({ group: "all", key: "*", partition: 2 })]);
    const resumed = await app.request("/api/stream", { headers: { "Last-Event-ID": "t.2" } });
    const [next] = await readEvents(resumed, 1);
    expect(next).toMatchObject({ id: "t.3", event: "update" });
  });
});
