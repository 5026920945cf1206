import { describe, expect, it } from "vitest";
import { CheckpointFinality, gateFinal } from "./finality.ts";
import type { Checkpoint } from "./ports.ts";
import { MemoryCheckpointStore } from "./testing/in-memory-ports.ts";

const cp = (partition: number, watermark: number | null): Checkpoint => ({
  partition,
  nextOffset: 10,
  watermark,
  updatedAt: 0,
});

describe("CheckpointFinality", () => {
  it("is the smallest checkpointed watermark of the topic's partitions", async () => {
    const store = new MemoryCheckpointStore(
      new Map([["users", [cp(0, 50_000), cp(1, 20_000), cp(2, 90_000)]]]),
    );
    expect(await new CheckpointFinality(store, "users", 0).closedThrough()).toBe(20_000);
  });

  it("is −∞ while a partition has no watermark, +∞ without any checkpoint", async () => {
    const store = new MemoryCheckpointStore(new Map([["users", [cp(0, 50_000), cp(1, null)]]]));
    expect(await new CheckpointFinality(store, "users", 0).closedThrough()).toBe(Number.NEGATIVE_INFINITY);
    expect(await new CheckpointFinality(store, "other", 0).closedThrough()).toBe(Number.POSITIVE_INFINITY);
  });

  it("shares one read within its time to live, then reads again", async () => {
    let now = 0;
    let reads = 0;
    const store = new MemoryCheckpointStore(new Map([["users", [cp(0, 1_000)]]]));
    const counting = {
      checkpoints: (topic: string) => {
        reads++;
        return store.checkpoints(topic);
      },
    };
    const finality = new CheckpointFinality(counting, "users", 1_000, () => now);
    await Promise.all([finality.closedThrough(), finality.closedThrough()]);
    now = 999;
    await finality.closedThrough();
    expect(reads).toBe(1);
    store.byTopic.set("users", [cp(0, 2_000)]);
    now = 1_000;
    expect(await finality.closedThrough()).toBe(2_000);
    expect(reads).toBe(2);
  });
});

describe("gateFinal", () => {
  const w = { windowEnd: 30_000, final: true, count: 3 };
  it("keeps a final window whose end every partition has passed", () => {
    expect(gateFinal(w, 30_000)).toBe(w);
  });
  it("calls a window open while a partition may still write its final row", () => {
    expect(gateFinal(w, 29_999)).toEqual({ ...w, final: false });
  });
  it("never makes an open window final", () => {
    expect(gateFinal({ ...w, final: false }, 99_999).final).toBe(false);
  });
});
