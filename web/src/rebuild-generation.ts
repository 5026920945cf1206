import type { RebuildLog } from "./ports.ts";

/**
 * When the newest rebuild of the topic finished (docs/rebuild.md), read at most once per ttlMs. A rebuild
 * replaces final rows of hours the history cache keeps for good; a change here tells it to drop them.
 * A failed read keeps the last answer: the cache then stays as it was, the request goes on.
 */
export class RebuildGeneration {
  private cached: { at: number; read: Promise<number> } | undefined;
  private last = 0;

  constructor(
    private readonly log: RebuildLog,
    private readonly topic: string,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  lastFinished(): Promise<number> {
    const now = this.now();
    if (this.cached && now - this.cached.at < this.ttlMs) return this.cached.read;
    const read = this.log.lastRebuildFinished(this.topic).then(
      (v) => {
        this.last = v;
        return v;
      },
      () => this.last,
    );
    this.cached = { at: now, read };
    return read;
  }
}
