import type { Hono } from "hono";
import { batchReference, compareRows, sumPartitions } from "../../../processor/src/core/reference.ts";
import { runEngine } from "../../../processor/src/core/testing/engine-driver.ts";
import { createApp } from "../app.tsx";
import { testWorld } from "../testing/deps.ts";

// The runtime split (README): the windowing core and the Hono app use only web-standard APIs, so they
// run under Node, Bun and Deno alike. tests/bun (`bun test`) and deno-smoke.ts run these checks with
// each runtime's own HTTP server; smoke.test.ts runs both in the unit run.

interface Served {
  readonly url: string;
  stop(): Promise<void> | void;
}

/** The world the app checks expect: one final window of three users aged 20 to 40. */
export function smokeApp(): Hono {
  const world = testWorld();
  world.aggregates.rows = [
    {
      windowStart: 10_000,
      windowEnd: 20_000,
      group: "all",
      key: "*",
      partition: 0,
      count: 3,
      sumAge: 90,
      minAge: 20,
      maxAge: 40,
      final: true,
    },
  ];
  world.deps.hub.ingest(world.aggregates.rows);
  return createApp(world.deps);
}

export interface Check {
  name: string;
  run(base: string): Promise<void>;
}

function expectThat(ok: boolean, detail: string): void {
  if (!ok) throw new Error(detail);
}

async function get(base: string, path: string): Promise<{ status: number; type: string; body: string }> {
  const res = await fetch(`${base}${path}`);
  return { status: res.status, type: res.headers.get("content-type") ?? "", body: await res.text() };
}

async function firstEvent(base: string, path: string): Promise<string> {
  const res = await fetch(`${base}${path}`);
  const reader = res.body?.pipeThrough(new TextDecoderStream()).getReader();
  if (!reader) throw new Error("no SSE body");
  let buf = "";
  const complete = () => {
    const at = buf.indexOf("event: ");
    return at >= 0 && buf.indexOf("\n\n", at) >= 0;
  };
  const deadline = Date.now() + 5000;
  while (!complete() && Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += value;
  }
  await reader.cancel();
  return buf;
}

const page = (path: string): Check => ({
  name: `GET ${path}`,
  async run(base) {
    const res = await get(base, path);
    expectThat(res.status === 200 && res.type.includes("text/html"), `${res.status}`);
  },
});

/** Every check of the app served at a base URL, by name (the runtime tests look for each name). */
export const APP_CHECKS: Check[] = [
  {
    name: "GET / (dashboard)",
    async run(base) {
      const home = await get(base, "/");
      expectThat(home.status === 200 && home.body.includes('id="chart-all"'), `${home.status}`);
    },
  },
  {
    name: "GET /api/aggregates",
    async run(base) {
      const agg = await get(base, "/api/aggregates?group=all&from=0&to=60000");
      const windows = (JSON.parse(agg.body) as { windows: { count: number; avgAge: number }[] }).windows;
      expectThat(
        agg.status === 200 && windows.length === 1 && windows[0]?.count === 3 && windows[0]?.avgAge === 30,
        agg.body,
      );
    },
  },
  {
    name: "GET /api/aggregates with bad parameters → 400",
    async run(base) {
      const bad = await get(base, "/api/aggregates?group=nope&from=0&to=1");
      expectThat(bad.status === 400, `${bad.status}`);
    },
  },
  {
    name: "GET /api/openapi.json",
    async run(base) {
      const doc = await get(base, "/api/openapi.json");
      expectThat(
        doc.status === 200 && (JSON.parse(doc.body) as { openapi?: string }).openapi === "3.1.0",
        doc.body,
      );
    },
  },
  {
    name: "GET /healthz",
    async run(base) {
      const health = await get(base, "/healthz");
      expectThat(health.status === 200 && health.body.includes('"ok"'), health.body);
    },
  },
  {
    name: "GET /metrics",
    async run(base) {
      const metrics = await get(base, "/metrics");
      expectThat(
        metrics.status === 200 && metrics.body.includes("web_http_request_duration_seconds"),
        `${metrics.status}`,
      );
    },
  },
  page("/history?group=nat&from=2026-01-01T00:00:00Z&to=2026-01-01T01:00:00Z"),
  page("/pipeline"),
  {
    name: "GET /static/htmx.min.js",
    async run(base) {
      const asset = await get(base, "/static/htmx.min.js");
      expectThat(asset.status === 200 && asset.body.length > 10_000, `${asset.status}`);
    },
  },
  {
    name: "GET /api/stream (first event)",
    async run(base) {
      const sse = await firstEvent(base, "/api/stream");
      expectThat(
        sse.includes("event: snapshot") && sse.includes('"count":3') && sse.includes("id: t.1"),
        sse,
      );
    },
  },
];

/**
 * The windowing core over 3 partitions of 3000 in-order events: its final and open rows, summed
 * over partitions, must equal the batch reference's. Returns the number of windows compared.
 */
export function coreSmoke(): number {
  const config = { windowSizeMs: 1_000, allowedLatenessMs: 500, idleTimeoutMs: 60_000, groupBy: ["nat"] };
  const nats = ["FR", "US", "DE", "BR"];
  const events = Array.from({ length: 3_000 }, (_, i) => ({
    partition: i % 3,
    eventTime: 1_700_000_000_000 + i * 7,
    fields: { nat: nats[i % nats.length] ?? "FR", age: 18 + (i % 60) },
  }));
  const run = runEngine(
    events.map((e) => ({ kind: "event" as const, ...e })),
    config,
    [0, 1, 2],
    0,
  );
  const got = JSON.stringify(sumPartitions([...run.finals, ...run.open]).sort(compareRows));
  const want = batchReference(events, config).sort(compareRows);
  expectThat(
    want.length > 20 && got === JSON.stringify(want),
    `core rows differ from the reference (${want.length})`,
  );
  return want.length;
}

/** Runs every check, printing `ok <name>` each; throws on the first failure. */
export async function runSmoke(runtime: string, serve: (app: Hono) => Served): Promise<void> {
  const windows = coreSmoke();
  console.log(`ok windowing core (${windows} windows equal the reference)`);
  const server = serve(smokeApp());
  try {
    for (const check of APP_CHECKS) {
      await check.run(server.url).catch((err: Error) => {
        throw new Error(`${check.name}: ${err.message}`);
      });
      console.log(`ok ${check.name}`);
    }
    console.log(`${runtime} smoke: all checks passed`);
  } finally {
    await server.stop();
  }
}
