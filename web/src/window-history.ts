import { LRUCache } from "lru-cache";
import { HOUR_MS, hourBucket } from "../../common/src/cassandra-schema.ts";
import { gateFinal } from "./finality.ts";
import { type MergedWindows, mergeWindowRows } from "./merge-windows.ts";
import { type AggregateStore, ResultTooLargeError, type WindowQuery } from "./ports.ts";
import type { Group, Window } from "./window-types.ts";

/** How long after the live feed changed an hour that hour stays out of the cache. */
const QUIET_MS = 60_000;

export interface WindowHistoryOptions {
  /** An hour bucket is cacheable once it ended this long ago and all its rows are final. */
  settleMs: number;
  /** Upper bound on cached windows over all buckets; the least recently used buckets go first. */
  maxCachedWindows: number;
  /** The open edge (hours not yet settled) is shared between requests for this long. */
  liveTtlMs: number;
  /** Hour buckets one request reads from the store at once. */
  readConcurrency: number;
  /**
   * Up to which window end every partition's rows are durable (CheckpointFinality); a window is
   * answered final only up to there. Without it, a window is final when all its stored rows are.
   */
  finality?: { closedThrough(): Promise<number> };
  /** When the newest rebuild finished (RebuildGeneration): a new one drops every kept hour. */
  rebuilds?: { lastFinished(): Promise<number> };
  now?: () => number;
}

/** Shared reads of one hour bucket, by key ("" = every key). */
type ByKey<T> = Map<string, T>;

/**
 * Merged windows for a time range (what GET /api/aggregates answers). History mostly reads settled
 * hours, whose final windows never change again: those are read whole and merged once per
 * (group, hour) and kept; the open edge is re-read at most once per liveTtlMs, however many requests
 * ask. A query with a key reads only that key's rows of the hours not kept. A window never spans two
 * hour buckets (they are keyed by window start), so merging per bucket is exact.
 */
export class WindowHistory {
  /** Settled hours by `group|hour`, sized by their windows (an empty hour counts one); null: no cache. */
  private readonly cache: LRUCache<string, MergedWindows> | null;
  /** Concurrent requests for the same cold hour share one read instead of stampeding Cassandra. */
  private readonly inFlight = new Map<string, ByKey<Promise<MergedWindows>>>();
  private readonly live = new Map<string, ByKey<{ at: number; read: Promise<MergedWindows> }>>();
  /** When the live feed last changed a window of each hour, for hours changed within QUIET_MS. */
  private readonly touched = new Map<string, number>();
  private readonly now: () => number;
  /** The rebuild generation the kept hours were read under. */
  private generation = 0;

  constructor(
    private readonly store: AggregateStore,
    private readonly opts: WindowHistoryOptions,
  ) {
    this.now = opts.now ?? Date.now;
    this.cache =
      opts.maxCachedWindows > 0
        ? new LRUCache({
            maxSize: opts.maxCachedWindows,
            sizeCalculation: (b) => Math.max(1, b.windows.length),
          })
        : null;
  }

  /**
   * Sorted by windowStart, then group, then key. Throws ResultTooLargeError once the answer covers
   * more than maxRows stored (per-partition) rows, whether they come from the store or the cache.
   */
  async windows(q: WindowQuery, maxRows: number): Promise<Window[]> {
    const closed = this.opts.finality ? await this.opts.finality.closedThrough() : Number.POSITIVE_INFINITY;
    const generation = this.opts.rebuilds ? await this.opts.rebuilds.lastFinished() : 0;
    if (generation !== this.generation) {
      // A rebuild replaced final rows, possibly of hours kept here: those are read again.
      this.generation = generation;
      this.cache?.clear();
      this.inFlight.clear();
    }
    const hours: number[] = [];
    for (let h = hourBucket(q.from); h <= hourBucket(q.to - 1); h++) hours.push(h);
    const parts: Window[][] = hours.map(() => []);
    let rows = 0;
    const take = (i: number, bucket: MergedWindows) => {
      const out = parts[i] ?? [];
      bucket.windows.forEach((w, j) => {
        if (w.windowStart < q.from || w.windowStart >= q.to || (q.key !== undefined && w.key !== q.key))
          return;
        out.push(gateFinal(w, closed));
        rows += bucket.rows[j] ?? 0;
      });
      if (rows > maxRows) throw tooLarge(maxRows);
    };

    const settledBefore = this.now() - this.opts.settleMs;
    const settled = (h: number) => (h + 1) * HOUR_MS <= settledBefore;
    const missing: number[] = [];
    hours.forEach((h, i) => {
      const hit = settled(h) ? this.cached(`${q.group}|${h}`) : undefined;
      if (hit) take(i, hit);
      else missing.push(i);
    });

    let next = 0;
    let stopped = false;
    const worker = async () => {
      try {
        while (!stopped && next < missing.length) {
          const i = missing[next++] as number;
          const h = hours[i] as number;
          take(
            i,
            await (settled(h)
              ? this.settledBucket(q.group, h, q.key, maxRows, closed)
              : this.liveBucket(q.group, h, q.key, maxRows)),
          );
        }
      } catch (err) {
        stopped = true;
        throw err;
      }
    };
    const workers = Math.min(Math.max(1, this.opts.readConcurrency), missing.length);
    await Promise.all(Array.from({ length: workers }, worker));
    return parts.flat();
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
      this.cache?.delete(id);
    }
    for (const [id, at] of this.touched) if (now - at > QUIET_MS) this.touched.delete(id);
  }

  private cached(id: string): MergedWindows | undefined {
    return this.cache?.get(id);
  }

  private read(group: Group, hour: number, key: string | undefined, maxRows: number): Promise<MergedWindows> {
    const from = hour * HOUR_MS;
    const q: WindowQuery =
      key === undefined ? { group, from, to: from + HOUR_MS } : { group, from, to: from + HOUR_MS, key };
    return this.store.windowRows(q, maxRows).then(mergeWindowRows);
  }

  private liveBucket(
    group: Group,
    hour: number,
    key: string | undefined,
    maxRows: number,
  ): Promise<MergedWindows> {
    const id = `${group}|${hour}`;
    const now = this.now();
    const byKey = this.live.get(id) ?? new Map();
    this.live.set(id, byKey);
    const hit = byKey.get(key ?? "");
    if (hit && now - hit.at < this.opts.liveTtlMs) return hit.read;
    const entry = { at: now, read: this.read(group, hour, key, maxRows) };
    byKey.set(key ?? "", entry);
    entry.read.catch(() => {
      if (byKey.get(key ?? "") === entry) byKey.delete(key ?? "");
    });
    for (const [k, m] of this.live) {
      for (const [sub, v] of m) if (now - v.at >= this.opts.liveTtlMs && v !== entry) m.delete(sub);
      if (m.size === 0 && k !== id) this.live.delete(k);
    }
    return entry.read;
  }

  private settledBucket(
    group: Group,
    hour: number,
    key: string | undefined,
    maxRows: number,
    closed: number,
  ): Promise<MergedWindows> {
    const id = `${group}|${hour}`;
    const byKey = this.inFlight.get(id) ?? new Map<string, Promise<MergedWindows>>();
    this.inFlight.set(id, byKey);
    const shared = byKey.get(key ?? "");
    if (shared) return shared;
    const pending = this.readSettled(id, group, hour, key, maxRows, closed).finally(() => {
      if (byKey.get(key ?? "") === pending) byKey.delete(key ?? "");
      if (byKey.size === 0 && this.inFlight.get(id) === byKey) this.inFlight.delete(id);
    });
    byKey.set(key ?? "", pending);
    return pending;
  }

  private async readSettled(
    id: string,
    group: Group,
    hour: number,
    key: string | undefined,
    maxRows: number,
    closed: number,
  ): Promise<MergedWindows> {
    const startedAt = this.now();
    const generation = this.generation;
    const bucket = await this.read(group, hour, key, maxRows);
    // Only whole hours are kept (a key's rows are a part of one). An hour the live feed touched
    // recently (or during this read) may still be being written: the feed can announce a row before
    // its Cassandra write lands, so such a read is served, not kept.
    const touchedAt = this.touched.get(id);
    const quiet = touchedAt === undefined || touchedAt < startedAt - QUIET_MS;
    const { windows } = bucket;
    // lru-cache evicts the least recently used hours to stay within maxCachedWindows, and keeps no
    // hour larger than that bound.
    // A read that began before a rebuild finished may hold the rows it replaced.
    const current = generation === this.generation;
    if (key === undefined && quiet && current && windows.every((w) => w.final && w.windowEnd <= closed))
      this.cache?.set(id, bucket);
    return bucket;
  }
}

function tooLarge(maxRows: number): ResultTooLargeError {
  return new ResultTooLargeError(
    `more than ${maxRows} stored window rows in range; narrow the range or set key`,
  );
}
