/** A heavy query was refused: as many run as allowed and the queue is full, or it waited too long. */
export class GateBusyError extends Error {
  constructor(
    message: string,
    /** Seconds after which trying again makes sense (the Retry-After header). */
    readonly retryAfterSec: number,
  ) {
    super(message);
  }
}

export interface QueryGateOptions {
  /** Queries running at once. */
  concurrency: number;
  /** Queries that may wait for a turn; one more is refused at once. */
  queue: number;
  /** Longest wait for a turn; then the query is refused (the client retries, not the server). */
  maxWaitMs: number;
}

/**
 * Bounds heavy queries (history reads: many Cassandra partitions each) the way a database's thread pool
 * does: a fixed number run, a bounded number wait in order, the rest are refused with a hint when to
 * try again. A flood then costs the store a bounded load and each client a fast, explicit answer.
 */
export class QueryGate {
  private running = 0;
  private readonly waiting: { start: () => void; timer: ReturnType<typeof setTimeout> }[] = [];

  constructor(private readonly opts: QueryGateOptions) {}

  get active(): number {
    return this.running;
  }

  get queued(): number {
    return this.waiting.length;
  }

  async run<T>(query: () => Promise<T>): Promise<T> {
    await this.turn();
    try {
      return await query();
    } finally {
      this.running--;
      this.waiting.shift()?.start();
    }
  }

  private turn(): Promise<void> {
    if (this.running < this.opts.concurrency) {
      this.running++;
      return Promise.resolve();
    }
    if (this.waiting.length >= this.opts.queue) {
      return Promise.reject(
        new GateBusyError(
          `too many history queries at once (${this.opts.concurrency} running, ${this.opts.queue} waiting); try again shortly`,
          1,
        ),
      );
    }
    return new Promise((resolve, reject) => {
      const entry = {
        start: () => {
          clearTimeout(entry.timer);
          this.running++;
          resolve();
        },
        timer: setTimeout(() => {
          this.waiting.splice(this.waiting.indexOf(entry), 1);
          reject(
            new GateBusyError(
              `history queries are backed up: no turn within ${this.opts.maxWaitMs} ms; try again shortly`,
              2,
            ),
          );
        }, this.opts.maxWaitMs),
      };
      this.waiting.push(entry);
    });
  }
}
