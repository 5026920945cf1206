import { describe, expect, it } from "vitest";
import { PermanentError, RetryAbortedError, retry } from "./retry.ts";

function logger() {
  const lines: string[] = [];
  return {
    lines,
    log: {
      warn: (o: object, msg: string) => {
        lines.push(`${msg} ${JSON.stringify(o)}`);
      },
    },
  };
}

describe("retry", () => {
  it("retries with doubling waits until it succeeds, a line per failure", async () => {
    const { lines, log } = logger();
    let calls = 0;
    const out = await retry(
      async () => {
        if (++calls < 4) throw new Error(`down ${calls}`);
        return "up";
      },
      { what: "read", log, backoff: { baseMs: 1, maxMs: 2 } },
    );
    expect(out).toBe("up");
    expect(lines).toEqual([
      'read failed, retrying {"attempt":1,"retryInMs":1,"err":"down 1"}',
      'read failed, retrying {"attempt":2,"retryInMs":2,"err":"down 2"}',
      'read failed, retrying {"attempt":3,"retryInMs":2,"err":"down 3"}',
    ]);
  });

  it("stops at once on an error `permanent` recognizes, TypeErrors being retried otherwise", async () => {
    const { log } = logger();
    let calls = 0;
    const err = await retry(
      async () => {
        calls++;
        throw calls === 1 ? new TypeError("transient") : new RangeError("bad value");
      },
      {
        what: "write",
        log,
        backoff: { baseMs: 1, maxMs: 1 },
        permanent: (e) => (e instanceof RangeError ? "refused" : null),
      },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect((err as Error).message).toBe("write: refused");
    expect(calls).toBe(2);
  });

  it("gives up after `attempts`, and after the second attempt once stopping", async () => {
    const { log } = logger();
    let calls = 0;
    const fail = async () => {
      calls++;
      throw new Error("down");
    };
    await expect(
      retry(fail, { what: "x", log, backoff: { baseMs: 1, maxMs: 1 }, attempts: 3 }),
    ).rejects.toThrow("down");
    expect(calls).toBe(3);
    calls = 0;
    await expect(
      retry(fail, { what: "x", log, backoff: { baseMs: 1, maxMs: 1 }, stopping: () => true }),
    ).rejects.toThrow("down");
    expect(calls).toBe(2);
  });

  it("waits what the failure asks for when it asks (Retry-After), the backoff's otherwise", async () => {
    const waits: number[] = [];
    let calls = 0;
    await retry(
      async () => {
        calls++;
        if (calls === 1) throw Object.assign(new Error("busy"), { waitMs: 3 });
        if (calls === 2) throw new Error("down");
      },
      {
        what: "fetch",
        backoff: { baseMs: 7, maxMs: 7 },
        waitFor: (e) => (e as { waitMs?: number }).waitMs,
        onRetry: ({ delayMs }) => waits.push(delayMs),
      },
    );
    expect(waits).toEqual([3, 7]);
  });

  it("gives up before a wait that would end past giveUpAfterMs, throwing the last failure", async () => {
    let t = 0;
    let calls = 0;
    const err = await retry(
      async () => {
        calls++;
        t += 1_000;
        throw new Error(`down ${calls}`);
      },
      { what: "x", backoff: { baseMs: 0, maxMs: 0 }, giveUpAfterMs: 5_000, now: () => t },
    ).catch((e: unknown) => e);
    expect((err as Error).message).toBe("down 5");
  });

  it("an abort cuts the wait under way short", async () => {
    const ctl = new AbortController();
    const started = Date.now();
    const pending = retry(
      async () => {
        throw new Error("down");
      },
      { what: "write", backoff: { baseMs: 60_000, maxMs: 60_000 }, signal: ctl.signal },
    ).catch((e: unknown) => e);
    setTimeout(() => ctl.abort(), 20);
    const err = await pending;
    expect(err).toBeInstanceOf(RetryAbortedError);
    expect((err as Error).message).toBe("write: aborted");
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
