import { describe, expect, it } from "vitest";
import { CachedAggregateStore } from "./cached-aggregate-store.ts";
import { MemoryAggregateStore } from "./in-memory-ports.ts";
import type { WindowQuery } from "./ports.ts";
import type { WindowRow } from "./window-types.ts";

const H = 3_600_000;
const row = (windowStart: number, key: string, final = true): WindowRow => ({
  windowStart,
  windowEnd: windowStart + 10_000,
  group: "nat",
  key,
  partition: 0,
  count: 1,
  sumAge: 30,
  minAge: 30,
  maxAge: 30,
  final,
});

class CountingStore extends MemoryAggregateStore {
  calls: WindowQuery[] = [];
  override windowRows(q: WindowQuery, maxRows: number) {
    this.calls.push(q);
    return super.windowRows(q, maxRows);
  }
}

describe("CachedAggregateStore", () => {
  const setup = (rows: WindowRow[], maxCachedRows = 100) => {
    const inner = new CountingStore(rows);
    const store = new CachedAggregateStore(inner, {
      settleMs: 60_000,
      maxCachedRows,
      now: () => 3 * H + 120_000,
    });
    return { inner, store };
  };

  it("answers like the inner store, reading settled hours once and the open edge every time", async () => {
    const rows = [row(10_000, "FR"), row(H + 10_000, "DE"), row(H + 20_000, "FR"), row(3 * H, "FR", false)];
    const { inner, store } = setup(rows);
    const q = { group: "nat" as const, from: 10_000, to: 3 * H + 10_000 };
    const expected = await new MemoryAggregateStore(rows).windowRows(q, 100);
    expect(await store.windowRows(q, 100)).toEqual(expected);
    expect(await store.windowRows(q, 100)).toEqual(expected);
    expect(await store.windowRows({ ...q, from: H + 15_000, key: "FR" }, 100)).toEqual([rows[2], rows[3]]);
    const settledReads = inner.calls.filter((c) => c.to - c.from === H && c.to <= 3 * H);
    expect(settledReads).toHaveLength(3);
    expect(inner.calls.filter((c) => c.from >= 3 * H)).toHaveLength(3);
  });

  it("does not cache an hour that still has open windows", async () => {
    const { inner, store } = setup([row(10_000, "FR", false)]);
    const q = { group: "nat" as const, from: 0, to: H };
    await store.windowRows(q, 100);
    await store.windowRows(q, 100);
    expect(inner.calls).toHaveLength(2);
  });

  it("keeps at most maxCachedRows, evicting the least recently used hour", async () => {
    const { inner, store } = setup([row(0, "A"), row(10_000, "B"), row(H, "C"), row(H + 10_000, "D")], 3);
    await store.windowRows({ group: "nat", from: 0, to: H }, 100);
    await store.windowRows({ group: "nat", from: H, to: 2 * H }, 100);
    await store.windowRows({ group: "nat", from: 0, to: H }, 100);
    expect(inner.calls).toHaveLength(3);
  });

  it("enforces the row limit", async () => {
    const { store } = setup([row(0, "A"), row(10_000, "B"), row(H, "C")]);
    await expect(store.windowRows({ group: "nat", from: 0, to: 2 * H }, 2)).rejects.toThrow(/more than 2/);
  });
});
