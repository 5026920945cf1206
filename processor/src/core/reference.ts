/**
 * Deliberately simple reference implementations of the window semantics (README.md), written
 * from the definitions with plain objects and BigInt window arithmetic, sharing no code with the
 * engine. Used by the property tests and to compute golden aggregates for fixtures.
 */

export interface RefConfig {
  readonly windowSizeMs: number;
  readonly windowSlideMs?: number;
  readonly allowedLatenessMs: number;
  readonly idleTimeoutMs: number;
  readonly groupBy: readonly string[];
  readonly includeAll?: boolean;
  readonly valueField?: string;
  /** Numeric fields aggregated beside the value, each over the events where it is a finite number. */
  readonly extraFields?: readonly string[];
}

export interface RefEvent {
  readonly partition: number;
  readonly eventTime: number;
  readonly fields: Readonly<Record<string, unknown>>;
}

export interface RefRow {
  readonly windowStart: number;
  readonly windowEnd: number;
  readonly group: string;
  readonly key: string;
  readonly count: number;
  readonly sum: number;
  readonly min: number;
  readonly max: number;
  readonly avg: number;
  /** Each extra field that counted a value (only with extra fields configured). */
  readonly fields?: Readonly<Record<string, RefFieldStats>>;
}

export interface RefFieldStats {
  readonly count: number;
  readonly sum: number;
  readonly min: number;
  readonly max: number;
  readonly avg: number;
}

export interface RefPartitionRow extends RefRow {
  readonly partition: number;
}

export type RefOp =
  | ({ readonly kind: "event" } & RefEvent)
  /** Processing time moves to `now`; idleness is re-evaluated. */
  | { readonly kind: "tick"; readonly now: number }
  /** Every partition is snapshotted and restored at processing time `now` (idle clocks restart). */
  | { readonly kind: "restore"; readonly now: number };

interface Stats {
  count: number;
  sum: number;
  min: number;
  max: number;
}

interface Cell extends Stats {
  start: number;
  group: string;
  key: string;
  /** Present iff the config names extra fields: one entry per field, in its order. */
  extra?: Stats[];
}

/** The windows holding t: every start s = j·S with s <= t < s + W, oldest first. */
export function referenceWindowStarts(t: number, sizeMs: number, slideMs: number): number[] {
  const T = BigInt(t);
  const S = BigInt(slideMs);
  const W = BigInt(sizeMs);
  let q = T / S;
  if (q * S > T) q -= 1n; // BigInt division truncates toward zero
  const starts: number[] = [];
  for (let s = q * S; s + W > T; s -= S) starts.unshift(Number(s));
  return starts;
}

interface EventKeys {
  value: number;
  keys: [string, string][];
  /** Each extra field's value, or undefined where the event has no finite number for it. */
  extras: (number | undefined)[];
}

/** (group, key) pairs an event updates, or undefined when it is not a valid event. */
function groupKeys(config: RefConfig, e: RefEvent): EventKeys | undefined {
  const size = config.windowSizeMs;
  if (!Number.isInteger(e.eventTime) || Math.abs(e.eventTime) > Number.MAX_SAFE_INTEGER - size)
    return undefined;
  const value = e.fields[config.valueField ?? "age"];
  if (typeof value !== "number" || !Number.isFinite(value)) return undefined;
  const keys: [string, string][] = [];
  if (config.includeAll ?? true) keys.push(["all", "*"]);
  for (const dim of config.groupBy) {
    const v = e.fields[dim];
    if (typeof v !== "string" && typeof v !== "number") return undefined;
    keys.push([dim, String(v)]);
  }
  const extras = (config.extraFields ?? []).map((f) => {
    const x = e.fields[f];
    return typeof x === "number" && Number.isFinite(x) ? x : undefined;
  });
  return { value, keys, extras };
}

function slideOf(config: RefConfig): number {
  return config.windowSlideMs ? config.windowSlideMs : config.windowSizeMs;
}

const emptyStats = (): Stats => ({ count: 0, sum: 0, min: Infinity, max: -Infinity });

function include(s: Stats, value: number): void {
  s.count += 1;
  s.sum += value;
  s.min = Math.min(s.min, value);
  s.max = Math.max(s.max, value);
}

function addTo(cells: Map<string, Cell>, start: number, group: string, key: string, e: EventKeys): void {
  const id = JSON.stringify([start, group, key]);
  let c = cells.get(id);
  if (!c) {
    c = { start, group, key, ...emptyStats() };
    if (e.extras.length > 0) c.extra = e.extras.map(emptyStats);
    cells.set(id, c);
  }
  include(c, e.value);
  e.extras.forEach((x, i) => {
    if (x !== undefined) include(c.extra![i]!, x);
  });
}

function toRow(c: Cell, sizeMs: number, extraFields: readonly string[] = []): RefRow {
  const row: RefRow = {
    windowStart: c.start,
    windowEnd: c.start + sizeMs,
    group: c.group,
    key: c.key,
    count: c.count,
    sum: c.sum,
    min: c.min,
    max: c.max,
    avg: c.sum / c.count,
  };
  if (c.extra === undefined) return row;
  const fields: Record<string, RefFieldStats> = {};
  c.extra.forEach((s, i) => {
    if (s.count > 0) fields[extraFields[i]!] = { ...s, avg: s.sum / s.count };
  });
  return { ...row, fields };
}

export function compareRows(a: RefRow & { partition?: number }, b: RefRow & { partition?: number }): number {
  return (
    (a.partition ?? 0) - (b.partition ?? 0) ||
    a.windowStart - b.windowStart ||
    (a.group < b.group ? -1 : a.group > b.group ? 1 : 0) ||
    (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)
  );
}

/** Merges per-partition rows of the same (window, group, key), as the readers of the store do. */
export function sumPartitions(rows: readonly RefRow[]): RefRow[] {
  const merged = new Map<string, RefRow>();
  for (const r of rows) {
    const id = JSON.stringify([r.windowStart, r.group, r.key]);
    const m = merged.get(id);
    const count = (m?.count ?? 0) + r.count;
    const sum = (m?.sum ?? 0) + r.sum;
    const row: RefRow = {
      windowStart: r.windowStart,
      windowEnd: r.windowEnd,
      group: r.group,
      key: r.key,
      count,
      sum,
      min: Math.min(m?.min ?? Infinity, r.min),
      max: Math.max(m?.max ?? -Infinity, r.max),
      avg: sum / count,
    };
    merged.set(id, r.fields === undefined ? row : { ...row, fields: mergeFields(m?.fields ?? {}, r.fields) });
  }
  return [...merged.values()].sort(compareRows);
}

function mergeFields(
  a: Readonly<Record<string, RefFieldStats>>,
  b: Readonly<Record<string, RefFieldStats>>,
): Record<string, RefFieldStats> {
  const out: Record<string, RefFieldStats> = { ...a };
  for (const [name, s] of Object.entries(b)) {
    const m = out[name];
    const count = (m?.count ?? 0) + s.count;
    const sum = (m?.sum ?? 0) + s.sum;
    out[name] = {
      count,
      sum,
      min: Math.min(m?.min ?? Infinity, s.min),
      max: Math.max(m?.max ?? -Infinity, s.max),
      avg: sum / count,
    };
  }
  return out;
}

/**
 * Batch aggregation of every valid event, whatever its order, partition or lateness: what a stream
 * whose disorder is at most L must end up with. Sorted by window start, group, key.
 */
export function batchReference(events: readonly RefEvent[], config: RefConfig): RefRow[] {
  const cells = new Map<string, Cell>();
  for (const e of events) {
    const g = groupKeys(config, e);
    if (!g) continue;
    for (const start of referenceWindowStarts(e.eventTime, config.windowSizeMs, slideOf(config))) {
      for (const [group, key] of g.keys) addTo(cells, start, group, key, g);
    }
  }
  return [...cells.values()].map((c) => toRow(c, config.windowSizeMs, config.extraFields)).sort(compareRows);
}

export interface StreamingResult {
  /** Rows finalized, per source partition, sorted. */
  readonly finals: RefPartitionRow[];
  /** Rows of windows still open at the end, per source partition, sorted. */
  readonly open: RefPartitionRow[];
  /** Indexes (into ops) of the events that were late: none of their windows was open. */
  readonly late: number[];
  /** Indexes of hopping events that missed some, not all, of their windows. */
  readonly partlyLate: number[];
  /** Indexes of invalid events. */
  readonly invalid: number[];
  /** Watermark applied to each partition at the end. */
  readonly watermarks: Map<number, number>;
}

interface RefPartition {
  maxTime: number;
  lastActive: number;
  idle: boolean;
  floor: number;
  cells: Map<string, Cell>;
}

/**
 * Streaming semantics, recomputed from scratch after every operation: per-partition watermark
 * max − L, processor watermark = min over non-idle partitions (or, all idle, event time advancing
 * with processing time); each partition's applied watermark is the largest of its own and of every
 * processor watermark so far, and decides its lateness and finals (contract §4).
 */
export function streamingReference(
  ops: readonly RefOp[],
  config: RefConfig,
  partitions: readonly number[],
  startMs: number,
): StreamingResult {
  const L = config.allowedLatenessMs;
  const W = config.windowSizeMs;
  const S = slideOf(config);
  const parts = new Map<number, RefPartition>();
  for (const p of partitions) {
    parts.set(p, {
      maxTime: -Infinity,
      lastActive: startMs,
      idle: false,
      floor: -Infinity,
      cells: new Map(),
    });
  }
  let now = startMs;
  const finals: RefPartitionRow[] = [];
  const late: number[] = [];
  const partlyLate: number[] = [];
  const invalid: number[] = [];

  const advance = () => {
    const all = [...parts.values()];
    const busy = all.filter((p) => !p.idle);
    let wm: number;
    if (busy.length > 0) wm = Math.min(...busy.map((p) => p.maxTime - L));
    else {
      const maxTime = Math.max(...all.map((p) => p.maxTime));
      const lastActive = Math.max(...all.map((p) => p.lastActive));
      wm = maxTime === -Infinity ? -Infinity : maxTime - L + (now - (lastActive + config.idleTimeoutMs));
    }
    for (const [partition, p] of parts) {
      p.floor = Math.max(p.floor, wm, p.maxTime - L);
      for (const [id, c] of p.cells) {
        if (c.start + W <= p.floor) {
          finals.push({ partition, ...toRow(c, W, config.extraFields) });
          p.cells.delete(id);
        }
      }
    }
  };

  ops.forEach((op, index) => {
    if (op.kind === "tick") {
      now = op.now;
      for (const p of parts.values()) p.idle = now - p.lastActive >= config.idleTimeoutMs;
    } else if (op.kind === "restore") {
      now = op.now;
      for (const p of parts.values()) {
        p.lastActive = now;
        p.idle = false;
      }
    } else {
      const p = parts.get(op.partition);
      if (!p) throw new Error(`partition ${op.partition} not in the run`);
      const g = groupKeys(config, op);
      if (!g) {
        invalid.push(index);
        return;
      }
      const starts = referenceWindowStarts(op.eventTime, W, S);
      const open = starts.filter((s) => s + W > p.floor);
      if (open.length === 0) late.push(index);
      else {
        if (open.length < starts.length) partlyLate.push(index);
        for (const start of open) for (const [group, key] of g.keys) addTo(p.cells, start, group, key, g);
      }
      p.maxTime = Math.max(p.maxTime, op.eventTime);
      // Input resuming after all partitions were idle restarts every idle clock.
      if ([...parts.values()].every((q) => q.idle)) {
        for (const q of parts.values()) {
          q.lastActive = now;
          q.idle = false;
        }
      }
      p.lastActive = now;
      p.idle = false;
    }
    advance();
  });

  const open: RefPartitionRow[] = [];
  for (const [partition, p] of parts)
    for (const c of p.cells.values()) open.push({ partition, ...toRow(c, W, config.extraFields) });
  return {
    finals: finals.sort(compareRows),
    open: open.sort(compareRows),
    late,
    partlyLate,
    invalid,
    watermarks: new Map([...parts].map(([k, p]) => [k, p.floor])),
  };
}
