import { describe, expect, it } from "vitest";
import { handOver, shutdownBudget } from "./revocation.ts";

describe("shutdownBudget", () => {
  it("leaves time to leave the group after the revocation's wait and the flush", () => {
    const { revokeWaitMs, flushMs } = shutdownBudget(15_000);
    expect(revokeWaitMs).toBe(7_500);
    expect(flushMs).toBe(3_000);
    expect(revokeWaitMs + flushMs).toBeLessThan(15_000);
  });
});

describe("handOver", () => {
  it("releases the partitions after starting their checkpoint", async () => {
    const order: string[] = [];
    const done = handOver(
      () => {
        order.push("capture");
        return Promise.resolve();
      },
      () => order.push("release"),
    );
    await done;
    expect(order).toEqual(["capture", "release"]);
  });

  it("releases them even when the capture throws, and reports the error as the checkpoint's", async () => {
    let released = false;
    const done = handOver(
      () => {
        throw new Error("partition 3 has final rows not yet taken");
      },
      () => {
        released = true;
      },
    );
    expect(released).toBe(true);
    await expect(done).rejects.toThrow(/final rows not yet taken/);
  });
});
