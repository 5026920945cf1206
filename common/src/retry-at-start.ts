import type { Logger } from "./logger.ts";

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
  for (let n = 1; ; n++) {
    try {
      const out = await attempt();
      if (n > 1) log.info({ attempts: n }, `${what} reachable`);
      return out;
    } catch (err) {
      const reason = (err as Error).message;
      const waited = now() - started;
      if (waited + intervalMs >= timeoutMs) {
        throw new Error(
          `${what} not reachable after ${Math.round(waited / 1000)} s (${n} attempts): ${reason}`,
          { cause: err },
        );
      }
      log.warn(
        {
          attempt: n,
          err: reason,
          retryInMs: intervalMs,
          giveUpInS: Math.round((timeoutMs - waited) / 1000),
        },
        `${what} not reachable yet; retrying`,
      );
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }
}
