import { describe, expect, it } from "vitest";
import { GateBusyError, QueryGate } from "./query-gate.ts";

function held() {
  let release!: () => void;
  const done = new Promise<void>((r) => {
    release = r;
  });
  return { done, release };
}

describe("QueryGate", () => {
  it("runs at most `concurrency` at once, queues up to `queue` in order, refuses the rest at once", async () => {
    const gate = new QueryGate({ concurrency: 2, queue: 1, maxWaitMs: 10_000 });
    const order: number[] = [];
    const holds = [held(), held(), held()];
    const runs = holds.map((h, i) =>
      gate.run(async () => {
        order.push(i);
        await h.done;
        return i;
      }),
    );
    await expect(gate.run(async () => 99)).rejects.toThrow(GateBusyError);
    expect(gate.active).toBe(2);
    expect(gate.queued).toBe(1);
    expect(order).toEqual([0, 1]);
    holds[0]!.release();
    await runs[0];
    await Promise.resolve();
    expect(order).toEqual([0, 1, 2]);
    holds[1]!.release();
    holds[2]!.release();
    expect(await Promise.all(runs)).toEqual([0, 1, 2]);
    expect(gate.active).toBe(0);
  });

  it("refuses a query that waited maxWaitMs for a turn, with a Retry-After hint, and frees its place", async () => {
    const gate = new QueryGate({ concurrency: 1, queue: 1, maxWaitMs: 50 });
    const h = held();
    const first = gate.run(() => h.done);
    const err = await gate.run(async () => 1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GateBusyError);
    expect((err as GateBusyError).message).toMatch(/no turn within 50 ms/);
    expect((err as GateBusyError).retryAfterSec).toBe(2);
    expect(gate.queued).toBe(0);
    h.release();
    await first;
  });

  it("frees the turn of a query that failed", async () => {
    const gate = new QueryGate({ concurrency: 1, queue: 0, maxWaitMs: 50 });
    await expect(gate.run(async () => Promise.reject(new Error("store down")))).rejects.toThrow("store down");
    expect(await gate.run(async () => "ok")).toBe("ok");
  });
});
