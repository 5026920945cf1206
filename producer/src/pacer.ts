import { setTimeout as sleep } from "node:timers/promises";

// Keeps a stream on a wall-clock schedule: the fixture source at its recorded spacing (scaled by --speed),
// the synthetic source at its target rate. It sleeps only when ahead by at least `granularityMs`, so high
// rates go out in short bursts instead of one timer per event.
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<unknown>;
}

const realClock: Clock = { now: () => performance.now(), sleep: (ms) => sleep(ms) };

export class Pacer {
  private start: number | null = null;

  constructor(
    private readonly clock: Clock = realClock,
    private readonly granularityMs = 5,
  ) {}

  /** Waits until `offsetMs` after the first call; offsets in the past return at once. */
  async at(offsetMs: number): Promise<void> {
    if (this.start === null) this.start = this.clock.now();
    const ahead = this.start + offsetMs - this.clock.now();
    if (ahead >= this.granularityMs) await this.clock.sleep(ahead);
  }
}

/** "1x", "10x", "0.5x" or a bare number → the factor; throws a clear error for anything else. */
export function parseSpeed(text: string): number {
  const m = /^(\d+(?:\.\d+)?)x?$/i.exec(text.trim());
  const factor = m ? Number(m[1]) : Number.NaN;
  if (!Number.isFinite(factor) || factor <= 0) {
    throw new Error(`--speed must look like 1x or 10x (a positive factor), got ${JSON.stringify(text)}`);
  }
  return factor;
}
