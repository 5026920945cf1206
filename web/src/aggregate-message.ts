import { z } from "zod";
import type { WindowRow } from "./window-types.ts";

// One message of TOPIC_AGGREGATES (docs/internal-contracts.md). Extra fields (watermark, emittedAt)
// are allowed and dropped; min/max may be null for an empty row.
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
});

export type DecodedAggregate =
  | { kind: "row"; row: WindowRow }
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
  return { kind: "row", row: parsed.data };
}
