import { z } from "zod";
import type { WindowQuery } from "./ports.ts";

export const MAX_RANGE_MS = 7 * 24 * 3_600_000;

const epochMs = (name: string) =>
  z
    .string({ error: `${name} is required (epoch milliseconds)` })
    .regex(/^\d{1,15}$/, `${name} must be epoch milliseconds (a non-negative integer)`)
    .describe("epoch milliseconds")
    .transform(Number);

export const AggregatesQuerySchema = z
  .object({
    group: z
      .string({ error: "group is required" })
      .describe('"all" or a GROUP_BY field of the processors; GET /api/groups lists them'),
    from: epochMs("from"),
    to: epochMs("to"),
    key: z
      .string()
      .min(1, "key must not be empty")
      .max(100, "key is too long")
      .optional()
      .describe("one key of the group-by (a nationality, a gender); all keys when absent"),
  })
  .refine((q) => q.from < q.to, { message: "from must be before to", path: ["from"] })
  .refine((q) => q.to - q.from <= MAX_RANGE_MS, {
    message: `the range may span at most ${MAX_RANGE_MS / 86_400_000} days`,
    path: ["to"],
  });

export type ParsedQuery = { ok: true; query: WindowQuery } | { ok: false; error: string };

/**
 * Validates the /api/aggregates query string once, at the edge, the group against the configured ones;
 * the error names the bad parameter.
 */
export function parseAggregatesQuery(
  params: Record<string, string | undefined>,
  groups: readonly string[],
): ParsedQuery {
  const parsed = AggregatesQuerySchema.safeParse(params);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join(".") || "query";
    return { ok: false, error: `${where}: ${issue?.message ?? "invalid"}` };
  }
  const { group, from, to, key } = parsed.data;
  if (!groups.includes(group)) return { ok: false, error: `group: must be one of ${groups.join(", ")}` };
  return { ok: true, query: key === undefined ? { group, from, to } : { group, from, to, key } };
}
