import { describe, expect, it } from "vitest";
import { PermanentError, retry } from "./retry.ts";

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
      { what: "read", log, baseMs: 1, maxMs: 2 },
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
        baseMs: 1,
        maxMs: 1,
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
    await expect(retry(fail, { what: "x", log, baseMs: 1, maxMs: 1, attempts: 3 })).rejects.toThrow("down");
    expect(calls).toBe(3);
    calls = 0;
    await expect(retry(fail, { what: "x", log, baseMs: 1, maxMs: 1, stopping: () => true })).rejects.toThrow(
      "down",
    );
    expect(calls).toBe(2);
  });
});
