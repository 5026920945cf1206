import { z } from "zod";
import { AggregatesQuerySchema } from "./aggregates-query.ts";
import {
  apiRegistry,
  ErrorBody,
  LiveSnapshotSchema,
  PipelineSchema,
  RunSchema,
  RunsResponse,
  ScheduleActionResponse,
  ScheduleResponse,
  UserSchema,
  UsersResponse,
  WindowsResponse,
} from "./api-schemas.ts";
import {
  DeadLettersResponse,
  DeadLetterViewSchema,
  LatencyResponse,
  RedriveResponse,
  SchemaDiffResponse,
  TopicMessagesResponse,
} from "./console-api-schemas.ts";
import { MAX_EVENT_ID_BYTES } from "./routes/event-id.ts";

// The OpenAPI 3.1 description of the JSON API (served at /api/openapi.json), generated from zod: the
// query schema /api/aggregates validates with, and api-schemas.ts for the answers. openapi.test.ts
// fails when a route under /api is missing here or answers something its schema does not describe.

type Body = z.ZodType;
interface Operation {
  method: "get" | "post";
  /** Hono's path under /api (`/users/:id`). */
  path: string;
  summary: string;
  query?: z.ZodObject;
  params?: z.ZodObject;
  /** Changes state: needs the admin token (WEB_ADMIN_TOKEN) as a bearer token. */
  admin?: boolean;
  responses: Record<number, { description: string; body?: Body; eventStream?: true }>;
}

const bad = { description: "a parameter is invalid; the error names it", body: ErrorBody };
const unavailable = { description: "Cassandra did not answer (Retry-After: 5)", body: ErrorBody };
const kafkaDown = {
  description: "Kafka did not answer, or this is the Bun entry (Retry-After: 5)",
  body: ErrorBody,
};
const adminOnly = {
  401: { description: "no or a wrong bearer token", body: undefined },
  403: { description: "WEB_ADMIN_TOKEN is not set: nothing changes state", body: ErrorBody },
};
const scheduleAction = (summary: string, path: string): Operation => ({
  method: "post",
  path,
  summary,
  admin: true,
  responses: {
    202: { description: "asked; the scheduler acts on its next poll", body: ScheduleActionResponse },
    ...adminOnly,
  },
});

export const API_OPERATIONS: Operation[] = [
  {
    method: "get",
    path: "/aggregates",
    summary: "Windows of one group-by over [from, to), per-partition rows merged",
    query: AggregatesQuerySchema,
    responses: {
      200: { description: "the windows, oldest first", body: WindowsResponse },
      400: bad,
      413: { description: "the range holds more rows than the web tier serves at once", body: ErrorBody },
      503: {
        description:
          "Cassandra did not answer (Retry-After: 5), or too many history queries run and wait (WEB_QUERY_*; Retry-After: 1 or 2)",
        body: ErrorBody,
      },
    },
  },
  {
    method: "get",
    path: "/groups",
    summary: 'The groups /api/aggregates serves: "all" and the GROUP_BY fields the processors publish',
    responses: {
      200: { description: "the groups", body: z.object({ groups: z.array(z.string()) }) },
      503: unavailable,
    },
  },
  {
    method: "get",
    path: "/users",
    summary: "Stored users with this username",
    query: z.object({ username: z.string().min(1).max(200) }),
    responses: { 200: { description: "the users", body: UsersResponse }, 400: bad, 503: unavailable },
  },
  {
    method: "get",
    path: "/users/:id",
    summary: "One stored user by event id",
    params: z.object({
      id: z.string().min(1).max(MAX_EVENT_ID_BYTES).describe("the event id, without control characters"),
    }),
    responses: {
      200: { description: "the user", body: UserSchema },
      400: bad,
      404: { description: "no such user", body: ErrorBody },
      503: unavailable,
    },
  },
  {
    method: "get",
    path: "/runs",
    summary: "Recent ingestion runs of every source, newest first",
    responses: { 200: { description: "the runs", body: RunsResponse }, 503: unavailable },
  },
  {
    method: "get",
    path: "/runs/:id",
    summary: "One ingestion run",
    params: z.object({ id: z.uuid({ version: "v1" }).describe("the run id (a time-based UUID)") }),
    responses: {
      200: { description: "the run", body: RunSchema },
      404: { description: "no such run", body: ErrorBody },
      503: unavailable,
    },
  },
  {
    method: "get",
    path: "/ingestion/schedule",
    summary: "The api source's schedule: paused, next run, scheduler heartbeat",
    responses: {
      200: { description: "the schedule, null before a scheduler ever ran", body: ScheduleResponse },
    },
  },
  scheduleAction("Ask the scheduler for a run now", "/ingestion/schedule/trigger"),
  scheduleAction("Pause the schedule", "/ingestion/schedule/pause"),
  scheduleAction("Resume the schedule", "/ingestion/schedule/resume"),
  {
    method: "get",
    path: "/pipeline",
    summary: "Topic offsets, consumer lag, processor instances and health, throughput",
    responses: {
      200: { description: "a snapshot (shared for a second between callers)", body: PipelineSchema },
    },
  },
  {
    method: "get",
    path: "/live/snapshot",
    summary: "The live windows the stream starts from",
    responses: { 200: { description: "the snapshot message", body: LiveSnapshotSchema } },
  },
  {
    method: "get",
    path: "/stream",
    summary: "Server-sent events: `snapshot` (or the missed `update`s after Last-Event-ID), then `update`s",
    query: z.object({
      lastEventId: z
        .string()
        .optional()
        .describe("as the Last-Event-ID header, for clients that cannot set it"),
    }),
    responses: {
      200: {
        description: "text/event-stream; each event's data is a LiveMessage's windows as JSON",
        eventStream: true,
      },
      403: { description: "a page of a foreign Origin (WEB_ALLOWED_ORIGINS)", body: ErrorBody },
      503: { description: "WEB_LIVE_MAX_CLIENTS live clients already (Retry-After: 5)", body: ErrorBody },
    },
  },
  {
    method: "get",
    path: "/latency",
    summary:
      "End-to-end latency p50/p99 of sampled events: produced → processed → window emitted → delivered",
    responses: { 200: { description: "the stages' quantiles now (ms)", body: LatencyResponse } },
  },
  {
    method: "get",
    path: "/dead-letters",
    summary: "The newest messages of the dead-letter topic, producer's and processor's",
    query: z.object({
      limit: z.coerce.number().int().min(1).max(500).optional().describe("at most this many (50)"),
      partition: z.coerce.number().int().min(0).optional().describe("one partition only"),
    }),
    responses: {
      200: { description: "the letters, newest first", body: DeadLettersResponse },
      503: kafkaDown,
    },
  },
  {
    method: "get",
    path: "/dead-letters/:partition/:offset",
    summary: "One dead letter: reason, stage, headers, payload (login secrets redacted)",
    params: z.object({ partition: z.string().regex(/^\d+$/), offset: z.string().regex(/^\d+$/) }),
    responses: {
      200: { description: "the letter", body: DeadLetterViewSchema },
      404: { description: "no such message", body: ErrorBody },
      503: kafkaDown,
    },
  },
  {
    method: "post",
    path: "/dead-letters/redrive",
    summary: "Send letters again to the input topic, through the producer's ingestion, as one recorded run",
    admin: true,
    responses: {
      200: {
        description: "what the re-drive run did (body: RedriveRequest, or a form of letters=p:o)",
        body: RedriveResponse,
      },
      400: bad,
      ...adminOnly,
      503: kafkaDown,
    },
  },
  {
    method: "get",
    path: "/topics/:topic",
    summary: "Messages of a project topic, decoded through the schema registry",
    params: z.object({ topic: z.string().describe("one of the project's four topics") }),
    query: z.object({
      partition: z.coerce.number().int().min(0).optional(),
      offset: z.coerce.number().int().min(0).optional().describe("with partition: read forward from here"),
      limit: z.coerce.number().int().min(1).max(200).optional(),
    }),
    responses: {
      200: { description: "newest first, or in offset order from `offset`", body: TopicMessagesResponse },
      404: { description: "not a project topic", body: ErrorBody },
      503: kafkaDown,
    },
  },
  {
    method: "get",
    path: "/schemas/:subject/diff",
    summary: "Line diff between two versions of a registry subject (pretty-printed)",
    params: z.object({ subject: z.string() }),
    query: z.object({ from: z.coerce.number().int().min(1), to: z.coerce.number().int().min(1) }),
    responses: {
      200: { description: "the lines, in order", body: SchemaDiffResponse },
      400: bad,
      404: { description: "no such version", body: ErrorBody },
      503: { description: "the schema registry did not answer", body: ErrorBody },
    },
  },
  {
    method: "get",
    path: "/openapi.json",
    summary: "This document",
    responses: { 200: { description: "OpenAPI 3.1" } },
  },
];

const REF = (id: string) => `#/components/schemas/${id}`;

function jsonSchema(schema: z.ZodType, io: "input" | "output"): Record<string, unknown> {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io, target: "draft-2020-12" });
  return rest;
}

function bodySchema(schema: Body): Record<string, unknown> {
  const id = apiRegistry.get(schema)?.id;
  return id ? { $ref: REF(id) } : jsonSchema(schema, "output");
}

function parameters(where: "query" | "path", obj: z.ZodObject | undefined) {
  if (!obj) return [];
  return Object.entries(obj.shape).map(([name, field]) => {
    const schema = jsonSchema(field as z.ZodType, "input");
    const { description, ...rest } = schema;
    return {
      name,
      in: where,
      required: where === "path" || !(field as z.ZodType).safeParse(undefined).success,
      ...(description ? { description } : {}),
      schema: rest,
    };
  });
}

function operation(op: Operation) {
  const responses = Object.fromEntries(
    Object.entries(op.responses).map(([status, r]) => {
      const content = r.eventStream
        ? { "text/event-stream": { schema: { type: "string" } } }
        : r.body
          ? { "application/json": { schema: bodySchema(r.body) } }
          : status === "200"
            ? { "application/json": { schema: { type: "object" } } }
            : undefined;
      return [status, { description: r.description, ...(content ? { content } : {}) }];
    }),
  );
  return {
    operationId: `${op.method}${op.path.replace(/[/:]+(\w)/g, (_, c: string) => c.toUpperCase()).replace(/\W/g, "")}`,
    summary: op.summary,
    parameters: [...parameters("path", op.params), ...parameters("query", op.query)],
    ...(op.admin ? { security: [{ adminToken: [] }] } : {}),
    responses,
  };
}

let cached: Record<string, unknown> | null = null;

/** The document, built once. */
export function openApiDocument(): Record<string, unknown> {
  if (cached) return cached;
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of API_OPERATIONS) {
    const path = `/api${op.path.replace(/:(\w+)/g, "{$1}")}`;
    paths[path] = { ...paths[path], [op.method]: operation(op) };
  }
  const { schemas } = z.toJSONSchema(apiRegistry, { io: "output", target: "draft-2020-12", uri: REF });
  for (const s of Object.values(schemas)) delete (s as { $schema?: string }).$schema;
  cached = {
    openapi: "3.1.0",
    info: {
      title: "rt-pipeline web API",
      version: "1",
      description:
        "The dashboard's JSON API: windowed aggregates, users, ingestion runs and schedule, pipeline health, live windows.",
      license: { name: "Apache-2.0", identifier: "Apache-2.0" },
    },
    paths,
    components: {
      schemas,
      securitySchemes: { adminToken: { type: "http", scheme: "bearer", description: "WEB_ADMIN_TOKEN" } },
    },
  };
  return cached;
}
