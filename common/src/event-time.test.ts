import { describe, expect, it } from "vitest";
import { checkEventTime, MAX_STORABLE_TIME_MS } from "./event-time.ts";

const now = Date.UTC(2026, 11, 1);
const skew = 3_600_000;

describe("checkEventTime", () => {
  it("accepts the epoch, the past, now and now + skew", () => {
    for (const t of [0, 1, now - 365 * 86_400_000, now, now + skew])
      expect(checkEventTime(t, now, skew)).toEqual({ ok: true });
  });

  it("refuses one millisecond beyond the skew, naming the setting", () => {
    const r = checkEventTime(now + skew + 1, now, skew);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain("EVENT_TIME_MAX_FUTURE_SKEW_MS");
  });

  it("refuses negatives, fractions, non-finite and unsafe numbers", () => {
    for (const t of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, 9e15]) {
      expect(checkEventTime(t, now, skew).ok).toBe(false);
    }
  });

  it("never accepts what Cassandra's hour bucket or a JS date cannot hold, whatever the skew", () => {
    expect(checkEventTime(MAX_STORABLE_TIME_MS + 1, now, Number.MAX_SAFE_INTEGER).ok).toBe(false);
    expect(Number.isNaN(new Date(MAX_STORABLE_TIME_MS).getTime())).toBe(false);
    expect(Math.floor(MAX_STORABLE_TIME_MS / 3_600_000)).toBeLessThanOrEqual(2_147_483_647);
  });
});
