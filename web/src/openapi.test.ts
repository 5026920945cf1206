import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { createApp } from "./app.tsx";
import { API_OPERATIONS, openApiDocument } from "./openapi.ts";
import { testWorld } from "./testing/deps.ts";
import { blankUser } from "./testing/in-memory-ports.ts";

const RUN_ID = "6b1c7e40-8f3a-11f0-9a3b-0242ac120002";

function world() {
  const w = testWorld({ adminToken: "secret" });
  w.aggregates.rows = [
    {
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
    },
  ];
  w.users.users = [blankUser("u-1", { username: "ann", age: 30, latitude: 1.5 })];
  w.runs.runs = [
    {
      runId: RUN_ID,
      source: "synthetic",
      startedAt: 1,
      endedAt: 2,
      fetched: 3,
      sent: 3,
      rejected: 0,
      failed: 0,
      status: "ok",
      error: null,
      parameters: { rate: 200 },
      errors: [],
      updatedAt: 2,
    },
  ];
  w.processor.current = {
    instance: "p-1",
    group: "rt-processor",
    assigned: [0],
    watermark: 15_000,
    partitions: [{ partition: 0, nextOffset: 2, watermark: 15_000, idle: false }],
    processed: 2,
    late: 0,
    deadLettered: 0,
    eventsPerSec: 1,
    sinkLatencyMs: { p50: 1, p99: 2 },
    startedAt: 1,
  };
  w.deps.hub.ingest(w.aggregates.rows);
  return w;
}

describe("/api/openapi.json", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    const res = await createApp(world().deps).request("/api/openapi.json");
    expect(res.status).toBe(200);
    const doc = (await res.json()) as Record<string, unknown>;
    expect(doc).toEqual(openApiDocument());
    const result = await new Validator().validate(doc);
    expect(result.errors ?? [], JSON.stringify(result.errors)).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it("describes every /api route the app serves, and no other", () => {
    const served = createApp(world().deps)
      .routes.filter((r) => r.path.startsWith("/api/") && r.method !== "ALL")
      .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:(\w+)/g, "{$1}")}`);
    const paths = openApiDocument().paths as Record<string, Record<string, unknown>>;
    const described = Object.entries(paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m} ${p}`));
    expect(new Set(served)).toEqual(new Set(described));
  });

  const bodyOf = (method: "get" | "post", path: string, status: number): z.ZodType => {
    const body = API_OPERATIONS.find((o) => o.method === method && o.path === path)?.responses[status]?.body;
    if (!body) throw new Error(`no ${status} body for ${method} ${path}`);
    return body;
  };

  it.each([
    ["/aggregates", "/api/aggregates?group=nat&from=0&to=60000"],
    ["/users", "/api/users?username=ann"],
    ["/users/:id", "/api/users/u-1"],
    ["/runs", "/api/runs"],
    ["/runs/:id", `/api/runs/${RUN_ID}`],
    ["/ingestion/schedule", "/api/ingestion/schedule"],
    ["/pipeline", "/api/pipeline"],
    ["/live/snapshot", "/api/live/snapshot"],
  ])("GET %s answers what its 200 schema describes", async (path, url) => {
    const res = await createApp(world().deps).request(url);
    expect(res.status).toBe(200);
    const schema = bodyOf("get", path, 200);
    const body: unknown = await res.json();
    const parsed = schema.safeParse(body);
    expect(parsed.error?.issues ?? [], JSON.stringify(body)).toEqual([]);
  });

  it("the schedule actions answer what their schema describes", async () => {
    const app = createApp(world().deps);
    const res = await app.request("/api/ingestion/schedule/pause", {
      method: "POST",
      headers: { Authorization: "Bearer secret" },
    });
    expect(res.status).toBe(202);
    const parsed = bodyOf("post", "/ingestion/schedule/pause", 202).safeParse(await res.json());
    expect(parsed.error?.issues ?? []).toEqual([]);
  });

  it("error answers are the Error schema", async () => {
    const res = await createApp(world().deps).request("/api/aggregates?group=nope&from=0&to=1");
    expect(res.status).toBe(400);
    const parsed = bodyOf("get", "/aggregates", 400).safeParse(await res.json());
    expect(parsed.success).toBe(true);
  });
});
