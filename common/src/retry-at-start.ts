import type { Logger } from "./logger.ts";
import { retry } from "./retry.ts";

export interface RetryAtStartOptions {
  /** How long attempts go on; the last one may end a little after it. */
  timeoutMs: number;
  /** Pause between two attempts. */
  intervalMs?: number;
  log: Pick<Logger, "warn" | "info">;
  now?: () => number;
}

/**
 * A dependency that is not up yet at start (the stack still starting, a container restarted first) is
 * tried again, with a human line each time, until it answers or `timeoutMs` passed: then the error says
 * what was tried, for how long, and the last reason.
 */
export async function retryAtStart<T>(
  what: string,
  attempt: () => Promise<T>,
  { timeoutMs, intervalMs = 2_000, log, now = Date.now }: RetryAtStartOptions,
): Promise<T> {
  const started = now();
  let attempts = 0;
  try {
    const out = await retry(
      () => {
        attempts++;
        return attempt();
      },
      {
        what,
        backoff: { baseMs: intervalMs, maxMs: intervalMs, factor: 1 },
        giveUpAfterMs: timeoutMs,
        now,
        onRetry: ({ attempt: n, err, delayMs }) =>
          log.warn(
            {
              attempt: n,
              err: (err as Error).message,
              retryInMs: delayMs,
              giveUpInS: Math.round((timeoutMs - (now() - started)) / 1000),
            },
            `${what} not reachable yet; retrying`,
          ),
      },
    );
    if (attempts > 1) log.info({ attempts }, `${what} reachable`);
    return out;
  } catch (err) {
    throw new Error(
      `${what} not reachable after ${Math.round((now() - started) / 1000)} s (${attempts} attempts): ${(err as Error).message}`,
      { cause: err },
    );
  }
}
