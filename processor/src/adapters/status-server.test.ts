import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../common/src/config.ts";
import type { ProcessorStatus } from "../../../common/src/contracts/processor-status.ts";
import { type StatusRoutes, serveStatus } from "./status-server.ts";

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
  refusedByCause: { keys: 0, windows: 0, cells: 0 },
  e2eMs: { processed: { p50: null, p99: null }, emitted: { p50: null, p99: null } },
  deadLettered: 0,
  eventsPerSec: 0,
  sinkLatencyMs: { p50: null, p99: null },
  batchSize: { last: null, p50: null, p99: null, max: null, limit: 5000 },
  startedAt: 0,
  paused: false,
  pendingWrites: 0,
  clockHeld: null,
  failure: null,
};

const healthy: StatusRoutes = {
  status: () => status,
  unhealthy: () => null,
  metrics: async () => "",
  contentType: "text/plain",
};

/** Whether GET /healthz answers at `address`:`port` (false when the connection is refused). */
async function answers(address: string, port: number): Promise<boolean> {
  try {
    return (await fetch(`http://${address}:${port}/healthz`)).ok;
  } catch {
    return false;
  }
}

describe("serveStatus", () => {
  it("listens on PROCESSOR_METRICS_HOST, loopback 127.0.0.1 by default: not on another address", async () => {
    const host = loadConfig({}).PROCESSOR_METRICS_HOST;
    expect(host).toBe("127.0.0.1");
    const server = await serveStatus(host, 0, healthy);
    try {
      expect(await answers("127.0.0.1", server.port)).toBe(true);
      // 127.0.0.2 is loopback too, but not the address bound: a wider interface would answer there.
      expect(await answers("127.0.0.2", server.port)).toBe(false);
    } finally {
      await server.close();
    }
    const wide = await serveStatus("0.0.0.0", 0, healthy);
    try {
      expect(await answers("127.0.0.2", wide.port)).toBe(true);
    } finally {
      await wide.close();
    }
  });

  it("answers /healthz 200 while healthy and 503 with the reason once failed", async () => {
    let reason: string | null = null;
    const server = await serveStatus("127.0.0.1", 0, {
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
