import pRetry, { AbortError } from "p-retry";

/** An error `permanent` recognized: no attempt will succeed. */
export class PermanentError extends Error {}

export interface RetryOptions {
  /** What is retried, for the log and the errors. */
  what: string;
  log: { warn(fields: object, msg: string): void };
  /** First wait between attempts; it doubles after every failed attempt, up to maxMs. */
  baseMs: number;
  maxMs: number;
  /** Attempts at most; unbounded by default. */
  attempts?: number;
  /** Why an error will recur on every attempt (PermanentError is thrown at once), or null to retry. */
  permanent?: (err: unknown) => string | null;
  /** Once true, a failure after the first is thrown instead of retried (a stop under way). */
  stopping?: () => boolean;
}

/** Runs `fn` until it succeeds, waiting with exponential backoff (p-retry) and logging each failure. */
export function retry<T>(fn: () => Promise<T>, o: RetryOptions): Promise<T> {
  return pRetry(
    async () => {
      try {
        return await fn();
      } catch (err) {
        const reason = o.permanent?.(err) ?? null;
        if (reason !== null) throw new AbortError(new PermanentError(`${o.what}: ${reason}`, { cause: err }));
        // p-retry gives up at once on a TypeError (a bug, to it); whether an error recurs is `permanent`'s call.
        if (err instanceof TypeError) throw new Error(err.message, { cause: err });
        throw err;
      }
    },
    {
      retries: o.attempts === undefined ? Number.POSITIVE_INFINITY : o.attempts - 1,
      factor: 2,
      minTimeout: o.baseMs,
      maxTimeout: o.maxMs,
      shouldRetry: ({ attemptNumber }) => !(attemptNumber > 1 && o.stopping?.()),
      onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
        if (retriesLeft === 0 || (attemptNumber > 1 && o.stopping?.())) return;
        o.log.warn(
          {
            attempt: attemptNumber,
            retryInMs: Math.min(o.maxMs, o.baseMs * 2 ** (attemptNumber - 1)),
            err: error.message,
          },
          `${o.what} failed, retrying`,
        );
      },
    },
  );
}
