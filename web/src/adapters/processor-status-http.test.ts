import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HttpProcessorStatus } from "./processor-status-http.ts";

// A real HTTP server answering what the processor's GET /status answers (docs/internal-contracts.md).
let server: Server;
let base = "";
let body: unknown = null;

beforeAll(async () => {
  server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/status`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const older = {
  instance: "proc-1",
  group: "rt-processor",
  assigned: [0],
  watermark: null,
  partitions: [{ partition: 0, nextOffset: 10, watermark: null, idle: false, openWindows: 2 }],
  processed: 10,
  late: 0,
  deadLettered: 0,
  eventsPerSec: 3,
  sinkLatencyMs: { p50: null, p99: null },
  startedAt: 1,
  paused: false,
  pendingWrites: 0,
};
const current = {
  ...older,
  partitions: [
    {
      ...older.partitions[0],
      lag: 4,
      checkpointedOffset: 8,
      partlyLate: 6,
      refused: 1,
    },
  ],
  partlyLate: 6,
  refused: 1,
  batchSize: { last: 3, p50: 4, p99: 9, max: 9, limit: 500 },
  failure: "sink refused the write for good",
};

async function read(answer: unknown) {
  body = answer;
  const problems: string[] = [];
  const status = await new HttpProcessorStatus(base, 1500, (p) => problems.push(p)).status();
  return { status, problems };
}

describe("HttpProcessorStatus", () => {
  it("reads batch sizes, partly-late and refused counts and the failure", async () => {
    const { status, problems } = await read(current);
    expect(problems).toEqual([]);
    expect(status?.batchSize).toEqual({ last: 3, p50: 4, p99: 9, max: 9, limit: 500 });
    expect([status?.partlyLate, status?.refused, status?.failure]).toEqual([
      6,
      1,
      "sink refused the write for good",
    ]);
    expect(status?.partitions).toEqual([
      {
        partition: 0,
        nextOffset: 10,
        watermark: null,
        idle: false,
        openWindows: 2,
        partlyLate: 6,
        refused: 1,
      },
    ]);
  });

  it("reads batch sizes of null before the first batch, and no failure", async () => {
    const { status } = await read({
      ...current,
      batchSize: { last: null, p50: null, p99: null, max: null, limit: 500 },
      failure: null,
    });
    expect(status?.batchSize).toEqual({ last: null, p50: null, p99: null, max: null, limit: 500 });
    expect(status?.failure).toBeNull();
  });

  it("still reads an older processor's answer, without the newer fields", async () => {
    const { status, problems } = await read(older);
    expect(problems).toEqual([]);
    expect(status).toEqual(older);
  });

  it.each([
    ["a negative refused count", { ...current, refused: -1 }, "refused"],
    [
      "a batch size without its limit",
      { ...current, batchSize: { ...current.batchSize, limit: undefined } },
      "batchSize.limit",
    ],
    ["a failure that is not text", { ...current, failure: 42 }, "failure"],
    [
      "a fractional partly-late count of a partition",
      { ...current, partitions: [{ ...current.partitions[0], partlyLate: 1.5 }] },
      "partitions.0.partlyLate",
    ],
  ])("reads %s as no answer and says where the contract broke", async (_, answer, path) => {
    const { status, problems } = await read(answer);
    expect(status).toBeNull();
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(`processor status does not match the contract: ${path}:`);
  });
});
