import { z } from "zod";
import { ProcessorStatusReadSchema } from "../../common/src/contracts/processor-status.ts";
import type { ScheduleState } from "../../common/src/ingestion-schedule.ts";
import type { HubMessage } from "./live-hub.ts";
import type { PipelineSnapshot } from "./pipeline-monitor.ts";
import type { IngestionRun, User } from "./ports.ts";
import type { Window } from "./window-types.ts";

// The JSON API's answers as zod schemas: the OpenAPI document (openapi.ts) is generated from them, and
// openapi.test.ts checks the app's real answers against them. The type assertions at the bottom fail
// the type check when a port's type and its schema drift apart.

/** Every named schema of the API: openapi.ts emits them as components/schemas, referring by id. */
export const apiRegistry = z.registry<{ id: string }>();

const epochMs = z.number().describe("epoch milliseconds");
const nullableMs = epochMs.nullable();

export const ErrorBody = z.object({ error: z.string() }).register(apiRegistry, { id: "Error" });

const WindowSchema = z
  .object({
    windowStart: epochMs,
    windowEnd: epochMs,
    group: z.string(),
    key: z.string(),
    count: z.number().int(),
    sumAge: z.number(),
    minAge: z.number(),
    maxAge: z.number(),
    avgAge: z.number(),
    final: z.boolean().describe("every partition's checkpointed watermark has passed the window's end"),
    fields: z
      .record(
        z.string(),
        z
          .object({
            count: z.number().int().describe("records of the window that had a number for the field"),
            sum: z.number(),
            min: z.number(),
            max: z.number(),
            avg: z.number(),
          })
          .register(apiRegistry, { id: "WindowField" }),
      )
      .optional()
      .describe(
        "the fields aggregated beside age (AGGREGATE_FIELDS, e.g. registeredYears), by name; absent when only age is",
      ),
  })
  .register(apiRegistry, { id: "Window" });

export const WindowsResponse = z
  .object({ windows: z.array(WindowSchema) })
  .register(apiRegistry, { id: "Windows" });

const text = z.string().nullable();
const num = z.number().nullable();
export const UserSchema = z
  .object({
    eventId: z.string(),
    eventTime: nullableMs,
    title: text,
    firstName: text,
    lastName: text,
    gender: text,
    nat: text,
    country: text,
    city: text,
    state: text,
    street: text,
    postcode: text,
    latitude: num,
    longitude: num,
    timezoneOffset: text,
    timezoneDescription: text.describe(
      "location.timezone.description: written by user schema v2 on, null for v1 records",
    ),
    email: text,
    username: text,
    age: num,
    dob: nullableMs,
    registeredAt: nullableMs,
    phone: text,
    cell: text,
    idName: text,
    idValue: text,
    picture: text,
    source: text,
    kafkaPartition: num,
    kafkaOffset: num,
  })
  .register(apiRegistry, { id: "User" });

export const UsersResponse = z.object({ users: z.array(UserSchema) }).register(apiRegistry, { id: "Users" });

export const RunSchema = z
  .object({
    runId: z.string(),
    source: text,
    startedAt: nullableMs,
    endedAt: nullableMs,
    fetched: z.number().int(),
    sent: z.number().int(),
    rejected: z.number().int(),
    failed: z.number().int(),
    status: text,
    error: text,
    parameters: z.record(z.string(), z.unknown()).nullable(),
    errors: z.array(z.string()),
    updatedAt: nullableMs,
  })
  .register(apiRegistry, { id: "IngestionRun" });

export const RunsResponse = z
  .object({ runs: z.array(RunSchema) })
  .register(apiRegistry, { id: "IngestionRuns" });

const ScheduleSchema = z
  .object({
    name: z.string(),
    source: text,
    intervalMs: num,
    paused: z.boolean(),
    triggerRequestedAt: nullableMs,
    nextRunAt: nullableMs,
    heartbeatAt: nullableMs,
    scheduler: text,
    runningRunId: text,
    lastRunId: text,
    triggerHandledAt: nullableMs,
    updatedBy: text,
  })
  .register(apiRegistry, { id: "Schedule" });

export const ScheduleResponse = ScheduleSchema.nullable().register(apiRegistry, { id: "ScheduleOrNull" });

export const ScheduleActionResponse = z
  .object({ ok: z.literal(true), message: z.string(), schedule: ScheduleSchema.nullable() })
  .register(apiRegistry, { id: "ScheduleAction" });

export const LiveSnapshotSchema = z
  .object({
    id: z.string().describe("the Last-Event-ID to resume /api/stream from"),
    type: z.enum(["snapshot", "update"]),
    windows: z.array(WindowSchema),
  })
  .register(apiRegistry, { id: "LiveMessage" });

const ProcessorStatus = ProcessorStatusReadSchema.clone().register(apiRegistry, { id: "ProcessorStatus" });
const lag = z.number().int();
export const PipelineSchema = z
  .object({
    sampledAt: epochMs,
    topics: z.array(
      z.object({
        topic: z.string(),
        exists: z.boolean(),
        role: z.enum(["users", "dlq", "late", "aggregates"]),
        messages: z.number().int(),
        partitions: z.array(z.object({ partition: z.number().int(), low: lag, high: lag })),
      }),
    ),
    consumer: z.object({
      group: z.string(),
      topic: z.string(),
      partitions: z.array(
        z.object({
          partition: z.number().int(),
          start: lag,
          end: lag,
          committed: lag.nullable(),
          checkpoint: lag.nullable(),
          live: lag.nullable(),
          lag,
          watermark: nullableMs,
          partlyLate: lag.nullable(),
          refused: lag.nullable(),
        }),
      ),
      totalLag: lag.nullable(),
    }),
    processor: ProcessorStatus.nullable().describe("the whole consumer group as one"),
    processorState: z.enum(["unreachable", "failed", "paused", "running"]),
    instances: z.array(
      z.object({
        instance: z.string(),
        address: z.string(),
        liveness: z.enum(["starting", "running", "paused", "failed", "stopped", "gone", "unregistered"]),
        heartbeatAt: nullableMs,
        assigned: z.array(z.number().int()),
        status: ProcessorStatus.nullable(),
      }),
    ),
    watermark: z.object({ value: nullableMs, source: z.enum(["processor", "checkpoints"]).nullable() }),
    throughput: z.object({
      inPerSec: num,
      processedPerSec: num,
      aggregateRowsPerSec: num,
    }),
    deadLettered: z.number().int(),
    late: z.number().int(),
    errors: z.array(z.string()),
  })
  .register(apiRegistry, { id: "Pipeline" });

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Holds<T extends true> = T;
export type SchemasMatchPorts = [
  Holds<Same<z.output<typeof WindowSchema>, Window>>,
  Holds<Same<z.output<typeof UserSchema>, User>>,
  Holds<Same<z.output<typeof RunSchema>, IngestionRun>>,
  Holds<Same<z.output<typeof ScheduleSchema>, ScheduleState>>,
  Holds<Same<z.output<typeof LiveSnapshotSchema>, HubMessage>>,
  Holds<Same<z.output<typeof PipelineSchema>, PipelineSnapshot>>,
];
