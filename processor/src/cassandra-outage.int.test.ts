import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { replayFile } from "../../producer/src/replay.ts";
import { loadProcessorOptions } from "./processor-options.ts";
import { type ProcessorHandle, startProcessor } from "./start-processor.ts";
import { finalRows, groupsOf, hoursOf, readMerged, waitFor, waitForUsers } from "./testing/harness.ts";
import { startTcpProxy, type TcpProxy } from "./testing/tcp-proxy.ts";
import { useExactRun } from "./testing/test-bed.ts";

const progress = (h: ProcessorHandle) => h.status().partitions.reduce((a, p) => a + p.nextOffset, 0);
const checkpointed = (h: ProcessorHandle) => h.status().partitions.map((p) => p.checkpointedOffset);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// (c) Cassandra goes away for 30 s in the middle of the stream: writes retry with backoff, consumption
// pauses (pending writes stay bounded), no checkpoint advances; once it is back the processor goes on and
// the result is exact. The processor reaches Cassandra through a TCP relay the test cuts: to it, an outage
// (every connection reset, new ones refused) while the shared Cassandra and everyone else's tests go on.
describe("processor: Cassandra outage (its connections to Cassandra cut for 30 s)", () => {
  const run = useExactRun("outage", {
    partitions: 3,
    count: 100_000,
    seed: 31,
    startMs: Date.parse("2026-06-01T00:00:00Z"),
  });
  let cassandra: TcpProxy;
  let processor: ProcessorHandle | null = null;

  beforeAll(async () => {
    cassandra = await startTcpProxy(run.config.CASSANDRA_CONTACT_POINT);
  });

  // Before the bed's own afterAll (hooks after the tests run in reverse): the processor stops through the
  // relay, then the relay closes.
  afterAll(async () => {
    cassandra.restore();
    await processor?.stop().catch(() => undefined);
    await cassandra.close();
  });

  it("pauses, holds its checkpoints, resumes and ends exact", async () => {
    const { config, client, file, events, expected } = run;
    const replay = replayFile(file, config);
    const options = loadProcessorOptions(process.env, { PROCESSOR_MAX_PENDING_WRITES: 500 });
    processor = await startProcessor({ ...config, CASSANDRA_CONTACT_POINT: cassandra.address }, { options });
    const p = processor;
    await waitFor(
      "progress",
      async () => progress(p),
      (n) => n >= events.length * 0.25,
      120_000,
      50,
    );
    let maxPending = 0;
    let sawPause = false;
    let held: (number | null)[] = [];
    try {
      cassandra.cut();
      const outageStart = Date.now();
      while (Date.now() - outageStart < 30_000) {
        const s = p.status();
        maxPending = Math.max(maxPending, s.pendingWrites);
        sawPause ||= s.paused;
        // Writes that were in flight when it went down may still have landed in the first seconds.
        if (Date.now() - outageStart >= 10_000 && held.length === 0) held = checkpointed(p);
        await sleep(200);
      }
      expect(checkpointed(p)).toEqual(held);
      expect(p.status().pendingWrites).toBeGreaterThan(0);
    } finally {
      cassandra.restore();
    }
    expect(sawPause).toBe(true);
    // Pending rows are checked against the limit before every consume, and count every write accepted and
    // not yet durable, those in flight included. So the turn that crosses the limit adds at most one batch:
    // its users, and a window row per group for each of its events (tumbling windows: one per group).
    const perEvent = config.STORE_USERS ? 1 + groupsOf(config).length : groupsOf(config).length;
    expect(maxPending).toBeLessThanOrEqual(
      options.PROCESSOR_MAX_PENDING_WRITES + options.PROCESSOR_BATCH_SIZE * perEvent,
    );
    expect(progress(p)).toBeLessThan(events.length);
    expect((await replay).sent).toBe(events.length);
    const rows = await waitFor(
      "all windows final",
      () => readMerged(client, config, hoursOf(expected)).catch(() => []),
      (rows) => finalRows(rows) !== null && rows.length >= expected.length,
      240_000,
    );
    expect(finalRows(rows)).toEqual(expected);
    expect(p.status().late).toBe(0);
    expect(await waitForUsers(client, config, events.length)).toBe(events.length);
  });
});
