import type { Window, WindowRow } from "./window-types.ts";

export function windowId(w: { group: string; key: string; windowStart: number }): string {
  return `${w.group}|${w.key}|${w.windowStart}`;
}

/** Sums count/sumAge and takes min/max over the partitions of one window; final only when every row is. */
export function mergeRows(rows: readonly WindowRow[]): Window {
  const first = rows[0];
  if (!first) throw new Error("mergeRows needs at least one row");
  let count = 0;
  let sumAge = 0;
  let minAge = Number.POSITIVE_INFINITY;
  let maxAge = Number.NEGATIVE_INFINITY;
  let final = true;
  for (const r of rows) {
    count += r.count;
    sumAge += r.sumAge;
    // An empty partition row carries no age information, so it must not drag min/max.
    if (r.count > 0) {
      minAge = Math.min(minAge, r.minAge);
      maxAge = Math.max(maxAge, r.maxAge);
    }
    final &&= r.final;
  }
  return {
    windowStart: first.windowStart,
    windowEnd: first.windowEnd,
    group: first.group,
    key: first.key,
    count,
    sumAge,
    minAge: count > 0 ? minAge : 0,
    maxAge: count > 0 ? maxAge : 0,
    avgAge: count > 0 ? sumAge / count : 0,
    final,
  };
}

/** Merged windows, sorted, each with how many stored (per-partition) rows it merges. */
export interface MergedWindows {
  windows: Window[];
  rows: number[];
}

/** Groups rows by window and merges each group; output sorted by windowStart, then group, then key. */
export function mergeWindowRows(rows: Iterable<WindowRow>): MergedWindows {
  const byWindow = new Map<string, WindowRow[]>();
  for (const r of rows) {
    const id = windowId(r);
    const list = byWindow.get(id);
    if (list) list.push(r);
    else byWindow.set(id, [r]);
  }
  const merged = [...byWindow.values()]
    .map((list) => ({ window: mergeRows(list), rows: list.length }))
    .sort((a, b) => compareWindows(a.window, b.window));
  return { windows: merged.map((m) => m.window), rows: merged.map((m) => m.rows) };
}

function compareWindows(a: Window, b: Window): number {
  return (
    a.windowStart - b.windowStart ||
    (a.group < b.group ? -1 : a.group > b.group ? 1 : 0) ||
    (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)
  );
}
