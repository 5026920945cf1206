/**
 * Epoch-aligned tumbling and hopping windows. A window is identified by its index k: it covers
 * [k·S, k·S + W). Tumbling windows are the case S = W. An event at t belongs to the W/S windows
 * k ∈ [floorDiv(t, S) − W/S + 1, floorDiv(t, S)].
 */
export interface WindowSpec {
  readonly sizeMs: number;
  readonly slideMs: number;
  /** W / S: how many windows each event belongs to (1 for tumbling). */
  readonly perEvent: number;
}

/**
 * Largest |event_time| accepted: every window start and end of an accepted event is then a safe
 * integer, so window arithmetic stays exact in float64.
 */
export function maxEventTime(spec: WindowSpec): number {
  return Number.MAX_SAFE_INTEGER - spec.sizeMs;
}

export function windowSpec(sizeMs: number, slideMs = 0): WindowSpec {
  if (!Number.isSafeInteger(sizeMs) || sizeMs <= 0) {
    throw new RangeError(`window size must be a positive integer of ms, got ${sizeMs}`);
  }
  const slide = slideMs === 0 ? sizeMs : slideMs;
  if (!Number.isSafeInteger(slide) || slide <= 0 || slide > sizeMs || sizeMs % slide !== 0) {
    throw new RangeError(`window slide must divide the window size ${sizeMs}, got ${slideMs}`);
  }
  return { sizeMs, slideMs: slide, perEvent: sizeMs / slide };
}

/**
 * floor(t / s) exactly for every safe integer t: the float quotient can round across an integer
 * near 2^53, while the float remainder is always exact, so (t − t mod s) / s is an exact division.
 */
export function floorDiv(t: number, s: number): number {
  const r = t % s;
  const q = (t - r) / s;
  return r < 0 ? q - 1 : q;
}

/** Start of the tumbling window of size `sizeMs` holding t: floor(t / W) · W. */
export function windowStartOf(t: number, sizeMs: number): number {
  return floorDiv(t, sizeMs) * sizeMs;
}

/** Index of the newest window holding t. */
function lastWindowIndex(spec: WindowSpec, t: number): number {
  return floorDiv(t, spec.slideMs);
}

/** Smallest window index whose end is after the watermark, i.e. the oldest window not yet final. */
export function firstOpenIndex(spec: WindowSpec, watermark: number): number {
  if (watermark === Number.NEGATIVE_INFINITY) return Number.NEGATIVE_INFINITY;
  // end(k) = k·S + W > wm  ⇔  k > (wm − W) / S
  return floorDiv(Math.floor(watermark) - spec.sizeMs, spec.slideMs) + 1;
}

/** Starts of every window holding t, oldest first. */
export function windowStartsOf(spec: WindowSpec, t: number): number[] {
  const top = lastWindowIndex(spec, t);
  const out: number[] = [];
  for (let k = top - spec.perEvent + 1; k <= top; k++) out.push(k * spec.slideMs);
  return out;
}
