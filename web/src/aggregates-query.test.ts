import { describe, expect, it } from "vitest";
import { MAX_RANGE_MS, parseAggregatesQuery } from "./aggregates-query.ts";

describe("parseAggregatesQuery", () => {
  it("accepts a valid query with and without key", () => {
    expect(parseAggregatesQuery({ group: "nat", from: "0", to: "10000" })).toEqual({
      ok: true,
      query: { group: "nat", from: 0, to: 10000 },
    });
    expect(parseAggregatesQuery({ group: "gender", from: "5", to: "6", key: "female" })).toEqual({
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
    const r = parseAggregatesQuery(params);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.startsWith(`${name}:`)).toBe(true);
  });
});
