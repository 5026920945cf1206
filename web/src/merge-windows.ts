import type { Window, WindowField, WindowRow } from "./window-types.ts";

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
  let fields: Record<string, WindowField> | undefined;
  for (const r of rows) {
    if (r.fields !== undefined) fields = mergeFields(fields ?? {}, r.fields);
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
    ...(fields === undefined ? {} : { fields }),
  };
}

/** Adds one partition's extra fields into the merged ones (sums, min of mins, max of maxes). */
function mergeFields(
  into: Record<string, WindowField>,
  add: NonNullable<WindowRow["fields"]>,
): Record<string, WindowField> {
  for (const [name, f] of Object.entries(add)) {
    if (f.count === 0) continue;
    const m = into[name];
    const count = (m?.count ?? 0) + f.count;
    const sum = (m?.sum ?? 0) + f.sum;
    into[name] = {
      count,
      sum,
      min: Math.min(m?.min ?? Number.POSITIVE_INFINITY, f.min),
      max: Math.max(m?.max ?? Number.NEGATIVE_INFINITY, f.max),
      avg: sum / count,
    };
  }
  return into;
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
