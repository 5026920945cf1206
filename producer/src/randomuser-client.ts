import type { Backoff } from "../../common/src/backoff.ts";
import { parseJson } from "../../common/src/json-syntax.ts";
import { redactSecrets } from "../../common/src/redact-secrets.ts";
import { PermanentError, retry } from "../../common/src/retry.ts";
import { describeIssues, RandomUserPageSchema } from "./random-user.ts";
import { parseRetryAfter } from "./retry-after.ts";

export interface FetchUsersOptions {
  /** The API base, e.g. https://randomuser.me/api/ (RANDOMUSER_URL). */
  url: string;
  results: number;
  /** Per attempt, headers and body included. */
  timeoutMs?: number;
  maxAttempts?: number;
  /** Between attempts; full jitter, 250 ms doubling up to 30 s by default. */
  backoff?: Partial<Backoff>;
  /**
   * The longest Retry-After (429 or 503) waited before retrying. A longer one fails the fetch at once, with
   * `retryAt` set, rather than calling the server before it allows. Default RANDOMUSER_MAX_RETRY_AFTER_MS's.
   */
  maxRetryAfterMs?: number;
  signal?: AbortSignal;
  onRetry?: (info: { attempt: number; delayMs: number; reason: string }) => void;
}

export interface FetchedPage {
  users: unknown[];
  attempts: number;
  /** When the page arrived: the event time of its users (contract §2). */
  receivedAt: number;
}

const DEFAULT_MAX_RETRY_AFTER_MS = 300_000;

/** Many producers may call one server: full jitter spreads their retries. */
const DEFAULT_BACKOFF: Backoff = { baseMs: 250, maxMs: 30_000, jitter: "full" };

export class FetchUsersError extends Error {
  constructor(
    message: string,
    readonly attempts: number,
    /** When the server last asked (Retry-After) not to be called before, epoch ms; null when it did not. */
    readonly retryAt: number | null = null,
  ) {
    super(message);
    this.name = "FetchUsersError";
  }
}

type Failure = { ok: false; retry: boolean; reason: string; waitMs?: number };
type Attempt = { ok: true; users: unknown[] } | Failure;

class FailedAttempt extends Error {
  constructor(readonly failure: Failure) {
    super(failure.reason);
  }
}

/**
 * One page of users, retried on what is worth retrying: network errors, timeouts, 408/429/5xx, and bodies
 * that are not a whole JSON page (truncated). A 429 or 503 with Retry-After waits exactly that long, or fails
 * at once when it is longer than `maxRetryAfterMs`; everything else backs off exponentially with jitter.
 * Other 4xx fail at once.
 */
export async function fetchUsers(opts: FetchUsersOptions): Promise<FetchedPage> {
  const maxAttempts = opts.maxAttempts ?? 5;
  const maxRetryAfterMs = opts.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS;
  const url = new URL(opts.url);
  url.searchParams.set("results", String(opts.results));
  const where = `${url.origin}${url.pathname}`;
  const tooLong = (f: Failure) => f.waitMs !== undefined && f.waitMs > maxRetryAfterMs;
  let attempts = 0;
  try {
    const users = await retry(
      async () => {
        attempts++;
        const result = await attemptOnce(url, opts.timeoutMs ?? 10_000, opts.signal);
        if (result.ok) return result.users;
        throw new FailedAttempt(result);
      },
      {
        what: where,
        backoff: { ...DEFAULT_BACKOFF, ...opts.backoff },
        attempts: maxAttempts,
        // Anything but a failed attempt (an abort) is not retried either.
        permanent: (err) =>
          !(err instanceof FailedAttempt) || !err.failure.retry || tooLong(err.failure) ? "final" : null,
        waitFor: (err) => (err as FailedAttempt).failure.waitMs,
        ...(opts.signal ? { signal: opts.signal } : {}),
        onRetry: ({ attempt, delayMs, err }) =>
          opts.onRetry?.({ attempt, delayMs, reason: (err as FailedAttempt).failure.reason }),
      },
    );
    return { users, attempts, receivedAt: Date.now() };
  } catch (err) {
    const last = err instanceof PermanentError ? err.cause : err;
    if (!(last instanceof FailedAttempt)) throw last;
    const { failure } = last;
    if (failure.waitMs !== undefined && tooLong(failure)) {
      const retryAt = Date.now() + failure.waitMs;
      throw new FetchUsersError(
        `${where}: ${failure.reason} asks to wait ${seconds(failure.waitMs)} (Retry-After), longer than the ` +
          `${seconds(maxRetryAfterMs)} this source waits (RANDOMUSER_MAX_RETRY_AFTER_MS); not calling it ` +
          `again before ${new Date(retryAt).toISOString()} (after ${attempts} attempts)`,
        attempts,
        retryAt,
      );
    }
    const retryAt = failure.waitMs === undefined ? null : Date.now() + failure.waitMs;
    throw new FetchUsersError(`${where}: ${failure.reason} (after ${attempts} attempts)`, attempts, retryAt);
  }
}

const seconds = (ms: number) => `${Math.ceil(ms / 1000)} s`;

async function attemptOnce(url: URL, timeoutMs: number, signal: AbortSignal | undefined): Promise<Attempt> {
  const timeout = AbortSignal.timeout(timeoutMs);
  let status: number;
  let body: string;
  let retryAfter: string | null;
  try {
    const res = await fetch(url, {
      signal: signal ? AbortSignal.any([timeout, signal]) : timeout,
      headers: { accept: "application/json" },
    });
    status = res.status;
    retryAfter = res.headers.get("retry-after");
    body = await res.text();
  } catch (err) {
    if (signal?.aborted) throw err;
    const reason = timeout.aborted ? `timed out after ${timeoutMs} ms` : `request failed: ${describe(err)}`;
    return { ok: false, retry: true, reason };
  }
  // Both say "come back later", and either may say when (RFC 9110 §10.2.3).
  if (status === 429 || status === 503) {
    const waitMs = parseRetryAfter(retryAfter);
    return {
      ok: false,
      retry: true,
      reason: status === 429 ? "HTTP 429 Too Many Requests" : "HTTP 503",
      ...(waitMs === null ? {} : { waitMs }),
    };
  }
  if (status >= 500 || status === 408) return { ok: false, retry: true, reason: `HTTP ${status}` };
  if (status !== 200) {
    return { ok: false, retry: false, reason: `HTTP ${status}: ${redactSecrets(body.slice(0, 200))}` };
  }
  // The reason is stored (ingestion_runs.error) and logged: a position, never the body's text.
  const json = parseJson(body);
  if (!json.ok) return { ok: false, retry: true, reason: `body is ${json.reason} (truncated?)` };
  const page = RandomUserPageSchema.safeParse(json.value);
  if (!page.success) {
    return { ok: false, retry: true, reason: `body is not a page of users: ${describeIssues(page.error)}` };
  }
  return { ok: true, users: page.data.results };
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? ` (${err.cause.message})` : "";
  return `${err.message}${cause}`;
}
