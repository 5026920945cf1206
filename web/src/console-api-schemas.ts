import { z } from "zod";
import { DeadLetterSchema } from "../../common/src/contracts/dead-letter.ts";
import { apiRegistry } from "./api-schemas.ts";
import type { DeadLetterView } from "./dead-letters.ts";
import type { DecodedMessage } from "./message-decoder.ts";
import type { RedriveOutcome } from "./ports.ts";
import type { DiffLine } from "./schema-diff.ts";

// The console's JSON answers (dead letters, re-drive, topic and schema browser), for openapi.ts.

export const DeadLetterViewSchema = z
  .object({
    partition: z.number().int(),
    offset: z.number().int(),
    timestamp: z.number().nullable(),
    key: z.string().nullable(),
    headers: z.record(z.string(), z.string()),
    letter: DeadLetterSchema.nullable(),
    invalid: z.string().nullable(),
    origin: z.enum(["producer", "processor", "unknown"]),
    sourceRef: z.string().nullable(),
    runId: z.string().nullable(),
  })
  .register(apiRegistry, { id: "DeadLetter" });

export const DeadLettersResponse = z
  .object({ topic: z.string(), letters: z.array(DeadLetterViewSchema) })
  .register(apiRegistry, { id: "DeadLetters" });

export const RedriveResponse = z
  .object({
    runId: z.string(),
    recorded: z.boolean(),
    sent: z.number().int(),
    rejected: z.number().int(),
    failed: z.number().int(),
    skipped: z.array(z.object({ partition: z.number().int(), offset: z.number().int(), reason: z.string() })),
  })
  .register(apiRegistry, { id: "RedriveOutcome" });

export const RedriveRequest = z
  .object({
    letters: z.array(
      z.union([
        z.string().describe("partition:offset"),
        z.object({ partition: z.number(), offset: z.number() }),
      ]),
    ),
  })
  .register(apiRegistry, { id: "RedriveRequest" });

const DecodedSchema = z.object({
  format: z.enum(["avro", "json", "text", "binary", "empty"]),
  schemaId: z.number().int().nullable(),
  value: z.string(),
  problem: z.string().nullable(),
  bytes: z.number().int(),
});

export const TopicMessagesResponse = z
  .object({
    topic: z.string(),
    messages: z.array(
      DecodedSchema.extend({
        partition: z.number().int(),
        offset: z.number().int(),
        timestamp: z.number().nullable(),
        key: z.string().nullable(),
        headers: z.record(z.string(), z.string()),
      }),
    ),
  })
  .register(apiRegistry, { id: "TopicMessages" });

export const SchemaDiffResponse = z
  .object({
    subject: z.string(),
    from: z.number().int(),
    to: z.number().int(),
    lines: z.array(z.object({ kind: z.enum(["same", "add", "del"]), text: z.string() })),
  })
  .register(apiRegistry, { id: "SchemaDiff" });

const QuantilesSchema = z.object({ p50: z.number().nullable(), p99: z.number().nullable() });
export const LatencyResponse = z
  .object({
    at: z.number().describe("epoch milliseconds"),
    processed: QuantilesSchema.nullable().describe(
      "produced → aggregated (ms), from the processor; null when it does not answer",
    ),
    emitted: QuantilesSchema.nullable().describe("produced → window update sent (ms), from the processor"),
    delivered: QuantilesSchema.describe(
      "produced → fanned out to the browsers' live streams (ms), this web process",
    ),
  })
  .register(apiRegistry, { id: "Latency" });

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Holds<T extends true> = T;
export type ConsoleSchemasMatchPorts = [
  Holds<Same<z.output<typeof DeadLetterViewSchema>, DeadLetterView>>,
  Holds<Same<z.output<typeof RedriveResponse>, RedriveOutcome>>,
  Holds<Same<z.output<typeof DecodedSchema>, DecodedMessage>>,
  Holds<Same<z.output<typeof SchemaDiffResponse>["lines"][number], DiffLine>>,
];
