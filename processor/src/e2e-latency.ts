import type { ProcessorMetrics } from "./metrics.ts";
import { RecentSample } from "./metrics.ts";

/** Events sampled every publish interval before sampling thins out; and the most ever held. */
const ALWAYS = 32;
const STRIDE = 16;
const MAX_PENDING = 512;

export interface Quantiles {
  p50: number | null;
  p99: number | null;
}

/**
 * End-to-end latency of events, stage by stage: produced (the record's Kafka timestamp, which the producer
 * sets when it creates the record) → processed (aggregated by the core) → window emitted (the update that
 * carries it is sent to the live topic). Events are sampled — every one up to 32 a publish interval, then
 * one in 16, at most 512 — so that measuring costs the hot loop nothing at full speed; the sample is the
 * events' own, so its quantiles are the events'. The update sent carries its oldest sampled event's
 * produced time (`producedAt`): the web tier measures delivery to the browser from it.
 */
export class E2eLatency {
  private pending: number[] = [];
  private seen = 0;
  private readonly processedMs = new RecentSample();
  private readonly emittedMs = new RecentSample();

  constructor(private readonly metrics: ProcessorMetrics) {}

  /** An event aggregated at `now`, produced at `producedAt` (undefined: the broker gave no timestamp). */
  processed(producedAt: number | undefined, now: number): void {
    if (producedAt === undefined || producedAt <= 0) return;
    const n = this.seen++;
    if (this.pending.length >= MAX_PENDING || (this.pending.length >= ALWAYS && n % STRIDE !== 0)) return;
    this.pending.push(producedAt);
    const ms = Math.max(0, now - producedAt);
    this.processedMs.add(ms);
    this.metrics.e2eProcessed.observe(ms / 1000);
  }

  /** The changed windows are sent at `now`: the sampled events are emitted. Returns the oldest's produced time. */
  emitted(now: number): number | null {
    if (this.pending.length === 0) return null;
    let oldest = Number.POSITIVE_INFINITY;
    for (const producedAt of this.pending) {
      const ms = Math.max(0, now - producedAt);
      this.emittedMs.add(ms);
      this.metrics.e2eEmitted.observe(ms / 1000);
      if (producedAt < oldest) oldest = producedAt;
    }
    this.pending = [];
    this.seen = 0;
    return oldest;
  }

  status(): { processed: Quantiles; emitted: Quantiles } {
    const q = (s: RecentSample) => ({ p50: s.quantile(0.5), p99: s.quantile(0.99) });
    return { processed: q(this.processedMs), emitted: q(this.emittedMs) };
  }
}
