import { describe, expect, it } from "vitest";
import type { InstanceHeartbeat } from "../../common/src/instance-registry.ts";
import type { ProcessorStatus } from "./ports.ts";
import { ProcessorFleet } from "./processor-fleet.ts";
import { MemoryProcessorStatus } from "./testing/in-memory-ports.ts";

const NOW = 1_000_000;
const beat = (instance: string, over: Partial<InstanceHeartbeat> = {}): InstanceHeartbeat => ({
  group: "g",
  instance,
  address: `127.0.0.1:${instance.length + 9000}`,
  host: "h",
  pid: 1,
  startedAt: 0,
  heartbeatAt: NOW - 1_000,
  heartbeatIntervalMs: 2_000,
  assigned: [0],
  status: "running",
  processed: 0,
  eventsPerSec: 0,
  groupBy: ["nat", "gender"],
  ...over,
});
const status = (instance: string, assigned: number[]): ProcessorStatus => ({
  instance,
  group: "g",
  assigned,
  watermark: null,
  partitions: [],
  processed: 1,
  late: 0,
  deadLettered: 0,
  eventsPerSec: 0,
  sinkLatencyMs: { p50: null, p99: null },
  startedAt: 0,
});

function fleet(
  beats: InstanceHeartbeat[],
  answers: Record<string, ProcessorStatus | null>,
  fixed?: ProcessorStatus,
) {
  const asked: string[] = [];
  const f = new ProcessorFleet({
    registry: { heartbeats: async (group) => beats.filter((b) => b.group === group) },
    group: "g",
    statusAt: (address) => ({
      status: async () => {
        asked.push(address);
        return answers[address] ?? null;
      },
    }),
    ...(fixed ? { fixed: { url: "http://fixed/status", source: new MemoryProcessorStatus(fixed) } } : {}),
    now: () => NOW,
  });
  return { f, asked };
}

describe("ProcessorFleet", () => {
  it("lists every registered instance with its live status, sorted, asking only the ones that beat", async () => {
    const b = beat("b", { assigned: [1, 2] });
    const a = beat("a", { assigned: [0] });
    const gone = beat("c", { heartbeatAt: NOW - 7_000, assigned: [3] });
    const stopped = beat("dd", { status: "stopped", assigned: [] });
    const { f, asked } = fleet([b, a, gone, stopped, beat("x", { group: "other" })], {
      [a.address]: status("a", [0]),
      [b.address]: status("b", [1, 2]),
    });
    const list = await f.instances();
    expect(list.map((i) => [i.instance, i.liveness])).toEqual([
      ["a", "running"],
      ["b", "running"],
      ["c", "gone"],
      ["dd", "stopped"],
    ]);
    expect(asked.sort()).toEqual([a.address, b.address].sort());
    expect(list[2]).toMatchObject({ status: null, assigned: [3] });
    expect(list[1]?.status?.assigned).toEqual([1, 2]);
  });

  it("does not take another instance's answer at a reused address for this one's", async () => {
    const a = beat("a");
    const { f } = fleet([a], { [a.address]: status("a2", [0]) });
    expect((await f.instances())[0]?.status).toBeNull();
  });

  it("adds PROCESSOR_STATUS_URL's processor when it is not registered, once when it is", async () => {
    const a = beat("a");
    const answers = { [a.address]: status("a", [0]) };
    expect((await fleet([a], answers, status("a", [0])).f.instances()).map((i) => i.instance)).toEqual(["a"]);
    const list = await fleet([a], answers, status("old", [1])).f.instances();
    expect(list.map((i) => [i.instance, i.liveness, i.address])).toEqual([
      ["a", "running", a.address],
      ["old", "unregistered", "http://fixed/status"],
    ]);
  });
});
