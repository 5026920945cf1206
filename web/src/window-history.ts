import { HOUR_MS, hourBucket } from "../../common/src/cassandra-schema.ts";
import { mergeWindowRows } from "./merge-windows.ts";
import { type AggregateStore, ResultTooLargeError, type WindowQuery } from "./ports.ts";
import type { Window } from "./window-types.ts";

/** How long after the live feed changed an hour that hour stays out of the cache. */
const QUIET_MS = 60_000;

export interface WindowHistoryOptions {
  /** An hour bucket is cacheable once it ended this long ago and all its rows are final. */
  settleMs: number;
  /** Upper bound on cached windows over all buckets; the least recently used buckets go first. */
  maxCachedWindows: number;
  /** The open edge (hours not yet settled) is shared between requests for this long. */
  liveTtlMs: number;
  now?: () => number;
}

/**
 * Merged windows for a time range (what GET /api/aggregates answers). History mostly reads settled
 * hours, whose final windows never change again: those are read and merged once per (group, hour)
 * and kept; the open edge is re-read at most once per liveTtlMs, however many requests ask. A window
 * never spans two hour buckets (they are keyed by window start), so merging per bucket is exact.
 */
export class WindowHistory {
  private readonly cache = new Map<string, Window[]>();
  /** Concurrent requests for the same cold hour share one read instead of stampeding Cassandra. */
  private readonly inFlight = new Map<string, Promise<Window[]>>();
  /** When the live feed last changed a window of each hour, for hours changed within QUIET_MS. */
  private readonly touched = new Map<string, number>();
  private cachedWindows = 0;
  private readonly now: () => number;

  constructor(
    private readonly store: AggregateStore,
    private readonly opts: WindowHistoryOptions,
  ) {
    this.now = opts.now ?? Date.now;
  }

  /** Sorted by windowStart, then group, then key; throws ResultTooLargeError past maxRows stored rows. */
  async windows(q: WindowQuery, maxRows: number): Promise<Window[]> {
    const out: Window[] = [];
    const settledBefore = this.now() - this.opts.settleMs;
    const keep = (w: Window) =>
      w.windowStart >= q.from && w.windowStart < q.to && (q.key === undefined || w.key === q.key);
    for (let h = hourBucket(q.from); h <= hourBucket(q.to - 1); h++) {
      const start = h * HOUR_MS;
      if (start + HOUR_MS <= settledBefore) {
        for (const w of await this.settledBucket(q.group, h, maxRows)) if (keep(w)) out.push(w);
      } else {
        for (const w of await this.liveBucket(q.group, h, maxRows)) if (keep(w)) out.push(w);
      }
      if (out.length > maxRows)
        throw new ResultTooLargeError(`more than ${maxRows} windows in range; narrow the range or set key`);
    }
    return out;
  }

  /**
   * Forgets cached hours that rows of the live feed just changed: an hour of old event time is
   * still written to when a recording of it is replayed, or when a partition catches up late.
   */
  invalidate(rows: readonly { group: string; windowStart: number }[]): void {
    const now = this.now();
    for (const r of rows) {
      const id = `${r.group}|${hourBucket(r.windowStart)}`;
      this.touched.set(id, now);
      this.inFlight.delete(id);
      const hit = this.cache.get(id);
      if (!hit) continue;
      this.cache.delete(id);
      this.cachedWindows -= hit.length;
    }
    for (const [id, at] of this.touched) if (now - at > QUIET_MS) this.touched.delete(id);
  }

  private readonly live = new Map<string, { at: number; windows: Promise<Window[]> }>();

  private liveBucket(group: WindowQuery["group"], hour: number, maxRows: number): Promise<Window[]> {
    const id = `${group}|${hour}`;
    const now = this.now();
    const hit = this.live.get(id);
    if (hit && now - hit.at < this.opts.liveTtlMs) return hit.windows;
    const start = hour * HOUR_MS;
    const windows = this.store
      .windowRows({ group, from: start, to: start + HOUR_MS }, maxRows)
      .then(mergeWindowRows);
    this.live.set(id, { at: now, windows });
    windows.catch(() => this.live.delete(id));
    for (const [k, v] of this.live) if (now - v.at >= this.opts.liveTtlMs) this.live.delete(k);
    return windows;
  }

  private async settledBucket(group: WindowQuery["group"], hour: number, maxRows: number): Promise<Window[]> {
    const id = `${group}|${hour}`;
    const hit = this.cache.get(id);
    if (hit) {
      this.cache.delete(id);
      this.cache.set(id, hit);
      return hit;
    }
    let pending = this.inFlight.get(id);
    if (!pending) {
      pending = this.readBucket(id, group, hour, maxRows).finally(() => this.inFlight.delete(id));
      this.inFlight.set(id, pending);
    }
    return pending;
  }

  private async readBucket(
    id: string,
    group: WindowQuery["group"],
    hour: number,
    maxRows: number,
  ): Promise<Window[]> {
    const start = hour * HOUR_MS;
    const startedAt = this.now();
    const windows = mergeWindowRows(
      await this.store.windowRows({ group, from: start, to: start + HOUR_MS }, maxRows),
    );
    // An hour the live feed touched recently (or during this read) may still be being written: the
    // feed can announce a row before its Cassandra write lands, so such a read is served, not kept.
    const touchedAt = this.touched.get(id);
    const quiet = touchedAt === undefined || touchedAt < startedAt - QUIET_MS;
    if (quiet && windows.every((w) => w.final) && windows.length <= this.opts.maxCachedWindows) {
      this.cache.set(id, windows);
      this.cachedWindows += windows.length;
      for (const [k, v] of this.cache) {
        if (this.cachedWindows <= this.opts.maxCachedWindows) break;
        this.cache.delete(k);
        this.cachedWindows -= v.length;
      }
    }
    return windows;
  }
}
