import { describe, expect, it } from "vitest";
import { WindowEngine } from "./engine.ts";
import { AddStatus, type CoreConfig, type WindowRow } from "./types.ts";

const base: CoreConfig = { windowSizeMs: 10, allowedLatenessMs: 5, idleTimeoutMs: 100, groupBy: ["nat"] };

function engine(config: Partial<CoreConfig> = {}, partitions = [0], now = 0): WindowEngine {
  const e = new WindowEngine({ ...base, ...config });
  e.assign(
    partitions.map((partition) => ({ partition })),
    now,
  );
  return e;
}

function brief(rows: WindowRow[]): string[] {
  return rows
    .map(
      (r) =>
        `p${r.partition} ${r.windowStart} ${r.group}/${r.key} n=${r.count} s=${r.sum} ${r.min}..${r.max}`,
    )
    .sort();
}

describe("windows", () => {
  it("an event exactly on a boundary belongs to the window it starts", () => {
    const e = engine();
    e.addRecord(0, 10, { nat: "US", age: 1 });
    e.addRecord(0, 9, { nat: "US", age: 2 });
    expect(brief(e.partials())).toEqual([
      "p0 0 all/* n=1 s=2 2..2",
      "p0 0 nat/US n=1 s=2 2..2",
      "p0 10 all/* n=1 s=1 1..1",
      "p0 10 nat/US n=1 s=1 1..1",
    ]);
  });

  it("aggregates count, sum, min, max, avg per group key", () => {
    const e = engine({ groupBy: ["nat", "gender"] });
    e.addRecord(0, 1, { nat: "US", gender: "male", age: 30 });
    e.addRecord(0, 2, { nat: "US", gender: "female", age: 20 });
    e.addRecord(0, 3, { nat: "FR", gender: "female", age: 40 });
    const rows = e.partials();
    const all = rows.find((r) => r.group === "all")!;
    expect(all).toMatchObject({ key: "*", count: 3, sum: 90, min: 20, max: 40, avg: 30, final: false });
    expect(rows.find((r) => r.group === "nat" && r.key === "US")).toMatchObject({ count: 2, avg: 25 });
    expect(rows.find((r) => r.group === "gender" && r.key === "female")).toMatchObject({ count: 2, min: 20 });
    expect(rows).toHaveLength(5);
  });

  it("handles times before 1970", () => {
    const e = engine({ allowedLatenessMs: 20 });
    e.addRecord(0, -1, { nat: "US", age: 1 });
    e.addRecord(0, -10, { nat: "US", age: 2 });
    e.addRecord(0, -11, { nat: "US", age: 3 });
    expect(brief(e.partials().filter((r) => r.group === "all"))).toEqual([
      "p0 -10 all/* n=2 s=3 1..2",
      "p0 -20 all/* n=1 s=3 3..3",
    ]);
  });

  it("survives huge gaps in one partition without growing", () => {
    const e = engine();
    e.addRecord(0, 0, { nat: "US", age: 1 });
    expect(e.addRecord(0, 1e15, { nat: "US", age: 2 })).toBe(AddStatus.Added);
    expect(brief(e.takeFinal())).toEqual(["p0 0 all/* n=1 s=1 1..1", "p0 0 nat/US n=1 s=1 1..1"]);
    expect(e.addRecord(0, -1e15, { nat: "US", age: 2 })).toBe(AddStatus.Late);
    expect(e.status()[0]!.counters.grown).toBe(0);
  });

  it("accepts event times up to ±(2^53 − 1 − W) and rejects the rest as invalid", () => {
    const e = engine();
    const top = Number.MAX_SAFE_INTEGER - 10;
    expect(e.addRecord(0, -top, { nat: "US", age: 1 })).toBe(AddStatus.Added);
    expect(e.addRecord(0, top, { nat: "US", age: 1 })).toBe(AddStatus.Added);
    expect(brief(e.takeFinal())[0]).toContain(`p0 ${-top - 9} all/*`);
    expect(e.partials()[0]).toMatchObject({ windowStart: top - 1, windowEnd: top + 9 });
    for (const t of [top + 1, -top - 1, Number.NaN, Number.POSITIVE_INFINITY, 1.5]) {
      expect(e.addRecord(0, t, { nat: "US", age: 1 })).toBe(AddStatus.Invalid);
    }
    expect(e.addRecord(0, 5, { nat: "US", age: Number.NaN })).toBe(AddStatus.Invalid);
    expect(e.addRecord(0, 5, { age: 3 })).toBe(AddStatus.Invalid);
    expect(e.addRecord(0, 5, { nat: "US", age: "3" })).toBe(AddStatus.Invalid);
    expect(e.totals().invalid).toBe(8);
  });

  it("rejects a configuration it cannot honour", () => {
    expect(() => new WindowEngine({ ...base, windowSlideMs: 3 })).toThrow(/divide/);
    expect(() => new WindowEngine({ ...base, groupBy: [], includeAll: false })).toThrow(/no group/);
    expect(() => new WindowEngine({ ...base, groupBy: ["nat", "nat"] })).toThrow(/distinct/);
    expect(() => new WindowEngine({ ...base, allowedLatenessMs: -1 })).toThrow(/allowedLatenessMs/);
    expect(
      () => new WindowEngine({ ...base, windowSizeMs: 40, windowSlideMs: 10, maxOpenWindows: 2 }),
    ).toThrow(/maxOpenWindows/);
  });
});

describe("lateness", () => {
  it("an event whose window ends exactly at the watermark is late; one ms later it is not", () => {
    const e = engine();
    e.addRecord(0, 15, { nat: "US", age: 1 }); // watermark 10: [0,10) is final
    expect(e.watermarkOf(0)).toBe(10);
    expect(e.addRecord(0, 9, { nat: "US", age: 1 })).toBe(AddStatus.Late);
    expect(e.lastLateWindowEnd).toBe(10);
    expect(e.addRecord(0, 10, { nat: "US", age: 1 })).toBe(AddStatus.Added);
    expect(e.totals()).toMatchObject({ processed: 2, late: 1 });
  });

  it("uses the watermark from the records before the event, not including it", () => {
    const e = engine();
    e.addRecord(0, 14, { nat: "US", age: 1 }); // watermark 9: nothing final
    expect(e.addRecord(0, 30, { nat: "US", age: 1 })).toBe(AddStatus.Added); // now 25
    expect(e.addRecord(0, 19, { nat: "US", age: 1 })).toBe(AddStatus.Late);
  });

  it("hopping: an event misses only its windows that are already final", () => {
    const e = engine({ windowSizeMs: 30, windowSlideMs: 10, allowedLatenessMs: 0, groupBy: [] });
    e.addRecord(0, 35, { age: 1 }); // watermark 35: [0,30) final; [10,40) [20,50) [30,60) open
    expect(brief(e.takeFinal())).toEqual([]);
    expect(e.addRecord(0, 25, { age: 2 })).toBe(AddStatus.AddedPartlyLate);
    expect(brief(e.partials())).toEqual([
      "p0 10 all/* n=2 s=3 1..2",
      "p0 20 all/* n=2 s=3 1..2",
      "p0 30 all/* n=1 s=1 1..1",
    ]);
    e.addRecord(0, 60, { age: 3 }); // watermark 60: everything up to [30,60) final
    expect(e.addRecord(0, 45, { age: 4 })).toBe(AddStatus.AddedPartlyLate); // only [40,70) open
    expect(e.addRecord(0, 29, { age: 5 })).toBe(AddStatus.Late); // [0..30) … [20,50) all final
    expect(e.totals()).toMatchObject({ processed: 4, partlyLate: 2, late: 1 });
  });
});

describe("watermarks across partitions", () => {
  it("an event is late by its own partition's watermark; the processor's is the minimum", () => {
    const e = engine({}, [0, 1]);
    e.addRecord(0, 100, { nat: "US", age: 1 });
    expect(e.watermark()).toBe(Number.NEGATIVE_INFINITY); // partition 1 has nothing yet
    expect(e.watermarkOf(e.slot(0))).toBe(95); // ...which does not hold partition 0's own back
    expect(e.addRecord(0, 55, { nat: "US", age: 2 })).toBe(AddStatus.Late); // [50,60) ends <= 95
    expect(e.lastLateBehindOwnWatermark).toBe(true);
    e.addRecord(1, 40, { nat: "US", age: 1 });
    expect(e.watermark()).toBe(35);
    expect(e.watermarkOf(e.slot(1))).toBe(35);
    expect(e.addRecord(1, 36, { nat: "US", age: 2 })).toBe(AddStatus.Added); // [30,40) open in 1
    expect(e.addRecord(1, 29, { nat: "US", age: 2 })).toBe(AddStatus.Late);
    e.addRecord(1, 200, { nat: "US", age: 1 });
    expect(e.watermark()).toBe(95);
    expect(brief(e.takeFinal()).filter((r) => r.includes("all"))).toEqual([
      "p1 30 all/* n=1 s=2 2..2",
      "p1 40 all/* n=1 s=1 1..1",
    ]);
  });

  it("a partition's own rows are final once its own watermark passes them, whatever the others", () => {
    const e = engine({}, [0, 1]);
    e.addRecord(1, 0, { nat: "US", age: 1 }); // partition 1 holds the processor watermark at −5
    e.addRecord(0, 12, { nat: "US", age: 1 });
    e.addRecord(0, 30, { nat: "US", age: 2 }); // partition 0 at 25: its [10,20) is final
    expect(e.watermark()).toBe(-5);
    expect(brief(e.takeFinal())).toEqual(["p0 10 all/* n=1 s=1 1..1", "p0 10 nat/US n=1 s=1 1..1"]);
  });

  it("an idle partition stops holding the watermark back", () => {
    const e = engine({ idleTimeoutMs: 100 }, [0, 1], 1000);
    e.addRecord(1, 0, { nat: "US", age: 1 });
    e.tick(1050);
    e.addRecord(0, 100, { nat: "US", age: 1 });
    expect(e.watermark()).toBe(-5);
    e.tick(1099);
    expect(e.status().map((s) => s.idle)).toEqual([false, false]);
    e.tick(1100); // partition 1 silent for 100 ms: idle
    expect(e.status().map((s) => s.idle)).toEqual([false, true]);
    expect(e.watermarkOf(e.slot(0))).toBe(95);
    expect(e.watermarkOf(e.slot(1))).toBe(95); // the processor watermark applies to idle ones too
    expect(brief(e.takeFinal())).toContain("p1 0 all/* n=1 s=1 1..1");
    // It wakes up with an event whose window is already final: late (closed while it was idle,
    // though its own watermark, −5, had not passed it), and active again.
    expect(e.addRecord(1, 50, { nat: "US", age: 1 })).toBe(AddStatus.Late);
    expect(e.lastLateBehindOwnWatermark).toBe(false);
    expect(e.status()[1]!.idle).toBe(false);
    expect(e.addRecord(1, 96, { nat: "US", age: 1 })).toBe(AddStatus.Added);
  });

  it("once all partitions are idle, every open window closes within idle timeout + W + L", () => {
    const e = engine({ idleTimeoutMs: 100, windowSizeMs: 10, allowedLatenessMs: 5 }, [0, 1], 0);
    e.addRecord(0, 1_000, { nat: "US", age: 1 });
    e.addRecord(1, 1_009, { nat: "US", age: 1 });
    e.tick(99);
    expect(e.takeFinal()).toEqual([]);
    e.tick(100); // both idle from now: watermark = 1009 − 5 + 0
    expect(e.watermark()).toBe(1_004);
    e.tick(114); // 1009 − 5 + 14 = 1018: [1000,1010) closes (end 1010 <= 1018)
    expect(brief(e.takeFinal())).toEqual([
      "p0 1000 all/* n=1 s=1 1..1",
      "p0 1000 nat/US n=1 s=1 1..1",
      "p1 1000 all/* n=1 s=1 1..1",
      "p1 1000 nat/US n=1 s=1 1..1",
    ]);
    expect(e.partials()).toEqual([]);
    // Live input resumes with later event times: not late.
    expect(e.addRecord(0, 1_050, { nat: "US", age: 1 })).toBe(AddStatus.Added);
  });

  it("input resuming after all partitions were idle gives every partition a fresh idle timeout", () => {
    const e = engine({ idleTimeoutMs: 100 }, [0, 1], 0);
    e.tick(500); // both idle, neither has data yet
    expect(e.addRecord(0, 100, { nat: "US", age: 1 })).toBe(AddStatus.Added);
    expect(e.status().map((s) => s.idle)).toEqual([false, false]);
    expect(e.watermark()).toBe(Number.NEGATIVE_INFINITY); // partition 1 holds it again
    expect(e.addRecord(1, 50, { nat: "US", age: 1 })).toBe(AddStatus.Added); // not closed behind its back
    e.tick(599);
    expect(e.status().map((s) => s.idle)).toEqual([false, false]);
    e.tick(600);
    expect(e.status().map((s) => s.idle)).toEqual([true, true]);
  });

  it("a revoked lagging partition no longer holds the others back", () => {
    const e = engine({}, [0, 1]);
    e.addRecord(0, 100, { nat: "US", age: 1 });
    e.addRecord(1, 10, { nat: "US", age: 1 });
    expect(e.watermark()).toBe(5);
    e.revoke([1]);
    expect(e.assigned()).toEqual([0]);
    expect(e.watermark()).toBe(95);
    expect(() => e.slot(1)).toThrow(/not assigned/);
  });
});

describe("emission", () => {
  it("reports changed open cells once per change, and never a window already final", () => {
    const e = engine();
    e.addRecord(0, 1, { nat: "US", age: 1 });
    e.addRecord(0, 2, { nat: "FR", age: 1 });
    expect(brief(e.takeDirty())).toHaveLength(3);
    expect(e.takeDirty()).toEqual([]);
    e.addRecord(0, 3, { nat: "US", age: 2 });
    expect(brief(e.takeDirty())).toEqual(["p0 0 all/* n=3 s=4 1..2", "p0 0 nat/US n=2 s=3 1..2"]);
    e.addRecord(0, 4, { nat: "US", age: 2 });
    e.addRecord(0, 30, { nat: "US", age: 2 }); // closes [0,10) while it is dirty
    expect(brief(e.takeFinal())).toHaveLength(3);
    expect(brief(e.takeDirty())).toEqual(["p0 30 all/* n=1 s=2 2..2", "p0 30 nat/US n=1 s=2 2..2"]);
  });

  it("keeps the dirty list bounded when nobody drains it", () => {
    const e = engine({ groupBy: [] });
    for (let t = 0; t < 1_000; t += 3) e.addRecord(0, t, { age: 1 });
    const bytes = e.status()[0]!.bytes;
    for (let t = 1_000; t < 300_000; t += 3) e.addRecord(0, t, { age: 1 });
    expect(e.status()[0]!.bytes).toBe(bytes);
  });
});

describe("capacity", () => {
  it("grows the dictionary past its initial size, keeping every value", () => {
    const e = engine({ initialKeys: 1, initialWindows: 1 });
    for (let i = 0; i < 300; i++) e.addRecord(0, i % 7, { nat: `N${i}`, age: i });
    const st = e.status()[0]!;
    expect(st.keys).toBe(301);
    expect(st.counters.grown).toBeGreaterThan(5);
    const rows = e.partials();
    expect(rows.find((r) => r.group === "all")).toMatchObject({ count: 300, sum: (299 * 300) / 2 });
    expect(rows.find((r) => r.key === "N299")).toMatchObject({ count: 1, sum: 299 });
  });

  it("refuses a new key past maxKeys: nothing changes, it is counted, known keys go on", () => {
    const e = engine({ maxKeys: 3, initialKeys: 1 });
    expect(e.addRecord(0, 1, { nat: "A", age: 1 })).toBe(AddStatus.Added);
    expect(e.addRecord(0, 2, { nat: "B", age: 1 })).toBe(AddStatus.Added);
    expect(e.keyId(0, 0, "C")).toBe(-1); // "*", A, B
    expect(e.addRecord(0, 3, { nat: "C", age: 1 })).toBe(AddStatus.Refused);
    expect(e.add(0, 50, 1, Int32Array.of(-1))).toBe(AddStatus.Refused);
    expect(e.status()[0]!).toMatchObject({ maxEventTime: 2, counters: { refused: 2, processed: 2 } });
    expect(e.addRecord(0, 3, { nat: "A", age: 1 })).toBe(AddStatus.Added);
    expect(() => e.add(0, 3, 1, Int32Array.of(7))).toThrow(/unknown/);
  });

  it("bounds the keys of open windows, not of history: 5 000 values pass through 120 slots", () => {
    // 50 new values a window of 10 ms; with L = 5 two windows are open: up to 101 keys with "*".
    const e = engine({ maxKeys: 120, initialKeys: 4, idleTimeoutMs: 1e9 });
    for (let i = 0; i < 5_000; i++) {
      expect(e.addRecord(0, Math.floor(i / 50) * 10, { nat: `N${i}`, age: 1 })).toBe(AddStatus.Added);
      if (i % 500 === 0) e.tick(i); // a tick tidies the dictionary too
    }
    expect(e.status()[0]!.counters.refused).toBe(0);
    e.takeFinal();
    e.tick(5_000);
    const st = e.status()[0]!;
    expect(st.keys).toBe(101); // "*" and the 50 of each of the two windows still open
    // The snapshot holds the open windows' keys only.
    expect(e.snapshot(0, 1n).length).toBeLessThan(101 * (45 + 12) + 200);
  });

  it("gives the storage of a burst of values back once their windows closed", () => {
    const e = engine({ idleTimeoutMs: 1e9 });
    for (let i = 0; i < 5_000; i++) e.addRecord(0, 1, { nat: `N${i}`, age: 1 });
    const burst = e.status()[0]!.bytes;
    e.addRecord(0, 100, { nat: "US", age: 1 }); // [0,10) closes
    e.takeFinal();
    e.tick(1);
    const st = e.status()[0]!;
    expect(st.keys).toBe(2);
    expect(st.bytes).toBeLessThan(burst / 100);
  });

  it("refuses a value past maxKeys of open windows, says why, and takes it once a window closed", () => {
    const e = engine({ maxKeys: 3, allowedLatenessMs: 0 });
    expect(e.addRecord(0, 1, { nat: "A", age: 1 })).toBe(AddStatus.Added);
    expect(e.addRecord(0, 2, { nat: "B", age: 1 })).toBe(AddStatus.Added); // "*", A, B
    expect(e.addRecord(0, 3, { nat: "C", age: 1 })).toBe(AddStatus.Refused);
    expect(e.refusalOf(0)).toBe("keys");
    expect(e.addRecord(0, 15, { nat: "A", age: 1 })).toBe(AddStatus.Added); // [0,10) closes: B unused
    expect(e.addRecord(0, 16, { nat: "C", age: 1 })).toBe(AddStatus.Added);
    expect(e.status()[0]).toMatchObject({ keys: 3, counters: { refused: 1 } });
  });

  it("says which limit refused an event", () => {
    const e = engine({ maxOpenWindows: 2, initialWindows: 2, allowedLatenessMs: 100 });
    e.addRecord(0, 0, { nat: "A", age: 1 });
    e.addRecord(0, 10, { nat: "A", age: 1 });
    expect(e.addRecord(0, 20, { nat: "A", age: 1 })).toBe(AddStatus.Refused);
    expect(e.refusalOf(0)).toBe("windows");
    const c = engine({ maxCells: 8, initialWindows: 4, initialKeys: 2 });
    c.addRecord(0, 0, { nat: "A", age: 1 });
    expect(c.addRecord(0, 0, { nat: "B", age: 1 })).toBe(AddStatus.Refused);
    expect(c.refusalOf(0)).toBe("cells");
  });

  it("grows the ring for a partition's open span, then refuses past maxOpenWindows", () => {
    // L = 100 keeps up to 11 windows of 10 ms open in one partition.
    const e = engine({ maxOpenWindows: 8, initialWindows: 2, allowedLatenessMs: 100 });
    for (let t = 0; t < 80; t += 10) expect(e.addRecord(0, t, { nat: "US", age: 1 })).toBe(AddStatus.Added);
    expect(e.status()[0]).toMatchObject({ openWindows: 8, windowSlots: 8 });
    const before = e.partials();
    expect(e.addRecord(0, 80, { nat: "US", age: 9 })).toBe(AddStatus.Refused);
    expect(e.status()[0]).toMatchObject({ maxEventTime: 70, counters: { refused: 1 } });
    expect(e.partials()).toEqual(before);
  });

  it("a partition running ahead of a lagging one needs no more windows than its own span", () => {
    const e = engine({ initialWindows: 2, maxOpenWindows: 4 }, [0, 1]);
    e.addRecord(1, 0, { nat: "US", age: 1 }); // partition 1 holds the processor watermark at −5
    for (let t = 0; t < 1_000; t += 10)
      expect(e.addRecord(0, t, { nat: "US", age: 1 })).toBe(AddStatus.Added);
    expect(e.status()[0]).toMatchObject({ windowSlots: 2, counters: { refused: 0, grown: 0 } });
  });

  it("makes room by the event's own watermark advance before growing", () => {
    const e = engine({ initialWindows: 2, maxOpenWindows: 2, allowedLatenessMs: 0 });
    e.addRecord(0, 0, { nat: "US", age: 1 });
    expect(e.addRecord(0, 1_000_000, { nat: "US", age: 1 })).toBe(AddStatus.Added);
    expect(e.status()[0]!.counters.grown).toBe(0);
  });
});

describe("batch API", () => {
  it("addBatch equals add() event by event and reports statuses", () => {
    const a = engine({ groupBy: ["nat", "gender"] });
    const b = engine({ groupBy: ["nat", "gender"] });
    const ids = (e: WindowEngine, nat: string, g: string) => [e.keyId(0, 0, nat), e.keyId(0, 1, g)];
    const events: [number, string, string, number][] = [
      [5, "US", "male", 10],
      [30, "FR", "female", 20],
      [2, "US", "female", 30],
      [29, "US", "male", 40],
    ];
    const times = Float64Array.from(events, (e) => e[0]);
    const values = Float64Array.from(events, (e) => e[3]);
    const keys = Int32Array.from(events.flatMap(([, n, g]) => ids(b, n, g)));
    const statuses = new Uint8Array(events.length);
    expect(b.addBatch(0, times, values, keys, events.length, statuses)).toBe(1);
    const single = events.map(([t, n, g, v]) => a.add(0, t, v, ids(a, n, g)));
    expect([...statuses]).toEqual(single);
    expect(single).toEqual([AddStatus.Added, AddStatus.Added, AddStatus.Late, AddStatus.Added]);
    expect(b.partials()).toEqual(a.partials());
    expect(b.takeFinal()).toEqual(a.takeFinal());
    expect(() => b.addBatch(0, times, values, keys, 5)).toThrow(/shorter/);
  });
});
