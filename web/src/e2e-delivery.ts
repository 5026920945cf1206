import type { WebMetrics } from "./metrics.ts";

const SAMPLES = 2048;

export interface Quantiles {
  p50: number | null;
  p99: number | null;
}

/**
 * The last stage of the end-to-end latency: from an update's oldest sampled event being produced to the
 * update reaching the connected browsers' streams (the processor measures the stages before it).
 */
export class DeliveryLatency {
  private readonly values = new Float64Array(SAMPLES);
  private next = 0;
  private filled = 0;

  constructor(private readonly metrics: Pick<WebMetrics, "e2eDelivered">) {}

  delivered(producedAt: number, now: number): void {
    const ms = Math.max(0, now - producedAt);
    this.metrics.e2eDelivered.observe(ms / 1000);
    this.values[this.next] = ms;
    this.next = (this.next + 1) % SAMPLES;
    if (this.filled < SAMPLES) this.filled++;
  }

  quantiles(): Quantiles {
    if (this.filled === 0) return { p50: null, p99: null };
    const sorted = this.values.slice(0, this.filled).sort();
    const at = (q: number) => sorted[Math.min(this.filled - 1, Math.floor(q * this.filled))] ?? null;
    return { p50: at(0.5), p99: at(0.99) };
  }
}
