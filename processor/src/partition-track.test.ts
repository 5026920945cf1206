import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Admit, admit, applied, newTrack, positioned, type Track } from "./partition-track.ts";

/** A track restored from a checkpoint at `next`, positioned by its assignment at generation `gen`. */
function restored(next: number, gen: number): Track {
  const t = newTrack(0, 0, next, true);
  positioned(t, gen, false);
  return t;
}

describe("admit", () => {
  it("drops a stale batch's messages after a re-assignment from an older checkpoint, and asks for a seek", () => {
    // The batch was consumed (generation 3) before the rebalance restored the partition at 100 (generation
    // 5); it holds offsets from the previous owner's fetch, beyond 100.
    const t = restored(100, 5);
    expect(admit(t, 150, 3)).toBe(Admit.Resync);
    // Even one that happens to be the next offset: the batch may be missing what follows it.
    expect(admit(t, 100, 3)).toBe(Admit.Resync);
    expect(admit(t, 99, 3)).toBe(Admit.Skip);
  });

  it("applies contiguous records of a batch taken after the positioning", () => {
    const t = restored(100, 5);
    expect(admit(t, 100, 5)).toBe(Admit.Apply);
    applied(t, 100);
    expect(admit(t, 101, 6)).toBe(Admit.Apply);
    applied(t, 101);
    expect(t.nextOffset).toBe(102);
    expect(t.changed).toBe(true);
    // Past the first record, a gap is the log's (compaction, transaction markers).
    expect(admit(t, 105, 6)).toBe(Admit.Apply);
  });

  it("after a positioning, refuses a first record beyond nextOffset until a seek confirms the gap", () => {
    const t = restored(100, 5);
    expect(admit(t, 130, 5)).toBe(Admit.Resync);
    t.resync = true;
    expect(admit(t, 131, 5)).toBe(Admit.Skip);
    positioned(t, 6, true);
    expect(t.resync).toBe(false);
    // The broker, asked for 100 again, starts at 130: 100..129 are gone (retention).
    expect(admit(t, 130, 6)).toBe(Admit.ApplyAfterGap);
  });

  it("skips what is not this assignment's to apply", () => {
    expect(admit(undefined, 5, 9)).toBe(Admit.Skip);
    const t = restored(10, 5);
    expect(admit(t, 9, 5)).toBe(Admit.Skip);
    t.revoking = true;
    expect(admit(t, 10, 5)).toBe(Admit.Skip);
    // Assigned in the processor, not yet in the consumer: its fetch will start at nextOffset.
    const pending = newTrack(1, 1, 10, true);
    expect(admit(pending, 10, 5)).toBe(Admit.Skip);
  });

  it("starts a partition without a checkpoint at the first offset the log has", () => {
    const t = newTrack(0, 0, 0, false);
    positioned(t, 1, false);
    expect(admit(t, 37, 1)).toBe(Admit.ApplyAfterGap);
  });

  // A consumer over a log without gaps. The loop consumes one batch at a time; a rebalance may complete
  // while a batch waits (restoring an older checkpoint), or while the consume call itself is under way (its
  // batch then holds records of the new position); seeks happen between batches, when asked. Whatever the
  // order, every record applied is exactly the next one of the state, and the state keeps advancing.
  it("never applies a record out of sequence, and always catches up", () => {
    type Cmd =
      | { kind: "batch"; n: number }
      | { kind: "rebalanceDuringWait"; n: number; back: number }
      | { kind: "rebalanceDuringConsume"; n: number; back: number }
      | { kind: "rebalance"; back: number };
    const n = fc.integer({ min: 1, max: 20 });
    const back = fc.integer({ min: 0, max: 30 });
    const cmd: fc.Arbitrary<Cmd> = fc.oneof(
      fc.record({ kind: fc.constant("batch" as const), n }),
      fc.record({ kind: fc.constant("rebalanceDuringWait" as const), n, back }),
      fc.record({ kind: fc.constant("rebalanceDuringConsume" as const), n, back }),
      fc.record({ kind: fc.constant("rebalance" as const), back }),
    );
    fc.assert(
      fc.property(fc.array(cmd, { maxLength: 60 }), (cmds) => {
        let gen = 1;
        let t = restored(0, gen);
        let position = 0;
        const fetch = (count: number, at = gen) => {
          const offsets: number[] = [];
          for (let i = 0; i < count; i++) offsets.push(position++);
          return { gen: at, offsets };
        };
        // Restored from a checkpoint at or before where the state was.
        const rebalance = (b: number) => {
          t = restored(Math.max(0, t.nextOffset - b), ++gen);
          position = t.nextOffset;
        };
        const process = (batch: { gen: number; offsets: number[] }) => {
          for (const o of batch.offsets) {
            const v = admit(t, o, batch.gen);
            if (v === Admit.Resync) t.resync = true;
            else if (v === Admit.Apply || v === Admit.ApplyAfterGap) {
              expect(o).toBe(t.nextOffset);
              applied(t, o);
            }
          }
          if (t.resync) {
            position = t.nextOffset;
            positioned(t, ++gen, true);
          }
        };
        for (const c of cmds) {
          if (c.kind === "batch") process(fetch(c.n));
          else if (c.kind === "rebalance") rebalance(c.back);
          else if (c.kind === "rebalanceDuringWait") {
            const batch = fetch(c.n);
            rebalance(c.back);
            process(batch);
          } else {
            const at = gen;
            rebalance(c.back);
            process(fetch(c.n, at));
          }
        }
        const before = t.nextOffset;
        process(fetch(5));
        process(fetch(5));
        expect(t.nextOffset).toBeGreaterThan(before);
      }),
      { numRuns: 1_000 },
    );
  });
});
