import type { BatchSizes, ProcessorStatusRead } from "../../common/src/contracts/processor-status.ts";
import type { ScheduleState } from "../../common/src/ingestion-schedule.ts";
import type { InstanceHeartbeat, InstanceLiveness } from "../../common/src/instance-registry.ts";
import type { Group, WindowRow } from "./window-types.ts";

// The small interfaces the web-standard app depends on; adapters/ implements them for Cassandra and
// Kafka, tests implement them in memory.

/** A stored user as the users table holds it (no password or hashes exist there). */
export interface User {
  eventId: string;
  eventTime: number | null;
  title: string | null;
  firstName: string | null;
  lastName: string | null;
  gender: string | null;
  nat: string | null;
  country: string | null;
  city: string | null;
  state: string | null;
  street: string | null;
  postcode: string | null;
  latitude: number | null;
  longitude: number | null;
  timezoneOffset: string | null;
  /** Written by user schema v2 on; null for a record of v1. */
  timezoneDescription: string | null;
  email: string | null;
  username: string | null;
  age: number | null;
  dob: number | null;
  registeredAt: number | null;
  phone: string | null;
  cell: string | null;
  idName: string | null;
  idValue: string | null;
  picture: string | null;
  source: string | null;
  kafkaPartition: number | null;
  kafkaOffset: number | null;
}

export interface IngestionRun {
  runId: string;
  source: string | null;
  startedAt: number | null;
  endedAt: number | null;
  fetched: number;
  sent: number;
  rejected: number;
  failed: number;
  status: string | null;
  error: string | null;
  /** What the run was asked to do (trigger, rate, file, letters re-driven...); null for older rows. */
  parameters: Record<string, unknown> | null;
  /** Its first problems (rejections with stage and line, delivery failures), bounded by the producer. */
  errors: string[];
  /** When its counts were last stored (a long run stores them every few seconds). */
  updatedAt: number | null;
}

export interface Checkpoint {
  partition: number;
  nextOffset: number;
  watermark: number | null;
  updatedAt: number | null;
}

export interface WindowQuery {
  group: Group;
  from: number;
  to: number;
  key?: string;
}

export class ResultTooLargeError extends Error {}

/** The store did not answer (down, restarting, overloaded): a 503, not a bug. */
export class StoreUnavailableError extends Error {}

export interface AggregateStore {
  /**
   * Per-partition rows with from <= windowStart < to, of `key` only when it is set; throws
   * ResultTooLargeError past maxRows.
   */
  windowRows(q: WindowQuery, maxRows: number): Promise<WindowRow[]>;
}

export interface UserStore {
  user(eventId: string): Promise<User | null>;
  usersByUsername(username: string, limit: number): Promise<User[]>;
}

export interface RunStore {
  /** Newest first, over the last `days` day buckets. */
  recentRuns(days: number, limit: number): Promise<IngestionRun[]>;
  /** One run by its id (a time-based UUID, which names its day); null when there is none. */
  run(runId: string): Promise<IngestionRun | null>;
}

/** The web tier's side of the schedule's control row (common/src/ingestion-schedule.ts). */
export interface ScheduleStore {
  schedule(name: string): Promise<ScheduleState | null>;
  requestTrigger(name: string, by: string, at?: number): Promise<void>;
  setPaused(name: string, paused: boolean, by: string): Promise<void>;
}

export interface CheckpointStore {
  checkpoints(topic: string): Promise<Checkpoint[]>;
}

/** The rebuilds of a topic (`bun run rebuild`, rebuild_jobs): when the newest finished, ms (0: none). */
export interface RebuildLog {
  lastRebuildFinished(topic: string): Promise<number>;
}

export interface PartitionOffsets {
  partition: number;
  low: number;
  high: number;
}

export interface TopicOffsets {
  topic: string;
  exists: boolean;
  partitions: PartitionOffsets[];
}

export interface KafkaAdmin {
  topicOffsets(topic: string): Promise<TopicOffsets>;
  /** Committed offsets of a consumer group on a topic; partitions without a commit are absent. */
  committedOffsets(groupId: string, topic: string): Promise<Map<number, number>>;
}

/** The processor's /status as this tier reads it (fields of newer processors optional). */
export type ProcessorStatus = ProcessorStatusRead;
export type { BatchSizes };

/** One processor's /status endpoint. */
export interface ProcessorStatusSource {
  /** null when the processor is not reachable. */
  status(): Promise<ProcessorStatus | null>;
}

/** The instance registry (processor_instances) of common/src/instance-registry.ts. */
export interface InstanceRegistry {
  heartbeats(group: string): Promise<InstanceHeartbeat[]>;
}

/** A processor instance as the web tier knows it: its registration and, when it answered, its /status. */
export interface ProcessorInstance {
  instance: string;
  /** host:port (registered) or the URL it was read at (PROCESSOR_STATUS_URL). */
  address: string;
  /**
   * From its heartbeat ("gone": it stopped beating without saying it stopped); "unregistered": only
   * PROCESSOR_STATUS_URL knows it (a processor without the registry).
   */
  liveness: InstanceLiveness | "unregistered";
  heartbeatAt: number | null;
  assigned: number[];
  /** Its live /status; null when it did not answer (or was not asked: gone or stopped). */
  status: ProcessorStatus | null;
}

/** Every processor instance of the consumer group. */
export interface ProcessorFleetSource {
  instances(): Promise<ProcessorInstance[]>;
}

/** The upstream feed of window rows (the compacted aggregates topic). */
export interface LiveSource {
  /** `producedAt`: the oldest sampled event's produced time among the batch's updates (null when none carry one). */
  start(onRows: (rows: WindowRow[], producedAt: number | null) => void): Promise<void>;
  stop(): Promise<void>;
}

/** One message of a topic as the console shows it: raw bytes, decoded elsewhere. */
export interface TopicMessage {
  topic: string;
  partition: number;
  offset: number;
  /** The message's timestamp (epoch ms: when the producer created it); null when the broker has none. */
  timestamp: number | null;
  key: string | null;
  headers: Record<string, string>;
  value: Uint8Array | null;
}

export interface TopicQuery {
  /** One partition, else every partition. */
  partition?: number;
  /** Read forward from this offset of `partition`; without it, the newest messages. */
  from?: number;
  /** At most this many messages (per partition read when `from` is absent, then merged newest first). */
  limit: number;
}

/** Reads any project topic by partition and offset (the Kafka client, so Node only). */
export interface TopicReader {
  /** Newest first when `from` is absent, in offset order when it is set. */
  read(topic: string, q: TopicQuery): Promise<TopicMessage[]>;
  message(topic: string, partition: number, offset: number): Promise<TopicMessage | null>;
  /** Messages with from <= timestamp < to, at most `limit`, in offset order per partition. */
  between(topic: string, from: number, to: number, limit: number): Promise<TopicMessage[]>;
}

/** Kafka is not reachable from this process (down, or the Bun entry): a 503 with the reason, not a bug. */
export class KafkaUnavailableError extends Error {}

export interface RedriveOutcome {
  runId: string;
  recorded: boolean;
  sent: number;
  rejected: number;
  failed: number;
  skipped: { partition: number; offset: number; reason: string }[];
}

/** Sends dead letters again to the input topic, as one recorded run (the producer's ingestion, so Node only). */
export interface Redriver {
  redrive(letters: { partition: number; offset: number }[]): Promise<RedriveOutcome>;
}

export interface SchemaVersion {
  subject: string;
  version: number;
  id: number;
  /** The schema text as registered. */
  schema: string;
}

export interface Compatibility {
  level: string;
  /** Set on the subject itself, or the registry's default. */
  scope: "subject" | "global";
}

/** The schema registry's Confluent API (web-standard fetch: Node and Bun alike). */
export interface SchemaRegistry {
  subjects(): Promise<string[]>;
  versions(subject: string): Promise<number[]>;
  version(subject: string, version: number): Promise<SchemaVersion | null>;
  compatibility(subject: string): Promise<Compatibility>;
  schemaById(id: number): Promise<string | null>;
}

/** The registry did not answer: a 503 with the reason. */
export class RegistryUnavailableError extends Error {}
