import type { Headers, SourceRecord } from "./ports.ts";

/** A record's headers as one object (Kafka delivers them as a list of one-entry objects). */
export function headersOf(r: SourceRecord): Headers {
  const out: Headers = {};
  for (const h of r.headers ?? []) for (const [k, v] of Object.entries(h)) out[k] = v;
  return out;
}

/** The `source` header the producer sets (fixture, randomuser, synthetic), when there is one. */
export function sourceOf(r: SourceRecord): string | undefined {
  return headersOf(r).source?.toString();
}
