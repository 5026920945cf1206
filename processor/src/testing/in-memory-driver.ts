import pino from "pino";
import { type Config, loadConfig } from "../../../common/src/config.ts";
import { type UserRecord, userSchema } from "../../../common/src/user-schema.ts";
import { encodeWire } from "../../../common/src/wire-format.ts";
import type { WindowRow } from "../core/index.ts";
import {
  type Checkpoint,
  type Headers,
  OFFSET_BEGINNING,
  type OpenWindowRow,
  type OutputTopics,
  type ProcessorStore,
  type RebalanceHandler,
  type RecordSource,
  type SourceRecord,
  type StoredUser,
} from "../ports.ts";
import { Processor } from "../processor.ts";
import { loadProcessorOptions, type ProcessorOptions } from "../processor-options.ts";
import { type SchemaSource, UnknownSchemaError } from "../schema-cache.ts";

// The processor with its ports in memory (the idea of Kafka Streams' TopologyTestDriver): the real loop,
// admission, routing, emitter and checkpointer, against a log, a store and output topics a test can stall,
// break, truncate and inspect. No Kafka, registry or Cassandra.

/** A one-shot gate: calls wait at it until it is opened. */
export class Gate {
  private opened: Promise<void> = Promise.resolve();
  private release: () => void = () => undefined;
  private closed = false;

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.opened = new Promise((r) => {
      this.release = r;
    });
  }

  open(): void {
    this.closed = false;
    this.release();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  pass(): Promise<void> {
    return this.opened;
  }
}

/** The partitions of the users topic, shared by every instance of a test. */
export class MemoryLog {
  private readonly parts: SourceRecord[][];
  /** First offset each partition still holds (retention). */
  private readonly low: number[];
  private readonly ends: number[];

  constructor(partitions: number) {
    this.parts = Array.from({ length: partitions }, () => []);
    this.low = new Array<number>(partitions).fill(0);
    this.ends = new Array<number>(partitions).fill(0);
  }

  get partitions(): number {
    return this.parts.length;
  }

  append(partition: number, value: Buffer | null, headers: Headers = { source: "fixture" }): number {
    const offset = this.ends[partition]!++;
    this.parts[partition]!.push({ value, key: null, partition, offset, headers: [headers] });
    return offset;
  }

  /** Deletes the records before `offset`, as retention does. */
  truncate(partition: number, offset: number): void {
    const list = this.parts[partition]!;
    while (list.length > 0 && list[0]!.offset < offset) list.shift();
    this.low[partition] = offset;
  }

  lowOffset(partition: number): number {
    return this.low[partition]!;
  }

  end(partition: number): number {
    return this.ends[partition]!;
  }

  /** Records from `offset` on (from the first one held when `offset` is gone), at most `max`. */
  read(partition: number, offset: number, max: number): SourceRecord[] {
    const list = this.parts[partition]!;
    const from = Math.max(offset, this.low[partition]!) - this.low[partition]!;
    return list.slice(from, from + max);
  }
}

/** One consumer-group member reading a MemoryLog; the test decides the assignments. */
export class MemorySource implements RecordSource {
  private handler: RebalanceHandler | null = null;
  private readonly position = new Map<number, number>();
  private readonly pausedParts = new Set<number>();
  private gen = 0;
  private rebalancing: Promise<void> = Promise.resolve();
  /** Closed: the next consume() takes its batch at once but delivers it only once opened. */
  readonly holdBatch = new Gate();
  readonly committed = new Map<number, number>();
  seeks = 0;
  /** Batches taken while holdBatch was closed. */
  held = 0;

  constructor(private readonly log: MemoryLog) {}

  async start(handler: RebalanceHandler): Promise<void> {
    this.handler = handler;
  }

  generation(): number {
    return this.gen;
  }

  owned(): number[] {
    return [...this.position.keys()];
  }

  paused(): number[] {
    return [...this.pausedParts];
  }

  /** The group assigns `partitions` (as librdkafka's rebalance callback does, serialized). */
  assign(partitions: number[]): Promise<void> {
    return this.serialized(async () => {
      const offsets = await this.handler!.assigned(partitions);
      for (const p of partitions) {
        const o = offsets.get(p) ?? OFFSET_BEGINNING;
        this.position.set(p, o === OFFSET_BEGINNING ? this.log.lowOffset(p) : o);
      }
      this.handler!.positioned(partitions, ++this.gen);
    });
  }

  /** The group takes `partitions` away; resolves once the handler released them. */
  revoke(partitions: number[]): Promise<void> {
    return this.serialized(async () => {
      const mine = partitions.filter((p) => this.position.has(p));
      await this.handler!.revoked(mine);
      for (const p of mine) {
        this.position.delete(p);
        this.pausedParts.delete(p);
      }
      this.gen++;
    });
  }

  /** Like KafkaSource: a failed rebalance step is the caller's error; the steps after it still run. */
  private serialized(step: () => Promise<void>): Promise<void> {
    const done = this.rebalancing.then(step);
    this.rebalancing = done.catch(() => undefined);
    return done;
  }

  async consume(max: number): Promise<SourceRecord[]> {
    const out: SourceRecord[] = [];
    for (const [p, at] of this.position) {
      if (this.pausedParts.has(p) || out.length >= max) continue;
      const got = this.log.read(p, at, max - out.length);
      if (got.length > 0) this.position.set(p, got[got.length - 1]!.offset + 1);
      out.push(...got);
    }
    if (this.holdBatch.isClosed && out.length > 0) {
      this.held++;
      await this.holdBatch.pass();
    } else if (out.length === 0) {
      // Like librdkafka's consume timeout: an empty poll waits a little, so the loop does not spin.
      await new Promise((r) => setTimeout(r, 2));
    }
    return out;
  }

  pause(partitions: number[]): void {
    for (const p of partitions) this.pausedParts.add(p);
  }

  resume(partitions: number[]): void {
    for (const p of partitions) this.pausedParts.delete(p);
  }

  async seek(partition: number, offset: number): Promise<number> {
    this.seeks++;
    this.position.set(partition, offset);
    return ++this.gen;
  }

  commit(offsets: Map<number, number>): void {
    for (const [p, o] of offsets) if (this.position.has(p)) this.committed.set(p, o);
  }

  highWatermark(partition: number): number | undefined {
    return this.log.end(partition);
  }

  /** False while a test plays the broker unreachable. */
  brokerReachable = true;

  endOffsetsConfirmed(): boolean {
    return this.brokerReachable;
  }

  async stop(): Promise<void> {
    await this.rebalancing;
    const owned = this.owned();
    if (owned.length > 0) await this.revoke(owned);
  }
}

/** An error the memory store raises when told to refuse for good. */
export class RefusedForGood extends Error {}

/** A store kept in maps, with the fence of final rows; every durable write is logged in order. */
export class MemoryStore implements ProcessorStore {
  readonly windows = new Map<string, WindowRow>();
  private readonly openVersions = new Map<string, number>();
  readonly users = new Map<string, StoredUser>();
  readonly checkpoints = new Map<number, Checkpoint>();
  /** What became durable, in order: `users n`, `windows final|open n`, `checkpoint p@offset`. */
  readonly journal: string[] = [];
  /** Closed: every call waits (a slow or hung store). */
  readonly stall = new Gate();
  /** Closed: users writes wait, the others go through. */
  readonly holdUsers = new Gate();
  /** How many of the next open-window writes to park, as requests still in flight, until landParked(). */
  parkOpenWindows = 0;
  private readonly parked: (() => void)[] = [];
  /** Set: every write fails with it (an outage, or a refusal for good with RefusedForGood). */
  failWith: Error | null = null;
  failedAttempts = 0;

  private async gate(): Promise<void> {
    await this.stall.pass();
    if (this.failWith) {
      this.failedAttempts++;
      throw this.failWith;
    }
  }

  async writeUsers(users: readonly StoredUser[]): Promise<void> {
    await this.holdUsers.pass();
    await this.gate();
    for (const u of users) this.users.set(u.record.event_id, u);
    this.journal.push(`users ${users.length}`);
  }

  async writeFinalWindows(rows: readonly WindowRow[]): Promise<void> {
    await this.gate();
    for (const r of rows) this.windows.set(windowKey(r), r);
    this.journal.push(`windows final ${rows.length}`);
  }

  /** As Cassandra's write timestamps do: a final row stays, and an open one older than the stored one loses. */
  async writeOpenWindows(rows: readonly OpenWindowRow[]): Promise<void> {
    await this.gate();
    if (this.parkOpenWindows > 0) {
      this.parkOpenWindows--;
      await new Promise<void>((land) => this.parked.push(land));
    }
    for (const { row, nextOffset } of rows) {
      const k = windowKey(row);
      const stored = this.windows.get(k);
      if (stored?.final || (this.openVersions.get(k) ?? -1) > nextOffset) continue;
      this.windows.set(k, row);
      this.openVersions.set(k, nextOffset);
    }
    this.journal.push(`windows open ${rows.length}`);
  }

  get parkedWrites(): number {
    return this.parked.length;
  }

  /** The parked open-window writes land now, after everything written since they were sent. */
  landParked(): void {
    for (const land of this.parked.splice(0)) land();
  }

  async writeCheckpoint(_topic: string, c: Checkpoint): Promise<void> {
    await this.gate();
    this.checkpoints.set(c.partition, c);
    this.journal.push(`checkpoint ${c.partition}@${c.nextOffset}`);
  }

  async readCheckpoint(_topic: string, partition: number): Promise<Checkpoint | null> {
    await this.gate();
    return this.checkpoints.get(partition) ?? null;
  }

  permanentError(err: unknown): string | null {
    return err instanceof RefusedForGood ? err.message : null;
  }

  async close(): Promise<void> {}
}

export interface Sent {
  topic: string;
  key: Buffer | string | null;
  value: Buffer;
  headers: Headers;
  partition: number;
}

/** Output topics in memory; tracked sends wait for `acks` to open. */
export class MemoryTopics implements OutputTopics {
  readonly tracked: Sent[] = [];
  readonly live: { topic: string; key: string; value: string }[] = [];
  /** Closed: tracked sends stay unacknowledged. */
  readonly acks = new Gate();
  /** Set: reading back what a topic holds fails (Kafka unreachable). */
  readBackError: Error | null = null;
  private readonly inFlight = new Set<Promise<void>>();

  async connect(): Promise<void> {}

  sendTracked(
    topic: string,
    key: Buffer | string | null,
    value: Buffer,
    headers: Headers,
    partition: number,
  ): void {
    const p = this.acks.pass().then(() => {
      this.tracked.push({ topic, key, value, headers, partition });
    });
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  sendUntracked(topic: string, messages: { key: string; value: string }[]): void {
    for (const m of messages) this.live.push({ topic, ...m });
  }

  async lastSourceOffset(topic: string, sourcePartition: number): Promise<number | null> {
    if (this.readBackError) throw this.readBackError;
    let best: number | null = null;
    for (const s of this.on(topic)) {
      if (s.partition !== sourcePartition || String(s.headers.source_partition) !== String(sourcePartition))
        continue;
      const offset = Number(String(s.headers.source_offset));
      if (best === null || offset > best) best = offset;
    }
    return best;
  }

  async barrier(): Promise<void> {
    await Promise.all([...this.inFlight]);
  }

  pending(): number {
    return this.inFlight.size;
  }

  queueFullRetries(): number {
    return 0;
  }

  liveUpdatesDropped(): number {
    return 0;
  }

  async close(): Promise<void> {
    await this.barrier();
  }

  on(topic: string): Sent[] {
    return this.tracked.filter((s) => s.topic === topic);
  }
}

/** The registry in memory: schema id 1 is user v1; `stall` holds fetches (a slow registry). */
export class MemorySchemas implements SchemaSource {
  readonly stall = new Gate();
  fetches = 0;

  async fetch(id: number): Promise<string> {
    this.fetches++;
    await this.stall.pass();
    if (id === 1) return userSchema(1).text;
    if (id === 2) return userSchema(2).text;
    throw new UnknownSchemaError(`unknown schema id ${id}`);
  }
}

function windowKey(r: WindowRow): string {
  return `${r.group}|${r.key}|${r.windowStart}|${r.partition}`;
}

const BASE_USER: UserRecord = {
  event_id: "",
  event_time: 0,
  title: "Ms",
  first_name: "Ada",
  last_name: "Lovelace",
  gender: "female",
  nat: "GB",
  country: "United Kingdom",
  city: "London",
  state: "London",
  street: "12 Main",
  postcode: "N1",
  latitude: 51.5,
  longitude: -0.1,
  timezone_offset: "+0:00",
  email: "ada@example.com",
  username: "ada",
  age: 36,
  dob: 0,
  registered_at: 0,
  phone: "0",
  cell: "0",
  id_name: "",
  id_value: null,
  picture: "",
};

export interface DriverOptions {
  partitions?: number;
  /** Configuration (loadConfig's names); windows of 10 s, lateness 5 s, idle 3 s by default. */
  env?: Record<string, string>;
  options?: Partial<ProcessorOptions>;
}

/**
 * One test's pipeline: a log, a store, output topics and a registry in memory, and processors over them
 * (start() again after stop() or crash() for the next instance, resuming from the store's checkpoints).
 */
export class InMemoryDriver {
  readonly config: Config;
  readonly opts: ProcessorOptions;
  readonly log: MemoryLog;
  readonly store = new MemoryStore();
  readonly topics = new MemoryTopics();
  readonly schemas = new MemorySchemas();
  /** Wall-clock time the processors see; moves only with advance(). */
  now = 1_000_000;
  source!: MemorySource;
  processor!: Processor;
  private seq = 0;

  constructor(o: DriverOptions = {}) {
    this.config = loadConfig({ STORE_USERS: "false", LOG_LEVEL: "silent", ...o.env });
    this.opts = loadProcessorOptions(
      {},
      {
        PROCESSOR_CHECKPOINT_INTERVAL_MS: 10,
        PROCESSOR_PUBLISH_INTERVAL_MS: 10,
        PROCESSOR_PARTIAL_WRITE_INTERVAL_MS: 10,
        PROCESSOR_MAX_BACKOFF_MS: 20,
        PROCESSOR_SHUTDOWN_TIMEOUT_MS: 1_000,
        PROCESSOR_CATCH_UP_LAG: 1_000_000,
        ...o.options,
      },
    );
    this.log = new MemoryLog(o.partitions ?? 1);
  }

  /** A new processor instance; it is assigned `partitions` (all by default) once started. */
  async start(partitions?: number[]): Promise<Processor> {
    this.source = new MemorySource(this.log);
    this.processor = new Processor(
      this.config,
      this.opts,
      `memory-${++this.seq}`,
      {
        source: this.source,
        store: this.store,
        topics: this.topics,
        schemas: this.schemas,
        now: () => this.now,
      },
      pino({ level: "silent" }),
    );
    await this.processor.start();
    await this.source.assign(partitions ?? Array.from({ length: this.log.partitions }, (_, i) => i));
    return this.processor;
  }

  /** A user event (schema v1, wire format) appended to `partition`; returns its offset. */
  produce(partition: number, eventTime: number, fields: Partial<UserRecord> = {}): number {
    const user: UserRecord = { ...BASE_USER, event_id: `e${++this.seq}`, event_time: eventTime, ...fields };
    return this.log.append(partition, encodeWire(1, userSchema(1).type.toBuffer(user)));
  }

  produceRaw(partition: number, value: Buffer | null): number {
    return this.log.append(partition, value);
  }

  /** Moves the processors' wall clock; the core's clock follows it by at most 250 ms a loop turn. */
  advance(ms: number): void {
    this.now += ms;
  }

  /** Waits (real time) until `done` holds. */
  async until(what: string, done: () => boolean, timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 2));
    }
  }

  /** Advances the clock step by step until `done` holds (idle partitions, closing windows). */
  async advanceUntil(what: string, done: () => boolean, stepMs = 100, timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      this.advance(stepMs);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** Everything the source holds is processed by the current instance. */
  caughtUp(): boolean {
    const s = this.processor.status();
    return s.partitions.length > 0 && s.partitions.every((p) => p.nextOffset >= this.log.end(p.partition));
  }

  async stop(): Promise<void> {
    await this.processor.stop();
  }

  /** The instance dies: no last checkpoint, nothing flushed. */
  crash(): void {
    this.processor.abort();
  }
}
