import { describe, expect, it } from "vitest";
import { mergeWindowRows } from "./merge-windows.ts";
import type { WindowQuery } from "./ports.ts";
import { MemoryAggregateStore } from "./testing/in-memory-ports.ts";
import { WindowHistory } from "./window-history.ts";
import type { WindowRow } from "./window-types.ts";

const H = 3_600_000;
const row = (windowStart: number, key: string, final = true, partition = 0): WindowRow => ({
  windowStart,
  windowEnd: windowStart + 10_000,
  group: "nat",
  key,
  partition,
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

describe("WindowHistory with checkpoint finality", () => {
  it("answers final only up to the checkpointed watermark, and keeps no hour past it", async () => {
    const rows = [row(10_000, "FR"), row(20_000, "FR"), row(30_000, "FR", true, 1)];
    const store = new CountingStore(rows);
    let closed = 30_000;
    const history = new WindowHistory(store, {
      settleMs: 60_000,
      maxCachedWindows: 100,
      liveTtlMs: 0,
      readConcurrency: 4,
      now: () => 3 * H,
      finality: { closedThrough: async () => closed },
    });
    const q = { group: "nat" as const, from: 0, to: H };
    expect((await history.windows(q, 100)).map((w) => w.final)).toEqual([true, true, false]);
    expect((await history.windows(q, 100)).map((w) => w.final)).toEqual([true, true, false]);
    expect(store.calls).toHaveLength(2);
    closed = 40_000;
    expect((await history.windows(q, 100)).map((w) => w.final)).toEqual([true, true, true]);
    await history.windows(q, 100);
    expect(store.calls).toHaveLength(3);
  });
});

describe("WindowHistory", () => {
  const setup = (rows: WindowRow[], maxCachedWindows = 100, liveTtlMs = 0) => {
    const store = new CountingStore(rows);
    const history = new WindowHistory(store, {
      settleMs: 60_000,
      maxCachedWindows,
      liveTtlMs,
      readConcurrency: 4,
      now: () => 3 * H + 120_000,
    });
    return { store, history };
  };

  it("answers like merging the store's rows, reading settled hours once and the open edge every time", async () => {
    const rows = [
      row(10_000, "FR"),
      row(10_000, "FR", true, 1),
      row(H + 10_000, "DE"),
      row(H + 20_000, "FR"),
      row(3 * H, "FR", false),
    ];
    const { store, history } = setup(rows);
    const q = { group: "nat" as const, from: 10_000, to: 3 * H + 10_000 };
    const expected = mergeWindowRows(rows).windows;
    expect(await history.windows(q, 100)).toEqual(expected);
    expect(await history.windows(q, 100)).toEqual(expected);
    expect(await history.windows({ ...q, from: H + 15_000, key: "FR" }, 100)).toEqual(
      mergeWindowRows([rows[3]!, rows[4]!]).windows,
    );
    const settledReads = store.calls.filter((c) => c.to - c.from === H && c.to <= 3 * H);
    expect(settledReads).toHaveLength(3);
    expect(store.calls.filter((c) => c.from >= 3 * H)).toHaveLength(3);
  });

  it("re-reads a cached hour once the live feed changes a window in it (a replay of old event time)", async () => {
    const { store, history } = setup([row(10_000, "FR")]);
    const q = { group: "nat" as const, from: 0, to: H };
    expect(await history.windows(q, 100)).toHaveLength(1);
    const added = row(20_000, "DE");
    store.rows.push(added);
    expect(await history.windows(q, 100)).toHaveLength(1);
    history.invalidate([added]);
    expect(await history.windows(q, 100)).toEqual(mergeWindowRows([row(10_000, "FR"), added]).windows);
  });

  it("does not keep an hour the live feed touched within the last minute, nor one read while it was touched", async () => {
    let t = 3 * H + 120_000;
    const store = new CountingStore([row(10_000, "FR")]);
    const history = new WindowHistory(store, {
      settleMs: 60_000,
      maxCachedWindows: 100,
      liveTtlMs: 0,
      readConcurrency: 4,
      now: () => t,
    });
    const q = { group: "nat" as const, from: 0, to: H };
    history.invalidate([row(20_000, "DE")]);
    await history.windows(q, 100);
    await history.windows(q, 100);
    expect(store.calls).toHaveLength(2);
    t += 61_000;
    const pending = history.windows(q, 100);
    history.invalidate([row(20_000, "DE")]);
    await pending;
    await history.windows(q, 100);
    expect(store.calls).toHaveLength(4);
    t += 61_000;
    await history.windows(q, 100);
    await history.windows(q, 100);
    expect(store.calls).toHaveLength(5);
  });

  it("does not cache an hour that still has open windows", async () => {
    const { store, history } = setup([row(10_000, "FR", false)]);
    const q = { group: "nat" as const, from: 0, to: H };
    await history.windows(q, 100);
    await history.windows(q, 100);
    expect(store.calls).toHaveLength(2);
  });

  it("keeps at most maxCachedWindows, evicting the least recently used hour", async () => {
    const { store, history } = setup([row(0, "A"), row(10_000, "B"), row(H, "C"), row(H + 10_000, "D")], 3);
    await history.windows({ group: "nat", from: 0, to: H }, 100);
    await history.windows({ group: "nat", from: H, to: 2 * H }, 100);
    await history.windows({ group: "nat", from: 0, to: H }, 100);
    expect(store.calls).toHaveLength(3);
  });

  it("shares one read between concurrent requests, for cold settled hours and for the open edge", async () => {
    const { store, history } = setup([row(10_000, "FR"), row(3 * H, "FR", false)], 100, 1000);
    const q = { group: "nat" as const, from: 0, to: 3 * H + 10_000 };
    const answers = await Promise.all(Array.from({ length: 5 }, () => history.windows(q, 100)));
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(store.calls).toHaveLength(4);
  });

  it("counts stored rows, not merged windows, against the limit, the same with the cache cold or warm", async () => {
    const rows = [row(10_000, "FR", true, 0), row(10_000, "FR", true, 1), row(H + 10_000, "DE", true, 2)];
    const { store, history } = setup(rows);
    const q = { group: "nat" as const, from: 0, to: 2 * H };
    await expect(history.windows(q, 2)).rejects.toThrow(/more than 2 stored window rows/);
    expect(await history.windows(q, 3)).toHaveLength(2);
    const reads = store.calls.length;
    await expect(history.windows(q, 2)).rejects.toThrow(/more than 2 stored window rows/);
    expect(store.calls).toHaveLength(reads);
    expect(await history.windows({ ...q, key: "FR" }, 2)).toHaveLength(1);
    await expect(history.windows({ ...q, key: "FR" }, 1)).rejects.toThrow(/more than 1/);
  });

  it("reads only the key's rows of hours it does not keep, and keeps no partial hour", async () => {
    const { store, history } = setup([row(10_000, "FR"), row(20_000, "DE"), row(3 * H, "FR", false)]);
    const q = { group: "nat" as const, from: 0, to: 3 * H + 10_000, key: "FR" };
    expect((await history.windows(q, 100)).map((w) => w.windowStart)).toEqual([10_000, 3 * H]);
    expect(store.calls.every((c) => c.key === "FR")).toBe(true);
    await history.windows(q, 100);
    expect(store.calls.filter((c) => c.from === 0)).toHaveLength(2);
    await history.windows({ group: "nat", from: 0, to: H }, 100);
    await history.windows(q, 100);
    expect(store.calls.filter((c) => c.from === 0)).toHaveLength(3);
  });

  it("reads at most readConcurrency hours at once and starts no more reads once over the limit", async () => {
    const rows = Array.from({ length: 20 }, (_, h) => row(h * H, "FR"));
    let running = 0;
    let peak = 0;
    const store = new CountingStore(rows);
    const read = store.windowRows.bind(store);
    store.windowRows = async (q, maxRows) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 5));
      running--;
      return read(q, maxRows);
    };
    const history = new WindowHistory(store, {
      settleMs: 0,
      maxCachedWindows: 0,
      liveTtlMs: 0,
      readConcurrency: 3,
      now: () => 30 * H,
    });
    const all = { group: "nat" as const, from: 0, to: 20 * H };
    expect(await history.windows(all, 100)).toHaveLength(20);
    expect(store.calls).toHaveLength(20);
    expect(peak).toBe(3);
    store.calls = [];
    await expect(history.windows(all, 4)).rejects.toThrow(/more than 4/);
    expect(store.calls.length).toBeLessThanOrEqual(5 + 2);
  });

  it("enforces the size limit", async () => {
    const { history } = setup([row(0, "A"), row(10_000, "B"), row(H, "C")]);
    await expect(history.windows({ group: "nat", from: 0, to: 2 * H }, 2)).rejects.toThrow(/more than 2/);
  });
});

describe("WindowHistory after a rebuild", () => {
  it("drops the hours it kept once a newer rebuild finished, and keeps the rebuilt ones", async () => {
    const store = new CountingStore([row(10_000, "FR")]);
    let finished = 0;
    const history = new WindowHistory(store, {
      settleMs: 60_000,
      maxCachedWindows: 100,
      liveTtlMs: 0,
      readConcurrency: 4,
      now: () => 3 * H,
      rebuilds: { lastFinished: async () => finished },
    });
    const q = { group: "nat" as const, from: 0, to: H };
    expect((await history.windows(q, 100))[0]?.count).toBe(1);
    await history.windows(q, 100);
    expect(store.calls).toHaveLength(1);
    // The rebuild replaced the stored row: the kept hour must not answer any more.
    store.rows.splice(0, store.rows.length, { ...row(10_000, "FR"), count: 5 });
    finished = 1_000;
    expect((await history.windows(q, 100))[0]?.count).toBe(5);
    await history.windows(q, 100);
    expect(store.calls).toHaveLength(2);
  });
});
