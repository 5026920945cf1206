/**
 * How long to wait before the next attempt: the one backoff policy every retry in the repository takes
 * (retry.ts, the write queue, the side producer's full queue, start-up waits, the producer's HTTP client,
 * the registry client's bound, the supervisor's restarts).
 */
export interface Backoff {
  /** Wait before the first retry (before jitter). */
  baseMs: number;
  /** Largest wait (before jitter). */
  maxMs: number;
  /** Growth per failed attempt; 1 waits baseMs every time. Default 2. */
  factor?: number;
  /**
   * none: exactly the exponential wait; equal: uniform in [wait/2, wait), for concurrent retries of one
   * process not to stay in step; full: uniform in [0, wait) (AWS architecture blog, "Exponential Backoff
   * And Jitter"), for many clients of one server. Default none.
   */
  jitter?: "none" | "equal" | "full";
}

/** The wait before retry number `retry` (0 = the first retry, after one failed attempt). */
export function backoffDelay(b: Backoff, retry: number, random: () => number = Math.random): number {
  // Past 2^30 every cap is reached; the bound keeps the product finite.
  const cap = Math.min(b.maxMs, b.baseMs * (b.factor ?? 2) ** Math.min(Math.max(0, retry), 30));
  switch (b.jitter ?? "none") {
    case "none":
      return cap;
    case "equal":
      return cap / 2 + random() * (cap / 2);
    case "full":
      return Math.floor(random() * cap);
  }
}

/** The waits of the first `retries` retries without jitter added up (the longest they can take). */
export function totalBackoff(b: Backoff, retries: number): number {
  let total = 0;
  for (let r = 0; r < retries; r++) total += backoffDelay({ ...b, jitter: "none" }, r);
  return total;
}
