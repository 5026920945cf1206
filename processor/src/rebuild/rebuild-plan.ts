import { floorDiv } from "../core/index.ts";

// What a rebuild does, decided before anything is read or written (docs/rebuild.md): the range of
// windows, where each partition is read from and up to, or why it cannot be done exactly. Pure.

/** Where `--from` starts the range: an event time, or the event time of the records at given offsets. */
export type FromArg =
  | { kind: "time"; ms: number }
  /** partition null: every partition at that offset. */
  | { kind: "offsets"; offsets: { partition: number | null; offset: number }[] };

/** An instant: ISO 8601 with a zone (2026-01-01T00:00:00Z) or epoch milliseconds. */
export function parseInstant(text: string): number | null {
  const t = text.trim();
  if (/^-?\d+$/.test(t)) {
    const ms = Number(t);
    return Number.isSafeInteger(ms) ? ms : null;
  }
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(t)) return null;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? null : ms;
}

/** `--from`: an instant, `offset:N` (every partition) or `P:N[,P:N...]` (partition P at offset N). */
export function parseFrom(text: string): FromArg | null {
  const t = text.trim();
  const every = /^offset:(\d+)$/.exec(t);
  if (every) return { kind: "offsets", offsets: [{ partition: null, offset: Number(every[1]) }] };
  if (/^\d+:\d+(,\d+:\d+)*$/.test(t)) {
    const offsets = t.split(",").map((pair) => {
      const [p, o] = pair.split(":");
      return { partition: Number(p), offset: Number(o) };
    });
    return new Set(offsets.map((o) => o.partition)).size === offsets.length
      ? { kind: "offsets", offsets }
      : null;
  }
  const ms = parseInstant(t);
  return ms === null ? null : { kind: "time", ms };
}

export interface WindowGeometry {
  sizeMs: number;
  /** Slide (= size for tumbling windows). */
  slideMs: number;
  allowedLatenessMs: number;
}

/** The live processor's checkpoint of a partition, as stored. */
export interface LiveCheckpoint {
  partition: number;
  nextOffset: number;
  watermark: number | null;
}

/** A checkpoint mark: every record before nextOffset has an event time ≤ watermark + L. */
export interface Mark {
  nextOffset: number;
  watermark: number;
}

export class Refusal extends Error {}

const iso = (ms: number) => (Number.isFinite(ms) ? new Date(ms).toISOString() : String(ms));
const ceilTo = (t: number, step: number) => -floorDiv(-t, step) * step;

/**
 * Up to which window end the live processor has finished every partition: the smallest checkpointed
 * watermark (what the API calls final). Refused while a partition has no checkpoint or no watermark.
 */
export function liveHorizon(partitions: number, checkpoints: readonly LiveCheckpoint[]): number {
  let h = Number.POSITIVE_INFINITY;
  for (let p = 0; p < partitions; p++) {
    const cp = checkpoints.find((c) => c.partition === p);
    if (!cp || cp.watermark === null) {
      throw new Refusal(
        `partition ${p} has no checkpointed watermark yet: the live processor has finished no window of it, so there is nothing final to rebuild (start the processor and let it catch up)`,
      );
    }
    h = Math.min(h, cp.watermark);
  }
  return h;
}

export interface Range {
  /** Windows whose start is in [from, to), both on slide boundaries. */
  from: number;
  to: number;
  /** End of the range's last window: once a partition's watermark reaches it, its range windows are final. */
  lastEnd: number;
}

/**
 * The windows to rebuild: from `from` (rounded up to a window start) to `to` (default: as far as the live
 * processor has finished every partition). A window still open in the live run cannot be rebuilt: its
 * rows are not final yet, and the rebuild would freeze them.
 */
export function resolveRange(g: WindowGeometry, from: number, to: number | null, horizon: number): Range {
  const s = g.slideMs;
  // The last window start whose window ends at or before the horizon, plus one slide.
  const bound = floorDiv(horizon - g.sizeMs, s) * s + s;
  const f = ceilTo(from, s);
  const t = to === null ? bound : ceilTo(to, s);
  if (t > bound) {
    throw new Refusal(
      `--to ${iso(to ?? t)} is past what the live processor has finished: every partition's windows are final only up to ${iso(horizon)}, so windows starting at or after ${iso(bound)} are still open (leave out --to, or wait)`,
    );
  }
  if (f >= t) {
    throw new Refusal(`the range [${iso(f)}, ${iso(t)}) holds no window: --from must be before --to`);
  }
  return { from: f, to: t, lastEnd: t - s + g.sizeMs };
}

/**
 * Where to start reading a partition so that its state at the range's first window is the one the live
 * run had: at an offset c before which every record's event time is below `from`. Then no record before
 * c belongs to a range window, and the partition's watermark before c stood below `from` − L, below the
 * end of every range window: from c on, a fresh core decides lateness for them exactly as the live run
 * did (contract §4). Such a c is a checkpoint mark with watermark + L < from (newest first in `marks`),
 * or offset 0 when nothing of the partition was deleted. Refused when that offset is no longer in Kafka.
 */
export function startOffset(
  topic: string,
  partition: number,
  from: number,
  g: WindowGeometry,
  marks: readonly Mark[],
  logStart: number,
  retentionMs: number,
): number {
  const mark = marks.find((m) => m.watermark + g.allowedLatenessMs < from);
  const start = mark ? mark.nextOffset : 0;
  if (start >= logStart) return start;
  const kept = retentionMs < 0 ? "no time limit" : `retention.ms ${retentionMs}`;
  throw new Refusal(
    `the range starting ${iso(from)} is older than what Kafka still holds: partition ${partition} of ${topic} starts at offset ${logStart} now (records before it were deleted; ${kept}), and an exact rebuild must read it from offset ${start}${mark ? ` (the last checkpoint whose watermark + lateness is before the range)` : ""} to decide lateness as the live run did. Nothing was changed. Choose a later --from: one after a checkpoint at or past offset ${logStart}.`,
  );
}

/** The first window start of the range given by offsets: the earliest event time read there. */
export function fromOfEventTimes(g: WindowGeometry, eventTimes: readonly number[]): number {
  if (eventTimes.length === 0) throw new Refusal("no record at the offsets given to --from");
  return floorDiv(Math.min(...eventTimes), g.slideMs) * g.slideMs;
}
