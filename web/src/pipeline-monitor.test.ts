import { describe, expect, it } from "vitest";
import { PipelineMonitor, processorState } from "./pipeline-monitor.ts";
import type { KafkaAdmin, ProcessorStatus } from "./ports.ts";
import { MemoryCheckpointStore, MemoryKafkaAdmin, MemoryProcessorStatus } from "./testing/in-memory-ports.ts";

const topics = { users: "u", dlq: "d", late: "l", aggregates: "a" };
const offsets = (topic: string, highs: number[], low = 0) => ({
  topic,
  exists: true,
  partitions: highs.map((high, partition) => ({ partition, low, high })),
});
const status = (over: Partial<ProcessorStatus> = {}): ProcessorStatus => ({
  instance: "p1",
  group: "g",
  assigned: [0, 1, 2],
  watermark: 1000,
  partitions: [{ partition: 0, nextOffset: 95, watermark: 1200, idle: false }],
  processed: 500,
  late: 0,
  deadLettered: 0,
  eventsPerSec: 7,
  sinkLatencyMs: { p50: 1, p99: 5 },
  startedAt: 0,
  ...over,
});

function world() {
  let t = 10_000;
  const admin = new MemoryKafkaAdmin(
    new Map([
      ["u", offsets("u", [100, 50, 20])],
      ["d", offsets("d", [3, 1, 0], 1)],
      ["l", offsets("l", [2, 0, 0])],
      ["a", offsets("a", [10, 10, 10])],
    ]),
    new Map([
      [
        "g/u",
        new Map([
          [0, 80],
          [1, 40],
        ]),
      ],
    ]),
  );
  const processor = new MemoryProcessorStatus(status());
  const checkpoints = new MemoryCheckpointStore(
    new Map([["u", [{ partition: 1, nextOffset: 45, watermark: 1, updatedAt: 1 }]]]),
  );
  const monitor = new PipelineMonitor({
    admin,
    processor,
    checkpoints,
    topics,
    group: "g",
    cacheMs: 500,
    now: () => t,
  });
  return { admin, processor, monitor, tick: (ms: number) => (t += ms) };
}

describe("PipelineMonitor", () => {
  it("computes lag from the freshest known position per partition, from the log start when there is none", async () => {
    const { monitor } = world();
    const s = await monitor.snapshot();
    expect(s.consumer.partitions).toEqual([
      {
        partition: 0,
        start: 0,
        end: 100,
        committed: 80,
        checkpoint: null,
        live: 95,
        lag: 5,
        watermark: 1200,
        partlyLate: null,
        refused: null,
      },
      {
        partition: 1,
        start: 0,
        end: 50,
        committed: 40,
        checkpoint: 45,
        live: null,
        lag: 5,
        watermark: 1,
        partlyLate: null,
        refused: null,
      },
      {
        partition: 2,
        start: 0,
        end: 20,
        committed: null,
        checkpoint: null,
        live: null,
        lag: 20,
        watermark: null,
        partlyLate: null,
        refused: null,
      },
    ]);
    expect(s.consumer.totalLag).toBe(30);
    expect(s.watermark).toEqual({ value: 1000, source: "processor" });
    expect(s.deadLettered).toBe(2);
    expect(s.late).toBe(2);
    expect(s.throughput).toEqual({ inPerSec: null, processedPerSec: 7, aggregateRowsPerSec: null });
  });

  it("derives rates from successive samples and shares a fresh snapshot", async () => {
    const { admin, processor, monitor, tick } = world();
    const first = await monitor.snapshot();
    admin.topics.set("u", offsets("u", [120, 60, 40]));
    processor.current = status({ processed: 540 });
    tick(100);
    expect(await monitor.snapshot()).toBe(first);
    tick(1900);
    const s = await monitor.snapshot();
    expect(s.throughput.inPerSec).toBe(25);
    expect(s.throughput.processedPerSec).toBe(20);
    expect(s.throughput.aggregateRowsPerSec).toBe(0);
  });

  it("counts a partition from its log start when retention passed its position, and unread ones in full", async () => {
    const { admin, monitor } = world();
    admin.topics.set("u", offsets("u", [100, 50, 20], 10));
    const s = await monitor.snapshot();
    expect(s.consumer.partitions.map((p) => [p.start, p.end, p.lag])).toEqual([
      [10, 100, 5],
      [10, 50, 5],
      [10, 20, 10],
    ]);
    expect(s.consumer.totalLag).toBe(20);
  });

  it("falls back to the checkpoints' watermarks when the processor does not answer", async () => {
    const { admin, processor } = world();
    processor.current = null;
    const checkpoints = new MemoryCheckpointStore(
      new Map([
        [
          "u",
          [
            { partition: 0, nextOffset: 90, watermark: 7000, updatedAt: 1 },
            { partition: 1, nextOffset: 45, watermark: 5000, updatedAt: 1 },
            { partition: 2, nextOffset: 0, watermark: null, updatedAt: 1 },
          ],
        ],
      ]),
    );
    const m = new PipelineMonitor({
      admin,
      processor,
      checkpoints,
      topics,
      group: "g",
      cacheMs: 0,
    });
    const s = await m.snapshot();
    expect(s.processor).toBeNull();
    expect(s.watermark).toEqual({ value: 5000, source: "checkpoints" });
    expect(s.consumer.partitions.map((p) => [p.checkpoint, p.watermark, p.lag])).toEqual([
      [90, 7000, 10],
      [45, 5000, 5],
      [0, null, 20],
    ]);
    expect(s.consumer.totalLag).toBe(35);
  });

  it("reports failing sources instead of failing", async () => {
    const { processor } = world();
    const broken: KafkaAdmin = {
      topicOffsets: async () => {
        throw new Error("broker down");
      },
      committedOffsets: async () => {
        throw new Error("broker down");
      },
    };
    processor.current = null;
    const m = new PipelineMonitor({
      admin: broken,
      processor,
      checkpoints: new MemoryCheckpointStore(),
      topics,
      group: "g",
      cacheMs: 0,
    });
    const s = await m.snapshot();
    expect(s.errors).toContain("offsets of u: broker down");
    expect(s.errors).toContain("committed offsets: broker down");
    expect(s.processor).toBeNull();
    expect(s.consumer.partitions).toEqual([]);
    expect(s.consumer.totalLag).toBeNull();
    expect(s.watermark).toEqual({ value: null, source: null });
  });

  it("carries the core's per-partition partly-late and refused counters of the partitions the processor reports", async () => {
    const { processor, monitor } = world();
    processor.current = status({
      partlyLate: 9,
      refused: 2,
      batchSize: { last: 40, p50: 100, p99: 500, max: 500, limit: 500 },
      failure: null,
      partitions: [
        { partition: 0, nextOffset: 95, watermark: 1200, idle: false, partlyLate: 7, refused: 0 },
        { partition: 1, nextOffset: 48, watermark: 1100, idle: false, partlyLate: 2, refused: 2 },
      ],
    });
    const s = await monitor.snapshot();
    expect(s.consumer.partitions.map((p) => [p.partition, p.partlyLate, p.refused, p.lag])).toEqual([
      [0, 7, 0, 5],
      [1, 2, 2, 2],
      [2, null, null, 20],
    ]);
    expect(s.processorState).toBe("running");
    expect(s.processor?.batchSize).toEqual({ last: 40, p50: 100, p99: 500, max: 500, limit: 500 });
    expect(s.processor?.refused).toBe(2);
  });

  it("calls the processor failed when it reports why it stopped, whatever else it says", async () => {
    const { processor, monitor } = world();
    processor.current = status({ paused: true, failure: "dead-letter topic refused the write for good" });
    const s = await monitor.snapshot();
    expect(s.processorState).toBe("failed");
    expect(s.processor?.failure).toBe("dead-letter topic refused the write for good");
  });

  it.each([
    ["no answer", null, "unreachable"],
    ["an older processor's answer", status(), "running"],
    ["no failure", status({ failure: null }), "running"],
    ["not paused", status({ paused: false }), "running"],
    ["paused", status({ paused: true }), "paused"],
    ["paused, no failure", status({ paused: true, failure: null }), "paused"],
    ["a failure", status({ failure: "sink gave up" }), "failed"],
  ] as const)("reads %s as %s", (_, st, expected) => {
    expect(processorState(st)).toBe(expected);
  });
});
