import { z } from "zod";
import type { ProcessorStatus, ProcessorStatusSource } from "../ports.ts";

const n = z.number();
const count = z.number().int().nonnegative();
export const ProcessorStatusSchema = z.object({
  instance: z.string(),
  group: z.string(),
  assigned: z.array(z.number().int()),
  watermark: n.nullable(),
  partitions: z.array(
    z.object({
      partition: z.number().int(),
      nextOffset: n,
      watermark: n.nullable(),
      idle: z.boolean(),
      openWindows: n.optional(),
      partlyLate: count.optional(),
      refused: count.optional(),
    }),
  ),
  processed: n,
  late: n,
  deadLettered: n,
  eventsPerSec: n,
  sinkLatencyMs: z.object({ p50: n.nullable(), p99: n.nullable() }),
  startedAt: n,
  paused: z.boolean().optional(),
  pendingWrites: n.optional(),
  // Newer fields are optional: an older processor's answer still parses.
  partlyLate: count.optional(),
  refused: count.optional(),
  batchSize: z
    .object({
      last: count.nullable(),
      p50: count.nullable(),
      p99: count.nullable(),
      max: count.nullable(),
      limit: count,
    })
    .optional(),
  failure: z.string().nullable().optional(),
});

/** GET /status of the processor (docs/internal-contracts.md); unreachable or malformed reads as null. */
export class HttpProcessorStatus implements ProcessorStatusSource {
  constructor(
    private readonly url: string,
    private readonly timeoutMs = 1500,
    private readonly onProblem?: (reason: string) => void,
  ) {}

  async status(): Promise<ProcessorStatus | null> {
    let body: unknown;
    try {
      const res = await fetch(this.url, { signal: AbortSignal.timeout(this.timeoutMs) });
      if (!res.ok) return null;
      body = await res.json();
    } catch {
      return null;
    }
    const parsed = ProcessorStatusSchema.safeParse(body);
    if (!parsed.success) {
      const i = parsed.error.issues[0];
      this.onProblem?.(`processor status does not match the contract: ${i?.path.join(".")}: ${i?.message}`);
      return null;
    }
    return parsed.data;
  }
}
