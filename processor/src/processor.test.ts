import { afterEach, describe, expect, it } from "vitest";
import { ProcessorStatusSchema } from "../../common/src/contracts/processor-status.ts";
import { type DriverOptions, InMemoryDriver } from "./testing/in-memory-driver.ts";

// The loop's rules against ports in memory (testing/in-memory-driver.ts): admission, resync, backpressure,
// the core's clock and the order of checkpoints. The same rules against the real stack: *.int.test.ts.

const T0 = 1_767_225_600_000;
const HOUR = 3_600_000;

let driver: InMemoryDriver | null = null;
afterEach(async () => {
  if (!driver) return;
  for (const g of [driver.store.stall, driver.store.holdUsers, driver.topics.acks, driver.source.holdBatch])
    g.open();
  driver.store.landParked();
  await driver.stop().catch(() => undefined);
  driver = null;
});

function newDriver(o?: DriverOptions): InMemoryDriver {
  driver = new InMemoryDriver(o);
  return driver;
}

async function counter(c: { get(): Promise<{ values: { value: number }[] }> }): Promise<number> {
  return (await c.get()).values.reduce((a, v) => a + v.value, 0);
}

/** Appends `n` events 100 ms apart on `partition`, from `from` on. */
function events(d: InMemoryDriver, partition: number, n: number, from = T0): void {
  for (let i = 0; i < n; i++) d.produce(partition, from + i * 100);
}

/** An event an hour later closes every earlier window; returns the events counted in the final rows. */
async function finalCount(d: InMemoryDriver, group = "all", partition = 0): Promise<number> {
  d.produce(partition, T0 + HOUR);
  await d.until("caught up", () => d.caughtUp());
  const finals = () => [...d.store.windows.values()].filter((r) => r.final && r.group === group);
  await d.advanceUntil("final rows stored", () => finals().length > 0);
  return finals().reduce((a, r) => a + r.count, 0);
}

function checkpointedAt(d: InMemoryDriver, partition: number): number | null {
  const c = d.store.checkpoints.get(partition);
  return c ? Number(c.nextOffset) : null;
}

describe("processor loop (in memory)", () => {
  it("drops a batch taken before a rebalance and seeks back to the restored offset: every event counted once", async () => {
    const d = newDriver();
    events(d, 0, 3);
    await d.start();
    await d.advanceUntil("checkpoint at 3", () => checkpointedAt(d, 0) === 3);
    // A batch is taken, and a rebalance completes while it waits (for the registry, in production).
    d.source.holdBatch.close();
    events(d, 0, 7, T0 + 300);
    await d.until("a batch held", () => d.source.held > 0);
    await d.source.revoke([0]);
    await d.source.assign([0]);
    d.source.holdBatch.open();
    await d.until("caught up", () => d.caughtUp());
    expect(d.source.seeks).toBe(1);
    expect(await counter(d.processor.metrics.resyncs)).toBe(1);
    expect(await finalCount(d)).toBe(10);
  });

  it("goes on after records deleted by retention, counting the gap", async () => {
    const d = newDriver();
    events(d, 0, 5);
    await d.start();
    await d.until("caught up", () => d.caughtUp());
    await d.stop();
    expect(checkpointedAt(d, 0)).toBe(5);
    events(d, 0, 10, T0 + 500);
    d.log.truncate(0, 10);
    await d.start();
    await d.until("caught up", () => d.caughtUp());
    expect(await counter(d.processor.metrics.offsetGap)).toBe(5);
    expect(d.processor.status().processed).toBe(5);
    expect(await finalCount(d)).toBe(10);
  });

  it("pauses consumption while writes pile up, freezes the core's clock meanwhile, and resumes at half", async () => {
    const d = newDriver({
      env: { STORE_USERS: "true" },
      options: { PROCESSOR_MAX_PENDING_WRITES: 4, PROCESSOR_USERS_PER_BATCH: 1 },
    });
    await d.start();
    d.store.stall.close();
    events(d, 0, 20);
    await d.until("paused", () => d.processor.status().paused);
    expect(d.source.paused()).toEqual([0]);
    events(d, 0, 20, T0 + 2_000);
    // Far beyond IDLE_TIMEOUT_MS: a paused input could not have delivered, so the partition is not idle.
    for (let i = 0; i < 40; i++) {
      d.advance(250);
      await new Promise((r) => setTimeout(r, 2));
    }
    const paused = d.processor.status();
    expect(paused.partitions[0]?.nextOffset).toBe(20);
    expect(paused.partitions[0]?.idle).toBe(false);
    expect(paused.clockHeld).toBe("paused by backpressure");
    d.store.stall.open();
    await d.until("resumed and caught up", () => !d.processor.status().paused && d.caughtUp());
    expect(d.source.paused()).toEqual([]);
    await d.until("users stored", () => d.store.users.size === 40);
    await d.advanceUntil("idle once it could have delivered", () => d.processor.status().partitions[0]!.idle);
  });

  it("keeps the core's clock still while the broker does not confirm the end offsets (down, restarting)", async () => {
    const d = newDriver();
    await d.start();
    events(d, 0, 20);
    await d.until("caught up", () => d.caughtUp());
    d.source.brokerReachable = false;
    // Far beyond IDLE_TIMEOUT_MS, and beyond W + L: with the clock running, every partition would turn idle
    // and the all-idle advance would close the open windows before the records the broker still holds.
    for (let i = 0; i < 80; i++) {
      d.advance(250);
      await new Promise((r) => setTimeout(r, 2));
    }
    expect(d.processor.status().partitions[0]?.idle).toBe(false);
    expect(d.processor.status().clockHeld).toBe("end offsets not confirmed by the broker");
    expect([...d.store.windows.values()].filter((r) => r.final)).toEqual([]);
    // The broker is back with what the producers retried meanwhile: those events are counted, not late.
    events(d, 0, 20, T0 + 2_000);
    d.source.brokerReachable = true;
    expect(await finalCount(d)).toBe(40);
    expect(d.processor.status().late).toBe(0);
    expect(d.processor.status().clockHeld).toBeNull();
  });

  it("stores a checkpoint only once the writes and tracked sends it covers are durable, never an older after a newer", async () => {
    const d = newDriver({ env: { STORE_USERS: "true" } });
    await d.start();
    d.store.holdUsers.close();
    d.topics.acks.close();
    events(d, 0, 5);
    d.produceRaw(0, Buffer.from("not wire format"));
    await d.until("caught up", () => d.caughtUp());
    for (let i = 0; i < 10; i++) {
      d.advance(50);
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(d.store.journal.filter((j) => j.startsWith("windows")).length).toBeGreaterThan(0);
    // Only the checkpoint of the empty partition, taken before the first record.
    expect(checkpointedAt(d, 0) ?? 0).toBe(0);
    d.store.holdUsers.open();
    await new Promise((r) => setTimeout(r, 20));
    // The users are durable now, the dead letter is not acknowledged yet.
    expect(d.store.users.size).toBe(5);
    expect(checkpointedAt(d, 0) ?? 0).toBe(0);
    d.topics.acks.open();
    await d.advanceUntil("checkpoint at 6", () => checkpointedAt(d, 0) === 6);
    expect(d.topics.on(d.config.TOPIC_DLQ)).toHaveLength(1);
    const first = d.store.journal.indexOf("checkpoint 0@6");
    expect(d.store.journal.lastIndexOf("users 5")).toBeLessThan(first);
    expect(d.source.committed.get(0)).toBe(6);

    for (let round = 0; round < 5; round++) {
      events(d, 0, 3, T0 + 1_000 * (round + 1));
      await d.until("caught up", () => d.caughtUp());
      d.advance(50);
      await new Promise((r) => setTimeout(r, 5));
    }
    await d.advanceUntil("checkpoint at 21", () => checkpointedAt(d, 0) === 21);
    const offsets = d.store.journal
      .filter((j) => j.startsWith("checkpoint 0@"))
      .map((j) => Number(j.split("@")[1]));
    expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
  });

  it("takes the timed checkpoint while a revocation waits for its own, without touching the revoked partition", async () => {
    const d = newDriver();
    await d.start();
    events(d, 0, 3);
    await d.until("caught up", () => d.caughtUp());
    // A timed checkpoint waits for the store; the revocation's checkpoint queues behind it, then waits
    // for a dead letter's acknowledgement.
    d.store.stall.close();
    d.topics.acks.close();
    d.advance(50);
    await d.until(
      "a checkpoint waits",
      () => d.store.stall.isClosed && d.processor.status().pendingWrites > 0,
    );
    d.produceRaw(0, Buffer.from("bad"));
    await d.until("caught up", () => d.caughtUp());
    const revoked = d.source.revoke([0]);
    await new Promise((r) => setTimeout(r, 10));
    d.store.stall.open();
    for (let i = 0; i < 10; i++) {
      d.advance(50);
      await new Promise((r) => setTimeout(r, 5));
    }
    d.topics.acks.open();
    await revoked;
    expect(d.processor.unhealthy()).toBeNull();
    expect(checkpointedAt(d, 0)).toBe(4);
  });

  it("dead-letters what it cannot use and forwards late events with their window and watermark", async () => {
    const d = newDriver();
    await d.start();
    d.produce(0, T0 + 60_000);
    d.produce(0, T0);
    d.produceRaw(0, null);
    await d.until("caught up", () => d.caughtUp());
    await d.until("sent", () => d.topics.tracked.length === 2);
    const [late] = d.topics.on(d.config.TOPIC_LATE);
    expect(late?.headers).toMatchObject({ source_partition: "0", source_offset: "1", source: "fixture" });
    expect(Number(late?.headers.window_end)).toBe(T0 + 10_000);
    const [letter] = d.topics.on(d.config.TOPIC_DLQ);
    expect(JSON.parse(letter!.value.toString())).toMatchObject({
      reason: "empty message value",
      stage: "decode",
    });
    expect(d.processor.status()).toMatchObject({ processed: 3, late: 1, deadLettered: 1 });
    // The status it serves is the contract's, whole.
    expect(ProcessorStatusSchema.parse(d.processor.status())).toEqual(d.processor.status());
  });

  it("does not send again a late event or dead letter its partition of the side topic already holds", async () => {
    const d = newDriver();
    // What a run killed before its checkpoint had sent: the late event of offset 1, the letter of offset 2.
    for (const [topic, offset] of [
      [d.config.TOPIC_LATE, 1],
      [d.config.TOPIC_DLQ, 2],
    ] as const)
      d.topics.tracked.push({
        topic,
        key: null,
        value: Buffer.alloc(0),
        headers: { source_partition: "0", source_offset: String(offset) },
        partition: 0,
      });
    await d.start();
    d.produce(0, T0 + 60_000);
    d.produce(0, T0);
    d.produceRaw(0, null);
    d.produce(0, T0 + 1);
    d.produceRaw(0, null);
    await d.until("caught up", () => d.caughtUp());
    await d.until("sent", () => d.topics.tracked.length === 4);
    await d.topics.barrier();
    expect(d.topics.on(d.config.TOPIC_LATE).map((s) => s.headers.source_offset)).toEqual(["1", "3"]);
    expect(d.topics.on(d.config.TOPIC_DLQ).map((s) => s.headers.source_offset)).toEqual(["2", "4"]);
    expect(d.topics.tracked.every((s) => s.partition === 0)).toBe(true);
    expect(await counter(d.processor.metrics.sideOutputsNotResent)).toBe(2);
  });

  it("fails, rather than process the partition, when it cannot read back what the side topics hold", async () => {
    const d = newDriver();
    d.topics.readBackError = new Error("late partition 0: not read within 30000 ms");
    await expect(d.start()).rejects.toThrow(/not read within/);
    expect((await d.processor.failed).message).toMatch(/not read within/);
  });

  it("does not fail on an assignment that arrives while it stops and cannot be read back (the others leaving at once)", async () => {
    const d = newDriver({ partitions: 2 });
    events(d, 0, 3);
    await d.start([0]);
    await d.advanceUntil("checkpoint at 3", () => checkpointedAt(d, 0) === 3);
    const stopped = d.processor.stop();
    d.topics.readBackError = new Error("late partition 1: read cut short by the stop");
    await expect(d.source.assign([1])).rejects.toThrow(/cut short/);
    await stopped;
    const settled = await Promise.race([
      d.processor.failed.then(() => "failed"),
      Promise.resolve("not failed"),
    ]);
    expect(settled).toBe("not failed");
    expect(d.processor.unhealthy()).toBeNull();
  });

  it("keeps an open row the next owner wrote when the previous owner's older version lands after it", async () => {
    const d = newDriver();
    const open = () => [...d.store.windows.values()].find((r) => r.group === "all" && r.partition === 0);
    events(d, 0, 3);
    await d.start();
    await d.advanceUntil("open row of 3", () => open()?.count === 3);
    d.store.parkOpenWindows = 1;
    events(d, 0, 3, T0 + 300);
    await d.advanceUntil("the write of 6 in flight", () => d.store.parkedWrites === 1);
    d.crash();
    events(d, 0, 3, T0 + 600);
    await d.start();
    await d.advanceUntil("open row of 9", () => open()?.count === 9);
    const before = d.store.journal.length;
    d.store.landParked();
    await d.until("the write of 6 landed", () =>
      d.store.journal.slice(before).some((j) => j.startsWith("windows open")),
    );
    expect(open()?.count).toBe(9);
    expect(await finalCount(d)).toBe(9);
  });
});
