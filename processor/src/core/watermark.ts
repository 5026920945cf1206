/** What the watermark needs to know of a partition. */
export interface PartitionClock {
  /** Largest event time delivered (−∞ before the first). */
  readonly maxEventTime: number;
  readonly idle: boolean;
  /** Processing time of the latest delivery. */
  readonly lastActiveMs: number;
}

/** Bounded out-of-orderness: the partition has seen event time up to max, so nothing before max − L is due. */
export function partitionWatermark(p: PartitionClock, latenessMs: number): number {
  return p.maxEventTime - latenessMs;
}

/** Processing-time idleness: silent for idleTimeoutMs. */
export function isIdle(p: PartitionClock, nowMs: number, idleTimeoutMs: number): boolean {
  return nowMs - p.lastActiveMs >= idleTimeoutMs;
}

/**
 * The smallest partition watermark over the partitions that are not idle, or +∞ when there is
 * none. A partition with no event yet is −∞: it holds everything back until it is idle.
 */
export function minActiveWatermark(parts: readonly PartitionClock[], latenessMs: number): number {
  let wm = Number.POSITIVE_INFINITY;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (p.idle) continue;
    const w = p.maxEventTime - latenessMs;
    if (w < wm) wm = w;
  }
  return wm;
}

/**
 * The processor watermark (contract §4): the minimum over the partitions that are not idle. When
 * all are idle the input has stopped, so event time is taken to move on with processing time from
 * the moment the last one became idle: every open window then closes within W + L of it, while a
 * live producer that pauses and resumes with current event times is not declared late. −∞ while no
 * partition has data.
 */
export function processorWatermark(
  parts: readonly PartitionClock[],
  latenessMs: number,
  idleTimeoutMs: number,
  nowMs: number,
): number {
  const wm = minActiveWatermark(parts, latenessMs);
  if (wm !== Number.POSITIVE_INFINITY) return wm;
  let maxTime = Number.NEGATIVE_INFINITY;
  let lastActive = Number.NEGATIVE_INFINITY;
  for (const p of parts) {
    if (p.maxEventTime > maxTime) maxTime = p.maxEventTime;
    if (p.lastActiveMs > lastActive) lastActive = p.lastActiveMs;
  }
  if (maxTime === Number.NEGATIVE_INFINITY) return maxTime;
  return maxTime - latenessMs + (nowMs - (lastActive + idleTimeoutMs));
}
