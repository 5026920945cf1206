/** What the processor needs to make progress, besides its own loop (Kafka outages pause it, visibly in lag). */
export type Dependency = "schema registry" | "Cassandra";

export interface LivenessOptions {
  /** How long the loop may not turn, or a dependency fail every attempt, before the processor is unhealthy. */
  unhealthyAfterMs: number;
  now?: () => number;
}

interface Outage {
  since: number;
  lastError: string;
}

/**
 * Whether the processor can make progress, for /healthz: fed by a progress signal (each turn of the
 * processing loop) and by the outcome of each attempt to reach a dependency. Healthy again as soon as
 * the loop turns and every dependency answers: unlike a failure, this is not for good.
 */
export class Liveness {
  private lastTurn: number;
  private readonly outages = new Map<Dependency, Outage>();
  private readonly now: () => number;

  constructor(private readonly opts: LivenessOptions) {
    this.now = opts.now ?? Date.now;
    this.lastTurn = this.now();
  }

  /** The processing loop went round once. */
  turned(): void {
    this.lastTurn = this.now();
  }

  /** An attempt reached `dep` (a 404 is an answer too). */
  reached(dep: Dependency): void {
    this.outages.delete(dep);
  }

  /**
   * An attempt to reach `dep`, begun at `startedAt` (a hung one counts from its start, not from its
   * timeout), failed: unreachable, timed out, unavailable.
   */
  missed(dep: Dependency, err: unknown, startedAt = this.now()): void {
    const lastError = err instanceof Error ? err.message : String(err);
    const outage = this.outages.get(dep);
    if (outage) outage.lastError = lastError;
    else this.outages.set(dep, { since: startedAt, lastError });
  }

  /** null while the processor can make progress, else why not. */
  unhealthy(): string | null {
    const now = this.now();
    const bound = this.opts.unhealthyAfterMs;
    for (const [dep, o] of this.outages) {
      if (now - o.since >= bound) {
        return `${dep} unreachable for ${Math.round((now - o.since) / 1000)} s: ${o.lastError}`;
      }
    }
    if (now - this.lastTurn >= bound) {
      return `processing loop stalled: no turn for ${Math.round((now - this.lastTurn) / 1000)} s`;
    }
    return null;
  }
}
