import type { Backoff } from "../../common/src/backoff.ts";
import type { Logger } from "../../common/src/logger.ts";
import { PermanentError, RetryAbortedError, retry } from "../../common/src/retry.ts";

export interface WriteQueueOptions {
  /** Writes executing at once. */
  concurrency: number;
  /** Between attempts of one write (jitter "equal" unless it says otherwise). */
  backoff: Backoff;
  log: Logger;
  /** Reports each attempt's duration (successful ones) for the sink latency histogram. */
  observe?: (ms: number) => void;
  random?: () => number;
  /** Why an error will recur on every retry (the write then fails for good), or null to retry it. */
  permanent?: (err: unknown) => string | null;
  /** Called once, with the first write that failed for good. */
  onPermanent?: (err: PermanentWriteError) => void;
  /** Hears of each failed attempt that will be retried (an outage, a timeout). */
  onRetriedAttempt?: (err: unknown) => void;
}

interface Task {
  name: string;
  weight: number;
  run: () => Promise<unknown>;
  done: () => void;
  fail: (err: Error) => void;
}

/** Thrown into the writes still waiting when the queue is closed without draining. */
export class WriteQueueClosedError extends Error {}

/** A write the store refused in a way no retry changes. */
export class PermanentWriteError extends Error {}

/**
 * Idempotent writes run with bounded concurrency and retried with exponential backoff for as long as it
 * takes: an outage stalls them (and, through size(), the consumer) instead of losing them. Each attempt is
 * bounded by the driver's own timeout. An error `permanent` recognizes is not retried: the write fails,
 * onPermanent hears of it, and every later barrier() fails too, so that nothing built on it is checkpointed.
 */
export class WriteQueue {
  private readonly waiting: Task[] = [];
  private running = 0;
  private weight = 0;
  private closed = false;
  private readonly aborted = new AbortController();
  private failures = 0;
  private lastLogged = 0;
  private broken: PermanentWriteError | null = null;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly opts: WriteQueueOptions) {}

  /** Weight (rows) of the writes accepted and not yet durable. */
  size(): number {
    return this.weight;
  }

  /** Attempts that failed since start (each retried). */
  failedAttempts(): number {
    return this.failures;
  }

  /** Queues a write of `weight` rows; resolves once it succeeded, however many attempts that took. */
  submit(name: string, run: () => Promise<unknown>, weight = 1): Promise<void> {
    if (this.closed) return Promise.reject(new WriteQueueClosedError("write queue is closed"));
    this.weight += weight;
    const promise = new Promise<void>((done, fail) => {
      this.waiting.push({ name, weight, run, done, fail });
    });
    this.inFlight.add(promise);
    const forget = () => this.inFlight.delete(promise);
    promise.then(forget, forget);
    this.pump();
    return promise;
  }

  /** Resolves once every write submitted before the call is durable; rejects once one failed for good. */
  async barrier(): Promise<void> {
    await Promise.all([...this.inFlight]);
    if (this.broken) throw this.broken;
  }

  /** Stops retrying: writes not yet durable fail with WriteQueueClosedError. */
  abort(): void {
    this.closed = true;
    this.aborted.abort();
    for (const t of this.waiting.splice(0)) this.settle(t, new WriteQueueClosedError(`${t.name}: aborted`));
  }

  private pump(): void {
    while (this.running < this.opts.concurrency && this.waiting.length > 0) {
      const task = this.waiting.shift()!;
      this.running++;
      void this.execute(task).finally(() => {
        this.running--;
        this.pump();
      });
    }
  }

  private async execute(task: Task): Promise<void> {
    try {
      await retry(
        async () => {
          const started = performance.now();
          try {
            await task.run();
          } catch (err) {
            this.failures++;
            throw err;
          }
          this.opts.observe?.(performance.now() - started);
        },
        {
          what: task.name,
          backoff: { jitter: "equal", ...this.opts.backoff },
          signal: this.aborted.signal,
          ...(this.opts.random ? { random: this.opts.random } : {}),
          ...(this.opts.permanent ? { permanent: this.opts.permanent } : {}),
          onRetry: ({ attempt, err, delayMs }) => {
            this.opts.onRetriedAttempt?.(err);
            const now = Date.now();
            // One line a second is enough to see an outage without flooding the log with every retry.
            if (now - this.lastLogged >= 1000) {
              this.lastLogged = now;
              this.opts.log.warn(
                { write: task.name, attempt, retryInMs: Math.round(delayMs), pending: this.size() },
                `write failed, retrying: ${(err as Error).message}`,
              );
            }
          },
        },
      );
      this.settle(task);
    } catch (err) {
      if (err instanceof PermanentError) {
        const e = new PermanentWriteError(err.message, { cause: err.cause });
        const first = this.broken === null;
        this.broken ??= e;
        this.settle(task, e);
        if (first) this.opts.onPermanent?.(e);
        return;
      }
      const message = err instanceof RetryAbortedError ? err.message : `${task.name}: aborted`;
      this.settle(task, new WriteQueueClosedError(message, { cause: err }));
    }
  }

  /** Its weight leaves size() before its promise settles, so a waiter sees the queue without it. */
  private settle(task: Task, err?: Error): void {
    this.weight -= task.weight;
    if (err) task.fail(err);
    else task.done();
  }
}
