import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  batchReference,
  type RefConfig,
  type RefOp,
  streamingReference,
  sumPartitions,
} from "./reference.ts";
import { runEngine } from "./testing/engine-driver.ts";

const NATS = ["US", "FR", "DE", "IR", "BR", "NZ"];
const GENDERS = ["male", "female"];

const configArb = fc
  .record({
    windowSizeMs: fc.integer({ min: 1, max: 40 }),
    hopDivisor: fc.constantFrom(1, 1, 2, 3, 4),
    allowedLatenessMs: fc.integer({ min: 0, max: 60 }),
    idleTimeoutMs: fc.integer({ min: 1, max: 50 }),
    groupBy: fc.constantFrom<string[]>(["nat", "gender"], ["nat"], ["gender", "nat"], []),
    includeAll: fc.boolean(),
    // More numeric fields beside age (AGGREGATE_FIELDS), each counted where the event has a number.
    extraFields: fc.constantFrom<string[]>([], [], ["score"], ["score", "weight"]),
    initialKeys: fc.constantFrom(1, 2, 64),
    initialWindows: fc.constantFrom(1, 2, 8),
  })
  .map(({ hopDivisor, windowSizeMs, ...rest }) => {
    const size = windowSizeMs * hopDivisor;
    return {
      ...rest,
      windowSizeMs: size,
      windowSlideMs: hopDivisor === 1 ? 0 : windowSizeMs,
      includeAll: rest.includeAll || rest.groupBy.length === 0,
    };
  });

type Step =
  | {
      kind: "event";
      partition: number;
      advance: number;
      jitter: number;
      nat: number;
      gender: number;
      age: number;
      score: number | undefined;
      weight: number | undefined;
    }
  | { kind: "bad"; partition: number; what: number }
  | { kind: "tick"; dt: number }
  | { kind: "restore"; dt: number };

// `unruly` adds invalid events and fractional values (whose sums depend on addition order, so the
// batch comparison, which adds in another order, keeps to integers as ages are).
const stepArb = (partitions: number, maxJitter: number, unruly: boolean): fc.Arbitrary<Step> => {
  const event = fc.record({
    kind: fc.constant("event" as const),
    partition: fc.integer({ min: 0, max: partitions - 1 }),
    advance: fc.oneof(
      { weight: 12, arbitrary: fc.integer({ min: 0, max: 8 }) },
      { weight: 1, arbitrary: fc.integer({ min: 9, max: 3000 }) },
    ),
    jitter: fc.integer({ min: -maxJitter, max: maxJitter }),
    nat: fc.integer({ min: 0, max: NATS.length - 1 }),
    gender: fc.integer({ min: 0, max: 1 }),
    age: unruly
      ? fc.oneof(
          fc.integer({ min: 0, max: 120 }),
          fc.double({ min: -1e6, max: 1e6, noNaN: true }).map((v) => v + 0),
        ) // no −0
      : fc.integer({ min: -5, max: 120 }),
    score: fc.option(fc.integer({ min: -50, max: 5000 }), { freq: 4, nil: undefined }),
    weight: fc.option(fc.integer({ min: 0, max: 200 }), { freq: 3, nil: undefined }),
  });
  const arbs: fc.WeightedArbitrary<Step>[] = [
    { weight: 20, arbitrary: event },
    {
      weight: 2,
      arbitrary: fc.record({ kind: fc.constant("tick" as const), dt: fc.integer({ min: 0, max: 150 }) }),
    },
    {
      weight: 1,
      arbitrary: fc.record({ kind: fc.constant("restore" as const), dt: fc.integer({ min: 0, max: 20 }) }),
    },
  ];
  if (unruly) {
    arbs.push({
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant("bad" as const),
        partition: fc.integer({ min: 0, max: partitions - 1 }),
        what: fc.integer({ min: 0, max: 3 }),
      }),
    });
  }
  return fc.oneof(...arbs);
};

/** Turns generated steps into reference ops: a cursor of event time plus per-event jitter. */
function toOps(steps: Step[], base: number, startMs: number): RefOp[] {
  let cursor = base;
  let now = startMs;
  const ops: RefOp[] = [];
  for (const s of steps) {
    if (s.kind === "event") {
      cursor += s.advance;
      ops.push({
        kind: "event",
        partition: s.partition,
        eventTime: cursor + s.jitter,
        fields: { nat: NATS[s.nat], gender: GENDERS[s.gender], age: s.age, score: s.score, weight: s.weight },
      });
    } else if (s.kind === "bad") {
      const fields =
        s.what === 0
          ? { nat: "US", gender: "male", age: Number.NaN }
          : s.what === 1
            ? { gender: "male", age: 3 }
            : { nat: "US", gender: "male", age: 3 };
      const eventTime = s.what === 2 ? cursor + 0.5 : s.what === 3 ? Number.POSITIVE_INFINITY : cursor;
      ops.push({ kind: "event", partition: s.partition, eventTime, fields });
    } else {
      now += s.dt;
      ops.push({ kind: s.kind, now });
    }
  }
  return ops;
}

const baseArb = fc.oneof(
  fc.integer({ min: -2_000_000, max: 2_000_000 }),
  fc.constantFrom(0, -1, 1_700_000_000_000, -86_400_000),
  // Near the largest accepted event time (2^53 − 1 − W; W <= 160 here, the stream spans < 1e6).
  fc.integer({ min: Number.MAX_SAFE_INTEGER - 2_000_000, max: Number.MAX_SAFE_INTEGER - 1_000_000 }),
  fc.integer({ min: -Number.MAX_SAFE_INTEGER + 1_000_000, max: -Number.MAX_SAFE_INTEGER + 1_200_000 }),
);

/** add() or addBatch(), with or without a live view drained from takeDirty() every few ops. */
const modeArb = fc.record({ batched: fc.boolean(), dirtyEvery: fc.constantFrom(0, 1, 3, 7) });

const scenarioArb = fc
  .record({
    config: configArb,
    partitions: fc.integer({ min: 1, max: 4 }),
    base: baseArb,
    startMs: fc.integer({ min: 0, max: 1_000_000 }),
    mode: modeArb,
  })
  .chain(({ config, partitions, base, startMs, mode }) =>
    fc
      .array(stepArb(partitions, config.allowedLatenessMs + config.windowSizeMs * 2, true), {
        maxLength: 160,
        size: "max",
      })
      .map((steps) => ({ config, partitions, startMs, mode, ops: toOps(steps, base, startMs) })),
  );

function ids(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i * 3 + 1);
}

function remap(ops: RefOp[], n: number): RefOp[] {
  const ps = ids(n);
  return ops.map((op) => (op.kind === "event" ? { ...op, partition: ps[op.partition]! } : op));
}

describe("engine against the streaming reference", () => {
  it("same finals, open windows, late, partly-late and invalid events, watermarks", () => {
    const seen = { late: 0, partlyLate: 0, invalid: 0, restores: 0, grown: 0, idleFinals: 0 };
    fc.assert(
      fc.property(scenarioArb, ({ config, partitions, startMs, mode, ops }) => {
        const ps = ids(partitions);
        const stream = remap(ops, partitions);
        const ref = streamingReference(stream, config, ps, startMs);
        const got = runEngine(stream, config, ps, startMs, mode);
        expect(got.refused).toEqual([]);
        expect(got.late).toEqual(ref.late);
        expect(got.partlyLate).toEqual(ref.partlyLate);
        expect(got.invalid).toEqual(ref.invalid);
        expect(got.finals).toEqual(ref.finals);
        expect(got.open).toEqual(ref.open);
        expect(got.watermarks).toEqual(ref.watermarks);
        const totals = got.engine.totals();
        expect(totals.late).toBe(ref.late.length);
        expect(totals.invalid).toBe(ref.invalid.length);
        seen.late += ref.late.length;
        seen.partlyLate += ref.partlyLate.length;
        seen.invalid += ref.invalid.length;
        seen.restores += stream.filter((op) => op.kind === "restore").length;
        seen.grown += totals.grown;
        seen.idleFinals += got.finals.length > 0 && stream.some((op) => op.kind === "tick") ? 1 : 0;
      }),
      { numRuns: 2000 },
    );
    // The generators must reach every path, or the comparison above proves little.
    for (const [what, n] of Object.entries(seen)) expect(n, what).toBeGreaterThan(100);
  }, 240_000);
});

/** Streams whose disorder is at most L: each event is no older than the max before it minus L. */
const boundedArb = fc
  .record({
    config: configArb,
    partitions: fc.integer({ min: 1, max: 5 }),
    base: baseArb,
    startMs: fc.integer({ min: 0, max: 1_000_000 }),
    mode: modeArb,
  })
  .chain(({ config, partitions, base, startMs, mode }) =>
    fc
      .array(stepArb(partitions, config.allowedLatenessMs, false), { maxLength: 200, size: "max" })
      .map((steps) => {
        // Idleness would legitimately make events late, so only snapshots keep their processing time.
        const kept = steps.filter((s) => s.kind !== "tick");
        const ops = toOps(kept, base, startMs);
        let max = Number.NEGATIVE_INFINITY;
        const bounded = ops.map((op) => {
          if (op.kind !== "event") return op;
          const eventTime = Math.max(op.eventTime, max - config.allowedLatenessMs);
          max = Math.max(max, eventTime);
          return { ...op, eventTime };
        });
        return { config, partitions, startMs, mode, ops: bounded };
      }),
  );

describe("exactly-once effect", () => {
  it("a stream with disorder <= L ends with the batch aggregation of all its events", () => {
    fc.assert(
      fc.property(boundedArb, ({ config, partitions, startMs, mode, ops }) => {
        const ps = ids(partitions);
        const stream = remap(ops, partitions);
        const last = stream.reduce((t, op) => (op.kind === "event" ? t : Math.max(t, op.now)), startMs);
        // Everything idle long enough: every window closes.
        const flushed: RefOp[] = [...stream, { kind: "tick", now: last + 10_000_000 }];
        const got = runEngine(flushed, config, ps, startMs, mode);
        expect(got.late).toEqual([]);
        expect(got.open).toEqual([]);
        const events = stream.flatMap((op) => (op.kind === "event" ? [op] : []));
        expect(sumPartitions(got.finals)).toEqual(batchReference(events, config satisfies RefConfig));
      }),
      { numRuns: 2000 },
    );
  }, 240_000);
});

/**
 * Per-partition event streams with any disorder (so some events are late), a schedule that
 * interleaves them, and snapshot/restore points: no idleness, so nothing but each partition's own
 * records may decide its late events and its rows (contract §4).
 */
const interleavedArb = fc
  .record({
    config: configArb,
    partitions: fc.integer({ min: 1, max: 4 }),
    base: baseArb,
    startMs: fc.integer({ min: 0, max: 1_000_000 }),
  })
  .chain(({ config, partitions, base, startMs }) => {
    const jitter = config.allowedLatenessMs + config.windowSizeMs * 3;
    const event = fc.record({
      advance: fc.integer({ min: 0, max: 12 }),
      jitter: fc.integer({ min: -jitter, max: jitter }),
      nat: fc.integer({ min: 0, max: NATS.length - 1 }),
      gender: fc.integer({ min: 0, max: 1 }),
      age: fc.integer({ min: 0, max: 120 }),
    });
    const stream = fc.array(event, { maxLength: 60 });
    // Two schedules: each entry names the partition whose next event comes, or −1 for a restore.
    const schedule = fc.array(fc.integer({ min: -1, max: partitions - 1 }), { maxLength: 400 });
    return fc.record({
      config: fc.constant(config),
      startMs: fc.constant(startMs),
      base: fc.constant(base),
      streams: fc.array(stream, { minLength: partitions, maxLength: partitions }),
      a: schedule,
      b: schedule,
    });
  });

type Tagged = RefOp & { tag?: string };

/** The ops of `streams` in the order `schedule` picks them (the rest appended per partition). */
function interleave(
  streams: { advance: number; jitter: number; nat: number; gender: number; age: number }[][],
  schedule: number[],
  base: number,
  startMs: number,
): Tagged[] {
  const next = streams.map(() => 0);
  const cursor = streams.map(() => base);
  const ops: Tagged[] = [];
  let now = startMs;
  const take = (p: number) => {
    const e = streams[p]![next[p]!]!;
    cursor[p] = cursor[p]! + e.advance;
    ops.push({
      kind: "event",
      partition: ids(streams.length)[p]!,
      eventTime: cursor[p]! + e.jitter,
      fields: { nat: NATS[e.nat], gender: GENDERS[e.gender], age: e.age },
      tag: `${p}:${next[p]}`,
    });
    next[p]!++;
  };
  for (const s of schedule) {
    if (s < 0) ops.push({ kind: "restore", now: ++now });
    else if (next[s]! < streams[s]!.length) take(s);
  }
  streams.forEach((stream, p) => {
    while (next[p]! < stream.length) take(p);
  });
  ops.push({ kind: "tick", now: now + 10_000_000 });
  return ops;
}

describe("lateness per partition", () => {
  it("depends only on the partition's own records: any interleaving, restores, or the partition alone", () => {
    let late = 0;
    fc.assert(
      fc.property(interleavedArb, ({ config, startMs, base, streams, a, b }) => {
        const ps = ids(streams.length);
        const outcome = (ops: Tagged[], partitions: number[]) => {
          const got = runEngine(ops, config, partitions, startMs);
          expect(got.refused).toEqual([]);
          return {
            late: got.late.map((i) => ops[i]!.tag).sort(),
            partlyLate: got.partlyLate.map((i) => ops[i]!.tag).sort(),
            finals: got.finals,
          };
        };
        const one = outcome(interleave(streams, a, base, startMs), ps);
        expect(outcome(interleave(streams, b, base, startMs), ps)).toEqual(one);
        // A cold start that meets one partition's whole backlog before the others' first record.
        expect(outcome(interleave(streams, [], base, startMs), ps)).toEqual(one);
        late += one.late.length;
        // Each partition alone, in an engine of its own.
        streams.forEach((_, p) => {
          const alone = streams.map((s, q) => (q === p ? s : []));
          const solo = outcome(interleave(alone, a, base, startMs), ps);
          const mine = (tags: (string | undefined)[]) => tags.filter((t) => t?.startsWith(`${p}:`));
          expect(solo.late).toEqual(mine(one.late));
          expect(solo.finals).toEqual(one.finals.filter((r) => r.partition === ps[p]));
        });
      }),
      { numRuns: 500 },
    );
    expect(late).toBeGreaterThan(100);
  });
});

describe("bounded key dictionary", () => {
  it("refuses the same events with or without snapshots and tidying in between; open windows hold the bound", () => {
    const many = Array.from({ length: 40 }, (_, i) => `K${i}`);
    const arb = fc.record({
      maxKeys: fc.integer({ min: 2, max: 12 }),
      windowSizeMs: fc.integer({ min: 1, max: 30 }),
      allowedLatenessMs: fc.integer({ min: 0, max: 40 }),
      events: fc.array(
        fc.record({
          advance: fc.integer({ min: 0, max: 6 }),
          jitter: fc.integer({ min: -30, max: 30 }),
          nat: fc.integer({ min: 0, max: many.length - 1 }),
          gender: fc.integer({ min: 0, max: 1 }),
        }),
        { maxLength: 150 },
      ),
      breaks: fc.array(fc.tuple(fc.nat(), fc.boolean()), { maxLength: 12 }),
    });
    let refused = 0;
    fc.assert(
      fc.property(arb, ({ maxKeys, windowSizeMs, allowedLatenessMs, events, breaks }) => {
        const config = {
          windowSizeMs,
          allowedLatenessMs,
          idleTimeoutMs: 1e12,
          groupBy: ["nat", "gender"],
          maxKeys,
        };
        let t = 1_000;
        const ops: Tagged[] = events.map((e, i) => {
          t += e.advance;
          return {
            kind: "event",
            partition: 0,
            eventTime: t + e.jitter,
            fields: { nat: many[e.nat], gender: GENDERS[e.gender], age: 1 },
            tag: String(i),
          };
        });
        // Ticks (which tidy the dictionary; nothing goes idle) and snapshot/restores at arbitrary points.
        const broken: Tagged[] = [...ops];
        for (const [at, restore] of breaks.sort((a, b) => b[0] - a[0])) {
          broken.splice(at % (ops.length + 1), 0, { kind: restore ? "restore" : "tick", now: 1 });
        }
        const end: Tagged = { kind: "tick", now: 2e12 };
        const outcome = (list: Tagged[]) => {
          const got = runEngine([...list, end], config, [0], 0);
          for (const s of got.engine.status()) expect(s.keys).toBeLessThanOrEqual(maxKeys);
          return {
            refused: got.refused.map((i) => list[i]!.tag),
            late: got.late.map((i) => list[i]!.tag),
            finals: got.finals,
          };
        };
        const plain = outcome(ops);
        expect(outcome(broken)).toEqual(plain);
        refused += plain.refused.length;
      }),
      { numRuns: 1000 },
    );
    expect(refused).toBeGreaterThan(100);
  });
});
