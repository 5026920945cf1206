import { createApp } from "./app.tsx";
import { serveWithBun } from "./bun-serve.ts";
import { testWorld } from "./test-deps.ts";

// `bun web/src/bun-smoke.ts`: the Hono app with in-memory ports, served by Bun's own server and asked
// over HTTP, so the runtime split (everything but the Kafka and ws adapters runs under Bun) stays true.
// Prints one line per check; exits 1 on the first failure. Run by bun-runtime.test.ts.
if (!("Bun" in globalThis)) throw new Error("run this under Bun");

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
const server = serveWithBun(createApp(world.deps), 0, "127.0.0.1");
const base = `http://127.0.0.1:${server.port}`;

function check(what: string, ok: boolean, detail: string): void {
  if (!ok) throw new Error(`${what}: ${detail}`);
  console.log(`ok ${what}`);
}

async function get(path: string): Promise<{ status: number; type: string; body: string }> {
  const res = await fetch(`${base}${path}`);
  return { status: res.status, type: res.headers.get("content-type") ?? "", body: await res.text() };
}

async function firstEvent(path: string): Promise<string> {
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

try {
  const home = await get("/");
  check("GET / (dashboard)", home.status === 200 && home.body.includes('id="chart-all"'), `${home.status}`);
  const agg = await get("/api/aggregates?group=all&from=0&to=60000");
  const windows = (JSON.parse(agg.body) as { windows: { count: number; avgAge: number }[] }).windows;
  check(
    "GET /api/aggregates",
    agg.status === 200 && windows.length === 1 && windows[0]?.count === 3 && windows[0]?.avgAge === 30,
    agg.body,
  );
  const bad = await get("/api/aggregates?group=nope&from=0&to=1");
  check("GET /api/aggregates with bad parameters → 400", bad.status === 400, `${bad.status}`);
  const health = await get("/healthz");
  check("GET /healthz", health.status === 200 && health.body.includes('"ok"'), health.body);
  const metrics = await get("/metrics");
  check(
    "GET /metrics",
    metrics.status === 200 && metrics.body.includes("web_http_request_duration_seconds"),
    `${metrics.status}`,
  );
  for (const page of ["/history?group=nat&from=2026-01-01T00:00:00Z&to=2026-01-01T01:00:00Z", "/pipeline"]) {
    const res = await get(page);
    check(`GET ${page}`, res.status === 200 && res.type.includes("text/html"), `${res.status}`);
  }
  const asset = await get("/static/htmx.min.js");
  check("GET /static/htmx.min.js", asset.status === 200 && asset.body.length > 10_000, `${asset.status}`);
  const sse = await firstEvent("/api/stream");
  check(
    "GET /api/stream (first event)",
    sse.includes("event: snapshot") && sse.includes('"count":3') && sse.includes("id: t.1"),
    sse,
  );
  console.log("bun smoke: all checks passed");
  server.stop(true);
  process.exit(0);
} catch (err) {
  console.error(`bun smoke: FAILED ${(err as Error).message}`);
  server.stop(true);
  process.exit(1);
}
