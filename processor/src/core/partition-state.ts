import { type Limits, WindowRing } from "./ring-buffer.ts";
import { emptyCounters, type WindowRow } from "./types.ts";
import { firstOpenIndex, type WindowSpec } from "./window-spec.ts";

/**
 * One source partition as the engine sees it: its ring of window cells, where it stands in event
 * time (largest event time, applied watermark) and in processing time (last delivery, idleness).
 * Each partition is aggregated on its own, so it moves whole between instances on a rebalance.
 */
export class PartitionState extends WindowRing {
  /** Largest event time delivered, late events included (−∞ before the first). */
  maxEventTime = Number.NEGATIVE_INFINITY;
  /**
   * Watermark applied to this partition: the larger of its own (maxEventTime − L) and the largest
   * processor watermark seen while assigned (which passes the own one only while the partition is
   * idle). Windows ending at or before it are final and gone; an event all of whose windows end at
   * or before it is late.
   */
  floor = Number.NEGATIVE_INFINITY;
  /** Oldest window index that is not final (firstOpenIndex(floor)). */
  openFromK = Number.NEGATIVE_INFINITY;
  /** End of window openFromK: the watermark at which the next window closes. */
  nextCloseEnd = Number.NEGATIVE_INFINITY;
  /** Processing time of the latest delivery (or of the assignment). */
  lastActiveMs = 0;
  idle = false;

  constructor(
    partition: number,
    spec: WindowSpec,
    groups: readonly string[],
    includeAll: boolean,
    limits: Limits,
    nowMs: number,
    extraFields: readonly string[] = [],
  ) {
    super(partition, spec, groups, includeAll, limits, emptyCounters(), extraFields);
    this.lastActiveMs = nowMs;
  }

  /** Raises the applied watermark; windows ending at or before it are appended to `out` as final. */
  applyWatermark(wm: number, out: WindowRow[]): void {
    if (wm <= this.floor) return;
    this.floor = wm;
    if (wm < this.nextCloseEnd) return;
    const k = firstOpenIndex(this.spec, wm);
    this.openFromK = k;
    this.nextCloseEnd = k * this.spec.slideMs + this.spec.sizeMs;
    this.evictBelow(k, out);
  }

  /** Sets the applied watermark of a restored partition (its ring is still empty). */
  restoreFloor(floor: number): void {
    this.floor = floor;
    this.openFromK = firstOpenIndex(this.spec, floor);
    this.nextCloseEnd =
      this.openFromK === Number.NEGATIVE_INFINITY
        ? Number.NEGATIVE_INFINITY
        : this.openFromK * this.spec.slideMs + this.spec.sizeMs;
  }
}
