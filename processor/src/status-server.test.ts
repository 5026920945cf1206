import { describe, expect, it } from "vitest";
import { type ProcessorStatus, serveStatus } from "./status-server.ts";

const status: ProcessorStatus = {
  instance: "a",
  group: "g",
  assigned: [],
  watermark: null,
  partitions: [],
  processed: 0,
  late: 0,
  partlyLate: 0,
  refused: 0,
  deadLettered: 0,
  eventsPerSec: 0,
  sinkLatencyMs: { p50: null, p99: null },
  batchSize: { last: null, p50: null, p99: null, max: null, limit: 5000 },
  startedAt: 0,
  paused: false,
  pendingWrites: 0,
  failure: null,
};

describe("serveStatus", () => {
  it("answers /healthz 200 while healthy and 503 with the reason once failed", async () => {
    let reason: string | null = null;
    const server = await serveStatus(0, {
      status: () => status,
      unhealthy: () => reason,
      metrics: async () => "",
      contentType: "text/plain",
    });
    try {
      const url = `http://127.0.0.1:${server.port}/healthz`;
      const ok = await fetch(url);
      expect(ok.status).toBe(200);
      expect(await ok.json()).toEqual({ ok: true });
      reason = "dlq: a late/dead-letter message cannot be delivered";
      const down = await fetch(url);
      expect(down.status).toBe(503);
      expect(await down.json()).toEqual({ ok: false, reason });
    } finally {
      await server.close();
    }
  });
});
