import { HOUR_MS, hourBucket } from "../../common/src/cassandra-schema.ts";
import { type AggregateStore, ResultTooLargeError, type WindowQuery } from "./ports.ts";
import type { WindowRow } from "./window-types.ts";

export interface CachedAggregateStoreOptions {
  /** An hour bucket is cacheable once it ended this long ago and all its rows are final. */
  settleMs: number;
  /** Upper bound on cached rows over all buckets; the least recently used buckets go first. */
  maxCachedRows: number;
  now?: () => number;
}

/**
 * History queries mostly read settled hours, whose rows never change again (final windows are
 * immutable). Those hour buckets are read whole once and kept; the open edge is always read live.
 */
export class CachedAggregateStore implements AggregateStore {
  private readonly cache = new Map<string, WindowRow[]>();
  private cachedRows = 0;
  private readonly now: () => number;

  constructor(
    private readonly inner: AggregateStore,
    private readonly opts: CachedAggregateStoreOptions,
  ) {
    this.now = opts.now ?? Date.now;
  }

  async windowRows(q: WindowQuery, maxRows: number): Promise<WindowRow[]> {
    const out: WindowRow[] = [];
    const settledBefore = this.now() - this.opts.settleMs;
    for (let h = hourBucket(q.from); h <= hourBucket(q.to - 1); h++) {
      const start = h * HOUR_MS;
      const end = start + HOUR_MS;
      let rows: WindowRow[];
      if (end <= settledBefore) {
        rows = await this.settledBucket(q.group, h, maxRows);
        for (const r of rows)
          if (r.windowStart >= q.from && r.windowStart < q.to && (q.key === undefined || r.key === q.key))
            out.push(r);
      } else {
        const range = { ...q, from: Math.max(q.from, start), to: Math.min(q.to, end) };
        out.push(...(await this.inner.windowRows(range, maxRows - out.length)));
      }
      if (out.length > maxRows)
        throw new ResultTooLargeError(
          `more than ${maxRows} window rows in range; narrow the range or set key`,
        );
    }
    return out;
  }

  private async settledBucket(group: string, hour: number, maxRows: number): Promise<WindowRow[]> {
    const id = `${group}|${hour}`;
    const hit = this.cache.get(id);
    if (hit) {
      this.cache.delete(id);
      this.cache.set(id, hit);
      return hit;
    }
    const start = hour * HOUR_MS;
    const rows = await this.inner.windowRows(
      { group: group as WindowQuery["group"], from: start, to: start + HOUR_MS },
      maxRows,
    );
    if (rows.every((r) => r.final) && rows.length <= this.opts.maxCachedRows) {
      this.cache.set(id, rows);
      this.cachedRows += rows.length;
      for (const [k, v] of this.cache) {
        if (this.cachedRows <= this.opts.maxCachedRows) break;
        this.cache.delete(k);
        this.cachedRows -= v.length;
      }
    }
    return rows;
  }
}
