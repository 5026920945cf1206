import pino from "pino";
import { describe, expect, it } from "vitest";
import { PermanentWriteError, WriteQueue, WriteQueueClosedError } from "./write-queue.ts";

const log = pino({ level: "silent" });
const queue = (concurrency = 2) =>
  new WriteQueue({ concurrency, backoff: { baseMs: 1, maxMs: 4 }, log, random: () => 0.5 });

describe("WriteQueue", () => {
  it("retries a failing write until it succeeds", async () => {
    const q = queue();
    let attempts = 0;
    await q.submit("flaky", async () => {
      attempts++;
      if (attempts < 4) throw new Error("down");
    });
    expect(attempts).toBe(4);
    expect(q.failedAttempts()).toBe(3);
    expect(q.size()).toBe(0);
  });

  it("never runs more writes at once than its concurrency", async () => {
    const q = queue(3);
    let running = 0;
    let peak = 0;
    const writes = Array.from({ length: 20 }, () =>
      q.submit("w", async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 2));
        running--;
      }),
    );
    await Promise.all(writes);
    expect(peak).toBe(3);
  });

  it("counts pending weight until durable", async () => {
    const q = queue(1);
    let release!: () => void;
    const first = q.submit("a", () => new Promise<void>((r) => (release = r)), 100);
    const second = q.submit("b", async () => undefined, 5);
    expect(q.size()).toBe(105);
    release();
    await Promise.all([first, second]);
    expect(q.size()).toBe(0);
  });

  it("barrier waits for the writes submitted before it only", async () => {
    const q = queue(4);
    const order: string[] = [];
    let releaseEarly!: () => void;
    void q.submit("early", () =>
      new Promise<void>((r) => (releaseEarly = r)).then(() => order.push("early")),
    );
    const barrier = q.barrier().then(() => order.push("barrier"));
    let releaseLate!: () => void;
    void q.submit("late", () => new Promise<void>((r) => (releaseLate = r)).then(() => order.push("late")));
    releaseEarly();
    await barrier;
    expect(order).toEqual(["early", "barrier"]);
    releaseLate();
    await q.barrier();
    expect(order).toEqual(["early", "barrier", "late"]);
  });

  it("abort fails what is not durable and refuses new writes", async () => {
    const q = queue(1);
    const stuck = q.submit("stuck", async () => {
      throw new Error("down");
    });
    const queued = q.submit("queued", async () => undefined);
    q.abort();
    await expect(stuck).rejects.toBeInstanceOf(WriteQueueClosedError);
    await expect(queued).rejects.toBeInstanceOf(WriteQueueClosedError);
    await expect(q.submit("new", async () => undefined)).rejects.toBeInstanceOf(WriteQueueClosedError);
    expect(q.size()).toBe(0);
  });

  it("fails a write the classifier calls permanent at once, reports it, and fails every later barrier", async () => {
    const reported: Error[] = [];
    const q = new WriteQueue({
      concurrency: 2,
      backoff: { baseMs: 1, maxMs: 4 },
      log,
      random: () => 0.5,
      permanent: (err) => ((err as Error).message.includes("unconfigured") ? "invalid request" : null),
      onPermanent: (e) => reported.push(e),
    });
    let attempts = 0;
    const bad = q.submit("users", async () => {
      attempts++;
      throw new Error("unconfigured table users");
    });
    await expect(bad).rejects.toBeInstanceOf(PermanentWriteError);
    await expect(bad).rejects.toThrow(/users: invalid request/);
    expect(attempts).toBe(1);
    expect(q.size()).toBe(0);
    // Transient errors around it are still retried; the barrier still refuses.
    let flaky = 0;
    await q.submit("flaky", async () => {
      if (++flaky < 3) throw new Error("timeout");
    });
    expect(flaky).toBe(3);
    await expect(q.barrier()).rejects.toBeInstanceOf(PermanentWriteError);
    const again = q.submit("users", async () => {
      throw new Error("unconfigured table users");
    });
    await expect(again).rejects.toBeInstanceOf(PermanentWriteError);
    expect(reported).toHaveLength(1);
  });
});
