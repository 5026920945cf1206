import type { UserRecord } from "../../common/src/user-schema.ts";
import type { WindowRow } from "./core/index.ts";

// What the processor needs from the outside world. adapters/ implements these for Kafka and Cassandra,
// testing/in-memory-driver.ts in memory, so the loop's rules can be tested without the stack.

/** Kafka message headers as the processor reads and writes them. */
export type Headers = Record<string, string | Buffer>;

/** The offset that means "the start of the partition" (librdkafka's logical OFFSET_BEGINNING). */
export const OFFSET_BEGINNING = -2;

/** One consumed record: the shape of librdkafka's message, so the Kafka adapter hands its batches on as they are. */
export interface SourceRecord {
  value: Buffer | null;
  key?: Buffer | string | null;
  partition: number;
  offset: number;
  /** The record's Kafka timestamp (ms), when the broker gave one. */
  timestamp?: number;
  headers?: Headers[];
}

export interface RebalanceHandler {
  /** Partitions handed to this instance; returns the offset to start each at. */
  assigned(partitions: number[]): Promise<Map<number, number>>;
  /** Partitions taken away; called before they are released to the group. */
  revoked(partitions: number[]): Promise<void>;
  /**
   * The consumer now fetches the partitions assigned() returned offsets for, from those offsets; batches
   * consumed from `generation` on come from that fetch (see generation()).
   */
  positioned(partitions: number[], generation: number): void;
}

/** The users topic, read as a member of the consumer group. */
export interface RecordSource {
  start(handler: RebalanceHandler): Promise<void>;
  /**
   * Counts changes of the fetch positions. A consume() called at generation g returns no record fetched
   * before g.
   */
  generation(): number;
  /** Up to `max` records; an empty array after a short wait without any. */
  consume(max: number): Promise<SourceRecord[]>;
  pause(partitions: number[]): void;
  resume(partitions: number[]): void;
  /** Moves an assigned partition's fetch position; resolves with the generation from which it holds. */
  seek(partition: number, offset: number): Promise<number>;
  /** Commits checkpointed offsets, for lag visibility only (the checkpoint is the source of truth). */
  commit(offsets: Map<number, number>): void;
  /** End offset last seen for the partition; undefined before the first fetch. */
  highWatermark(partition: number): number | undefined;
  /**
   * Whether the broker answered, lately, for the end offset of every owned partition. Without that, a
   * partition that delivers nothing cannot be told from one whose broker is down or unreachable: the
   * processor then keeps the core's clock still, so no partition turns idle and no window is closed by
   * processing time for records the broker holds or the producers are still retrying.
   */
  endOffsetsConfirmed(): boolean;
  /** Revokes what is owned (through the handler), then leaves the group. */
  stop(): Promise<void>;
}

export interface StoredUser {
  record: UserRecord;
  source: string | null;
  partition: number;
  offset: string;
}

/** An open row and its version: the next offset of its source partition when the core gave it out. */
export interface OpenWindowRow {
  readonly row: WindowRow;
  readonly nextOffset: number;
}

export interface Checkpoint {
  partition: number;
  nextOffset: string;
  watermark: number | null;
  state: Buffer;
}

/** Where results and checkpoints become durable; every write is idempotent (retried without end). */
export interface ProcessorStore {
  writeUsers(users: readonly StoredUser[]): Promise<void>;
  /** Final window rows of one (group, hour) partition: never overwritten by an open one. */
  writeFinalWindows(rows: readonly WindowRow[]): Promise<void>;
  /**
   * Open window rows of one (group, hour) partition. Of two versions of a row, the one taken further into
   * its source partition is kept, whatever the order they land in (a previous owner's late write).
   */
  writeOpenWindows(rows: readonly OpenWindowRow[]): Promise<void>;
  writeCheckpoint(topic: string, c: Checkpoint): Promise<void>;
  readCheckpoint(topic: string, partition: number): Promise<Checkpoint | null>;
  /** Why an error of this store will recur on every retry (the processor then stops), or null. */
  permanentError(err: unknown): string | null;
  close(): Promise<void>;
}

/** The topics the processor writes: late and dead letters tracked until acknowledged, live rows not. */
export interface OutputTopics {
  connect(): Promise<void>;
  /** To partition `partition` of the topic: the side outputs of source partition p go to partition p. */
  sendTracked(
    topic: string,
    key: Buffer | string | null,
    value: Buffer,
    headers: Headers,
    partition: number,
  ): void;
  /**
   * The highest `source_offset` of source partition p that partition p of `topic` already holds (null: none),
   * so that a replay from an older checkpoint does not send it again; rejects if it cannot tell in time.
   */
  lastSourceOffset(topic: string, sourcePartition: number): Promise<number | null>;
  /** The live view tolerates a lost update (the next one, or the final row, replaces it). */
  sendUntracked(topic: string, messages: { key: string; value: string }[]): void;
  /** Resolves when every tracked send made before the call is acknowledged; throws after a fatal failure. */
  barrier(): Promise<void>;
  /** Tracked sends not acknowledged yet. */
  pending(): number;
  queueFullRetries(): number;
  liveUpdatesDropped(): number;
  close(timeoutMs?: number): Promise<void>;
}
