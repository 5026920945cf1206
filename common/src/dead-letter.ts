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
const SECRET_KEY_IN_TEXT = new RegExp(`"(?:${SECRET_KEYS.join("|")})"\\s*:\\s*`, "g");

/**
 * Removes the API's login secrets from a payload: the contract forbids storing them, and a dead letter is
 * stored. Text that is not JSON (a truncated line) is redacted by scanning, so that it still loses nothing
 * else: the value after each secret key, whatever its type, is replaced, up to the end of the text if the
 * value is cut off there.
 */
export function redactSecrets(payload: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    return redactText(payload);
  }
  // Re-serialized only when something was removed: otherwise the payload stays byte for byte as received.
  const removed = { any: false };
  const stripped = stripSecrets(parsed, removed);
  return removed.any ? JSON.stringify(stripped) : payload;
}

function redactText(text: string): string {
  let out = "";
  let copied = 0;
  const keys = new RegExp(SECRET_KEY_IN_TEXT);
  for (let m = keys.exec(text); m !== null; m = keys.exec(text)) {
    const start = m.index + m[0].length;
    if (start >= text.length) break;
    const end = endOfValue(text, start);
    out += `${text.slice(copied, start)}"[redacted]"`;
    copied = end;
    keys.lastIndex = end;
  }
  return out + text.slice(copied);
}

/** Where the JSON value starting at `i` ends (exclusive); the end of the text when it is cut off. */
function endOfValue(text: string, i: number): number {
  const first = text[i];
  if (first === '"') return endOfString(text, i);
  if (first === "{" || first === "[") {
    let depth = 0;
    for (let j = i; j < text.length; j++) {
      const c = text[j];
      if (c === '"') j = endOfString(text, j) - 1;
      else if (c === "{" || c === "[") depth++;
      else if ((c === "}" || c === "]") && --depth === 0) return j + 1;
    }
    return text.length;
  }
  // A number, true/false/null, or anything malformed: up to the next delimiter.
  const stop = text.slice(i).search(/[,}\]\s]/);
  return stop < 0 ? text.length : i + stop;
}

function endOfString(text: string, openingQuote: number): number {
  for (let j = openingQuote + 1; j < text.length; j++) {
    if (text[j] === "\\") j++;
    else if (text[j] === '"') return j + 1;
  }
  return text.length;
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
