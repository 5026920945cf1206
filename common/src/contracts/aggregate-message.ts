import { z } from "zod";

// One message of TOPIC_AGGREGATES (docs/internal-contracts.md): the processor writes it, the web tier's
// live source and the tests read it. Keyed by aggregateKey() so that compaction keeps a row's latest.

/**
 * One field aggregated beside age (AGGREGATE_FIELDS) in a row: over the row's records that had a
 * number for it (count may be below the row's count).
 */
export interface FieldAggregate {
  count: number;
  sum: number;
  min: number;
  max: number;
}

/** A window's aggregate over one source partition, as the topic carries it. */
export interface AggregateMessage {
  windowStart: number;
  windowEnd: number;
  group: string;
  key: string;
  partition: number;
  count: number;
  sumAge: number;
  minAge: number;
  maxAge: number;
  final: boolean;
  /** The extra aggregate fields that counted a value, by name; absent when none is configured. */
  fields?: Record<string, FieldAggregate>;
  /** The processor watermark when the row was sent; null before it has one. */
  watermark: number | null;
  emittedAt: number;
  /**
   * When the oldest sampled event this update carries was produced (its record timestamp): the web tier's
   * end-to-end delivery latency starts there. Null (or absent, from an older processor) when none was sampled.
   */
  producedAt?: number | null;
}

/** The row a reader keeps (the send's watermark and times are dropped). */
export type AggregateRow = Omit<AggregateMessage, "watermark" | "emittedAt" | "producedAt">;

export const aggregateKey = (
  r: Pick<AggregateMessage, "group" | "key" | "windowStart" | "partition">,
): string => `${r.group}|${r.key}|${r.windowStart}|${r.partition}`;

/** A core row's extra fields as the message carries them (avg is derived by readers). */
export function aggregateFieldsOf(
  fields: Readonly<Record<string, FieldAggregate>>,
): Record<string, FieldAggregate> {
  const out: Record<string, FieldAggregate> = {};
  for (const [name, f] of Object.entries(fields))
    out[name] = { count: f.count, sum: f.sum, min: f.min, max: f.max };
  return out;
}

export function encodeAggregateMessage(m: AggregateMessage): { key: string; value: string } {
  return { key: aggregateKey(m), value: JSON.stringify(m) };
}

// Extra fields (watermark, emittedAt) are allowed and dropped; min/max may be null for an empty row.
const AgeBound = z
  .number()
  .int()
  .nullable()
  .transform((v) => v ?? 0);

const AggregateMessageSchema = z.object({
  windowStart: z.number().int(),
  windowEnd: z.number().int(),
  group: z.string().min(1).max(64),
  key: z.string().max(256),
  partition: z.number().int().nonnegative(),
  count: z.number().int().nonnegative(),
  sumAge: z.number().int(),
  minAge: AgeBound,
  maxAge: AgeBound,
  final: z.boolean(),
  fields: z
    .record(
      z.string().min(1).max(64),
      z.object({ count: z.number().int().nonnegative(), sum: z.number(), min: z.number(), max: z.number() }),
    )
    .optional(),
});

export type DecodedAggregate =
  | { kind: "row"; row: AggregateRow; producedAt: number | null }
  | { kind: "tombstone" }
  | { kind: "invalid"; reason: string };

export function decodeAggregateMessage(value: Uint8Array | null | undefined): DecodedAggregate {
  if (!value || value.length === 0) return { kind: "tombstone" };
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(value));
  } catch (e) {
    return { kind: "invalid", reason: `not JSON: ${e instanceof Error ? e.message : String(e)}` };
  }
  const parsed = AggregateMessageSchema.safeParse(json);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    return { kind: "invalid", reason: `${i?.path.join(".") || "value"}: ${i?.message ?? "invalid"}` };
  }
  const producedAt = (json as { producedAt?: unknown }).producedAt;
  return {
    kind: "row",
    row: parsed.data,
    producedAt: typeof producedAt === "number" && Number.isFinite(producedAt) ? producedAt : null,
  };
}
