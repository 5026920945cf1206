import { describe, expect, it } from "vitest";
import type { InstanceHeartbeat } from "../../common/src/instance-registry.ts";
import { AggregationGroups } from "./aggregation-groups.ts";

const beat = (instance: string, groupBy: string[]) => ({ instance, groupBy }) as InstanceHeartbeat;

function groupsWith(beats: InstanceHeartbeat[], now = () => 0) {
  let reads = 0;
  const registry = {
    heartbeats: async () => {
      reads++;
      return beats;
    },
  };
  const groups = new AggregationGroups({ registry, consumerGroup: "g", fallback: ["nat", "gender"], now });
  return { groups, reads: () => reads };
}

describe("AggregationGroups", () => {
  it("serves the union of the processors' published GROUP_BY, after all, in their order", async () => {
    const { groups } = groupsWith([beat("a", ["state", "nat"]), beat("b", ["nat", "country"])]);
    expect(await groups.list()).toEqual(["all", "state", "nat", "country"]);
  });

  it("falls back to the web tier's own GROUP_BY while no processor has published one", async () => {
    expect(await groupsWith([]).groups.list()).toEqual(["all", "nat", "gender"]);
    expect(await groupsWith([beat("old", [])]).groups.list()).toEqual(["all", "nat", "gender"]);
  });

  it("reads the registry at most once per cache period", async () => {
    let t = 0;
    const w = groupsWith([beat("a", ["nat"])], () => t);
    await w.groups.list();
    await w.groups.list();
    expect(w.reads()).toBe(1);
    t = 5_000;
    await w.groups.list();
    expect(w.reads()).toBe(2);
  });
});
