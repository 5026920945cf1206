import {
  type DeadLetter,
  DeadLetterSchema,
  readDeadLetterHeaders,
} from "../../common/src/contracts/dead-letter.ts";
import { redactSecrets } from "../../common/src/redact-secrets.ts";
import type { TopicMessage } from "./ports.ts";

// A message of the dead-letter topic as the console shows it (format: docs/internal-contracts.md).

export interface DeadLetterView {
  partition: number;
  offset: number;
  timestamp: number | null;
  key: string | null;
  headers: Record<string, string>;
  /** The parsed letter, its payload redacted again (an older producer's letters may still hold secrets). */
  letter: DeadLetter | null;
  /** Why the message is not a readable letter, when it is not. */
  invalid: string | null;
  /** The producer refused it before Kafka (map, schema, parse) or the processor could not decode it. */
  origin: "producer" | "processor" | "unknown";
  /** Where the original was: partition and offset of the users topic (processor), or the fixture line. */
  sourceRef: string | null;
  runId: string | null;
}

const decoder = new TextDecoder("utf-8", { fatal: false });

export function toDeadLetterView(m: TopicMessage): DeadLetterView {
  let letter: DeadLetter | null = null;
  let invalid: string | null = null;
  if (m.value === null) invalid = "empty message (no value)";
  else {
    try {
      const parsed = DeadLetterSchema.safeParse(JSON.parse(decoder.decode(m.value)));
      if (parsed.success) letter = { ...parsed.data, payload: redactSecrets(parsed.data.payload) };
      else
        invalid = `not a dead letter: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`;
    } catch (err) {
      invalid = `not JSON: ${(err as Error).message}`;
    }
  }
  const h = m.headers;
  const origin = letter === null ? "unknown" : letter.stage === "decode" ? "processor" : "producer";
  const whole = readDeadLetterHeaders(h).source;
  const sourceRef =
    whole !== null
      ? `partition ${whole.partition} · offset ${whole.offset}`
      : letter?.line !== undefined
        ? `line ${letter.line}`
        : null;
  return {
    partition: m.partition,
    offset: m.offset,
    timestamp: m.timestamp,
    key: m.key,
    headers: h,
    letter,
    invalid,
    origin,
    sourceRef,
    runId: h.run_id ?? null,
  };
}

/** The payload for reading: pretty JSON when it is JSON; a processor letter's bytes stay base64. */
export function payloadForDisplay(v: DeadLetterView): string {
  if (!v.letter) return "";
  if (v.letter.stage === "decode") return v.letter.payload;
  try {
    return JSON.stringify(JSON.parse(v.letter.payload), null, 2);
  } catch {
    return v.letter.payload;
  }
}

/** `2:15` → {partition 2, offset 15}; null when it is not that. */
export function parseLetterRef(text: string): { partition: number; offset: number } | null {
  const m = /^(\d{1,5}):(\d{1,15})$/.exec(text.trim());
  return m ? { partition: Number(m[1]), offset: Number(m[2]) } : null;
}
