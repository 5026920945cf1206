import { describe, expect, it } from "vitest";
import { MAX_RANGE_MS, parseAggregatesQuery } from "./aggregates-query.ts";

const GROUPS = ["all", "nat", "gender"];

describe("parseAggregatesQuery", () => {
  it("accepts any configured group and lists them when the group is not one", () => {
    const groups = ["all", "state", "country"];
    expect(parseAggregatesQuery({ group: "state", from: "0", to: "1" }, groups)).toEqual({
      ok: true,
      query: { group: "state", from: 0, to: 1 },
    });
    expect(parseAggregatesQuery({ group: "nat", from: "0", to: "1" }, groups)).toEqual({
      ok: false,
      error: "group: must be one of all, state, country",
    });
  });

  it("accepts a valid query with and without key", () => {
    expect(parseAggregatesQuery({ group: "nat", from: "0", to: "10000" }, GROUPS)).toEqual({
      ok: true,
      query: { group: "nat", from: 0, to: 10000 },
    });
    expect(parseAggregatesQuery({ group: "gender", from: "5", to: "6", key: "female" }, GROUPS)).toEqual({
      ok: true,
      query: { group: "gender", from: 5, to: 6, key: "female" },
    });
  });

  it.each([
    [{ from: "0", to: "1" }, "group"],
    [{ group: "city", from: "0", to: "1" }, "group"],
    [{ group: "all", to: "1" }, "from"],
    [{ group: "all", from: "abc", to: "1" }, "from"],
    [{ group: "all", from: "-5", to: "1" }, "from"],
    [{ group: "all", from: "1.5", to: "3" }, "from"],
    [{ group: "all", from: "10", to: "10" }, "from"],
    [{ group: "all", from: "0", to: String(MAX_RANGE_MS + 1) }, "to"],
    [{ group: "all", from: "0", to: "1", key: "" }, "key"],
  ])("rejects %o naming %s", (params, name) => {
    const r = parseAggregatesQuery(params, GROUPS);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.startsWith(`${name}:`)).toBe(true);
  });
});
