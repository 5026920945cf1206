import { type Backoff, backoffDelay } from "./backoff.ts";

/** An error `permanent` recognized: no attempt will succeed. */
export class PermanentError extends Error {}

/** The retries were cut short by `signal`; `cause` is the last failure, if an attempt had failed. */
export class RetryAbortedError extends Error {}

interface RetryFailure {
  /** The attempt that failed, from 1. */
  attempt: number;
  err: unknown;
  /** The wait before the next attempt. */
  delayMs: number;
}

export interface RetryOptions {
  /** What is retried, for the log and the errors. */
  what: string;
  backoff: Backoff;
  /** Attempts at most; unbounded by default. */
  attempts?: number;
  /** No wait that would end more than this long after the first attempt started is begun. */
  giveUpAfterMs?: number;
  /** Why an error will recur on every attempt (PermanentError is thrown at once), or null to retry. */
  permanent?: (err: unknown) => string | null;
  /** Once true, a failure after the first is thrown instead of retried (a stop under way). */
  stopping?: () => boolean;
  /** Cuts the retries short, a wait under way included: RetryAbortedError. */
  signal?: AbortSignal;
  /** A wait the failure itself asks for (an HTTP Retry-After), instead of the backoff's. */
  waitFor?: (err: unknown) => number | undefined;
  /** Hears of each failure that will be retried; without it, `log` gets a line each. */
  onRetry?: (f: RetryFailure) => void;
  log?: { warn(fields: object, msg: string): void };
  random?: () => number;
  now?: () => number;
}

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * Runs `fn` until it succeeds, waiting between attempts as the backoff policy says. Hand-written rather
 * than on p-retry: p-retry computes its own waits (no equal or full jitter, no wait the failure asks
 * for), which the write queue, the producer's HTTP client and the start-up waits need.
 */
export async function retry<T>(fn: (attempt: number) => Promise<T>, o: RetryOptions): Promise<T> {
  const now = o.now ?? Date.now;
  const started = now();
  for (let attempt = 1; ; attempt++) {
    o.signal?.throwIfAborted();
    try {
      return await fn(attempt);
    } catch (err) {
      const reason = o.permanent?.(err) ?? null;
      if (reason !== null) throw new PermanentError(`${o.what}: ${reason}`, { cause: err });
      if (o.signal?.aborted) {
        throw new RetryAbortedError(`${o.what}: aborted after ${messageOf(err)}`, { cause: err });
      }
      if (attempt === o.attempts || (attempt > 1 && o.stopping?.())) throw err;
      const delayMs = o.waitFor?.(err) ?? backoffDelay(o.backoff, attempt - 1, o.random);
      if (o.giveUpAfterMs !== undefined && now() - started + delayMs >= o.giveUpAfterMs) throw err;
      if (o.onRetry) o.onRetry({ attempt, err, delayMs });
      else o.log?.warn({ attempt, retryInMs: delayMs, err: messageOf(err) }, `${o.what} failed, retrying`);
      await wait(delayMs, o.signal, o.what);
    }
  }
}

function wait(ms: number, signal: AbortSignal | undefined, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal === undefined) {
      setTimeout(resolve, ms);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(new RetryAbortedError(`${what}: aborted`));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
