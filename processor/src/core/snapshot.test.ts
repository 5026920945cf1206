import { describe, expect, it } from "vitest";
import { WindowEngine } from "./engine.ts";
import { decodeSnapshotHeader } from "./snapshot.ts";
import { AddStatus, type CoreConfig, type WindowRow } from "./types.ts";

const config: CoreConfig = {
  windowSizeMs: 60,
  windowSlideMs: 20,
  allowedLatenessMs: 30,
  idleTimeoutMs: 1_000,
  groupBy: ["nat", "gender"],
  initialKeys: 2,
  initialWindows: 2,
};

const NATS = ["US", "FR", "Иран", "Ñandú", "d'Arc"];

/** A deterministic disordered stream over two partitions, with some late events. */
function stream(n: number): { partition: number; t: number; nat: string; gender: string; age: number }[] {
  const out = [];
  let t = -5_000;
  for (let i = 0; i < n; i++) {
    t += (i * 7) % 5;
    const jitter = ((i * 31) % 200) - 100;
    out.push({
      partition: i % 3 === 0 ? 1 : 0,
      t: t + jitter,
      nat: NATS[(i * 13) % NATS.length]!,
      gender: i % 2 ? "male" : "female",
      age: (i * 17) % 90,
    });
  }
  return out;
}

function feed(e: WindowEngine, events: ReturnType<typeof stream>): AddStatus[] {
  return events.map((ev) => e.addRecord(ev.partition, ev.t, { nat: ev.nat, gender: ev.gender, age: ev.age }));
}

const sorted = (rows: WindowRow[]) =>
  [...rows].sort(
    (a, b) =>
      a.partition - b.partition ||
      a.windowStart - b.windowStart ||
      a.group.localeCompare(b.group) ||
      a.key.localeCompare(b.key),
  );

/** Each partition's windows in the order their rows came. */
const closingOrder = (rows: WindowRow[]) =>
  [0, 1].map((p) => [...new Set(rows.filter((r) => r.partition === p).map((r) => r.windowStart))]);

describe("snapshot / restore", () => {
  it("restoring mid-stream continues exactly like the uninterrupted run", () => {
    const events = stream(3_000);
    for (const cut of [0, 1, 250, 1_234, 2_999]) {
      const whole = new WindowEngine(config);
      whole.assign([{ partition: 0 }, { partition: 1 }], 0);
      const wholeStatuses = feed(whole, events);
      const wholeFinals = whole.takeFinal();

      const first = new WindowEngine(config);
      first.assign([{ partition: 0 }, { partition: 1 }], 0);
      const statuses = feed(first, events.slice(0, cut));
      const finals = first.takeFinal();
      const snaps = [0, 1].map((partition) => ({
        partition,
        snapshot: first.snapshot(first.slot(partition), 1000n + BigInt(partition)),
      }));
      const second = new WindowEngine(config);
      const assigned = second.assign(snaps, 0);
      expect(assigned.map((a) => a.nextOffset)).toEqual(["1000", "1001"]);
      expect(second.partials()).toEqual(first.partials());
      // Storage sizes may differ (the restored ring is sized to what it holds); the state may not.
      const state = (e: WindowEngine) => e.status().map(({ bytes: _b, windowSlots: _w, ...rest }) => rest);
      expect(state(second)).toEqual(state(first));
      statuses.push(...feed(second, events.slice(cut)));
      finals.push(...second.takeFinal());

      expect(statuses).toEqual(wholeStatuses);
      // A snapshot keeps only the keys of open windows, so later keys may get other ids, and the rows of
      // one window may come in another key order; the rows, and the order windows close in, may not differ.
      expect(sorted(finals)).toEqual(sorted(wholeFinals));
      expect(closingOrder(finals)).toEqual(closingOrder(wholeFinals));
      expect(sorted(second.partials())).toEqual(sorted(whole.partials()));
      const { grown: _g1, ...counters } = second.totals();
      const { grown: _g2, ...wholeCounters } = whole.totals();
      expect(counters).toEqual(wholeCounters);
      expect(wholeStatuses).toContain(AddStatus.Late);
      expect(wholeStatuses).toContain(AddStatus.AddedPartlyLate);
    }
  });

  it("carries the dirty set, so rows changed before the snapshot are still reported after", () => {
    const a = new WindowEngine(config);
    a.assign([{ partition: 3 }], 0);
    a.addRecord(3, 10, { nat: "US", gender: "male", age: 5 });
    const b = new WindowEngine(config);
    b.assign([{ partition: 3, snapshot: a.snapshot(a.slot(3), "7") }], 0);
    expect(b.takeDirty()).toEqual(a.takeDirty());
    expect(b.takeDirty()).toEqual([]);
  });

  it("is compact: about 45 bytes a cell plus the dictionary", () => {
    const e = new WindowEngine({ ...config, windowSlideMs: 0 });
    e.assign([{ partition: 0 }], 0);
    for (let i = 0; i < 100; i++) e.addRecord(0, 1, { nat: `N${i}`, gender: "male", age: i });
    const bytes = e.snapshot(0, 0n).length;
    // 102 keys + "*": 103 cells of 45 bytes, a dictionary of ~10 bytes a key, a fixed header.
    expect(bytes).toBeLessThan(103 * 45 + 103 * 12 + 200);
  });

  it("has a readable header", () => {
    const e = new WindowEngine(config);
    e.assign([{ partition: 5 }], 0);
    e.addRecord(5, 100, { nat: "US", gender: "male", age: 5 });
    const header = decodeSnapshotHeader(e.snapshot(e.slot(5), 123456789012345678901234567890n));
    expect(header).toEqual({
      partition: 5,
      nextOffset: "123456789012345678901234567890",
      maxEventTime: 100,
      watermark: 70,
      windowSizeMs: 60,
      windowSlideMs: 20,
      allowedLatenessMs: 30,
      groups: ["all", "nat", "gender"],
      extraFields: [],
    });
  });

  it("carries extra fields in version 2, leaves snapshots without them at version 1, refuses a change", () => {
    const plainBytes = (() => {
      const e = new WindowEngine(config);
      e.assign([{ partition: 1 }], 0);
      e.addRecord(1, 100, { nat: "US", gender: "male", age: 5 });
      return e.snapshot(e.slot(1), "7");
    })();
    expect(plainBytes[4]).toBe(1);
    const withExtra = { ...config, extraFields: ["years"] };
    const e = new WindowEngine(withExtra);
    e.assign([{ partition: 1 }], 0);
    e.addRecord(1, 100, { nat: "US", gender: "male", age: 5, years: 3 });
    e.addRecord(1, 101, { nat: "US", gender: "female", age: 7 });
    const bytes = e.snapshot(e.slot(1), "7");
    expect(bytes[4]).toBe(2);
    expect(decodeSnapshotHeader(bytes).extraFields).toEqual(["years"]);
    const r = new WindowEngine(withExtra);
    r.assign([{ partition: 1, snapshot: bytes }], 0);
    expect(r.partials()).toEqual(e.partials());
    const all = r.partials().find((row) => row.group === "all" && row.windowStart === 60);
    expect(all?.count).toBe(2);
    expect(all?.fields).toEqual({ years: { count: 1, sum: 3, min: 3, max: 3, avg: 3 } });
    expect(() => new WindowEngine(config).assign([{ partition: 1, snapshot: bytes }], 0)).toThrow(
      /extra fields=years, not this configuration/,
    );
    expect(() => new WindowEngine(withExtra).assign([{ partition: 1, snapshot: plainBytes }], 0)).toThrow(
      /not this configuration/,
    );
  });

  it("restores an empty fresh partition", () => {
    const e = new WindowEngine(config);
    e.assign([{ partition: 0 }], 0);
    const r = new WindowEngine(config);
    r.assign([{ partition: 0, snapshot: e.snapshot(0, "0") }], 0);
    expect(r.status()).toEqual(e.status());
    expect(r.watermark()).toBe(Number.NEGATIVE_INFINITY);
  });

  it("refuses to snapshot while final rows are untaken, and bad offsets", () => {
    const e = new WindowEngine(config);
    e.assign([{ partition: 0 }], 0);
    e.addRecord(0, 0, { nat: "US", gender: "male", age: 5 });
    e.addRecord(0, 1_000, { nat: "US", gender: "male", age: 5 });
    expect(() => e.snapshot(0, 1n)).toThrow(/takeFinal/);
    e.takeFinal();
    expect(() => e.snapshot(0, "-1")).toThrow(/offset/);
    expect(() => e.snapshot(0, "01")).toThrow(/offset/);
    expect(e.snapshot(0, 1n).length).toBeGreaterThan(0);
  });

  it("rejects a snapshot from another configuration, partition, or corrupted bytes", () => {
    const e = new WindowEngine(config);
    e.assign([{ partition: 0 }], 0);
    e.addRecord(0, 5, { nat: "US", gender: "male", age: 5 });
    const snap = e.snapshot(0, 9n);
    const other = new WindowEngine({ ...config, windowSizeMs: 40 });
    expect(() => other.assign([{ partition: 0, snapshot: snap }], 0)).toThrow(/configuration/);
    const regrouped = new WindowEngine({ ...config, groupBy: ["gender", "nat"] });
    expect(() => regrouped.assign([{ partition: 0, snapshot: snap }], 0)).toThrow(/configuration/);
    const same = new WindowEngine(config);
    expect(() => same.assign([{ partition: 1, snapshot: snap }], 0)).toThrow(/partition 0, not 1/);
    expect(() => same.assign([{ partition: 0, snapshot: snap.subarray(0, snap.length - 3) }], 0)).toThrow(
      /truncated/,
    );
    const bad = snap.slice();
    bad[0] = 0;
    expect(() => same.assign([{ partition: 0, snapshot: bad }], 0)).toThrow(/not a window-state snapshot/);
    expect(() => same.assign([{ partition: 0, snapshot: Uint8Array.of(...snap, 0) }], 0)).toThrow(/trailing/);
    expect(same.assigned()).toEqual([]);
  });

  it("brings a snapshot standing behind its own watermark (written before lateness was per partition) up to it", () => {
    const e = new WindowEngine(config);
    e.assign([{ partition: 0 }, { partition: 1 }], 0);
    e.addRecord(0, 10, { nat: "US", gender: "male", age: 5 });
    const snap = e.snapshot(e.slot(0), 1n);
    // Such a snapshot had a max event time far past its applied watermark (a lagging partition held it).
    const f64 = (v: number) => new Uint8Array(Float64Array.of(v).buffer);
    const header = [...f64(10), ...f64(-20)];
    const at = snap.findIndex((_, i) => header.every((b, j) => snap[i + j] === b));
    expect(at).toBeGreaterThan(0);
    const old = snap.slice();
    old.set(f64(1_000), at);
    const r = new WindowEngine(config);
    r.assign([{ partition: 0, snapshot: old }], 0);
    expect(r.watermarkOf(r.slot(0))).toBe(970);
    expect(r.takeFinal().map((row) => row.windowStart)).toEqual([-40, -40, -40, -20, -20, -20, 0, 0, 0]);
    expect(r.addRecord(0, 500, { nat: "US", gender: "male", age: 5 })).toBe(AddStatus.Late);
  });

  it("cannot assign a partition twice", () => {
    const e = new WindowEngine(config);
    e.assign([{ partition: 0 }], 0);
    expect(() => e.assign([{ partition: 0 }], 0)).toThrow(/already assigned/);
  });
});
