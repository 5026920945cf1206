import { z } from "zod";

// The dead-letter message of docs/internal-contracts.md, built and read in one place so the producer and
// the processor cannot drift apart.
export const DeadLetterStageSchema = z.enum(["map", "schema", "parse", "decode"]);
export type DeadLetterStage = z.infer<typeof DeadLetterStageSchema>;

export const DeadLetterSchema = z.object({
  reason: z.string(),
  stage: DeadLetterStageSchema,
  source: z.string(),
  line: z.number().int().positive().optional(),
  payload: z.string(),
  at: z.number().int(),
});
export type DeadLetter = z.infer<typeof DeadLetterSchema>;

export interface DeadLetterMessage {
  key: string | null;
  value: Buffer;
}

const SECRET_KEYS = ["password", "salt", "md5", "sha1", "sha256"] as const;
const SECRET_IN_TEXT = new RegExp(`"(${SECRET_KEYS.join("|")})"\\s*:\\s*"(?:[^"\\\\]|\\\\.)*"`, "g");

/**
 * Removes the API's login secrets from a payload: the contract forbids storing them, and a dead letter is
 * stored. Text that is not JSON (a truncated line) is redacted by pattern so that it still loses nothing else.
 */
export function redactSecrets(payload: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    return payload.replace(SECRET_IN_TEXT, '"$1":"[redacted]"');
  }
  // Re-serialized only when something was removed: otherwise the payload stays byte for byte as received.
  const removed = { any: false };
  const stripped = stripSecrets(parsed, removed);
  return removed.any ? JSON.stringify(stripped) : payload;
}

function stripSecrets(value: unknown, removed: { any: boolean }): unknown {
  if (Array.isArray(value)) return value.map((v) => stripSecrets(v, removed));
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if ((SECRET_KEYS as readonly string[]).includes(k)) {
      removed.any = true;
      continue;
    }
    out[k] = stripSecrets(v, removed);
  }
  return out;
}

export interface DeadLetterInput {
  reason: string;
  stage: DeadLetterStage;
  source: string;
  payload: string;
  line?: number;
  key?: string | null;
  at?: number;
}

export function buildDeadLetter(input: DeadLetterInput): DeadLetterMessage {
  const letter: DeadLetter = {
    reason: input.reason,
    stage: input.stage,
    source: input.source,
    ...(input.line === undefined ? {} : { line: input.line }),
    payload: redactSecrets(input.payload),
    at: input.at ?? Date.now(),
  };
  return { key: input.key ?? null, value: Buffer.from(JSON.stringify(letter)) };
}

export function parseDeadLetter(value: Buffer | string): DeadLetter {
  return DeadLetterSchema.parse(JSON.parse(typeof value === "string" ? value : value.toString("utf8")));
}
