import { randomUUID } from "node:crypto";
import type { Message } from "@confluentinc/kafka-javascript";
import { hourBucket } from "../../common/src/cassandra-schema.ts";
import type { Config } from "../../common/src/config.ts";
import { ensureTopics } from "../../common/src/kafka-topics.ts";
import { createLogger, type Logger } from "../../common/src/logger.ts";
import { permanentCassandraError } from "./cassandra-errors.ts";
import { CassandraStore, type StoredUser } from "./cassandra-store.ts";
import { AddStatus, WindowEngine, type WindowRow } from "./core/index.ts";
import { decodeDeadLetter } from "./decode-dead-letter.ts";
import { EventDecoder } from "./event-decoder.ts";
import { KafkaSource, OFFSET_BEGINNING } from "./kafka-source.ts";
import { ProcessorMetrics, RateMeter, RecentSample } from "./metrics.ts";
import { Admit, admit, applied, newTrack, positioned, type Track } from "./partition-track.ts";
import { loadProcessorOptions, type ProcessorOptions } from "./processor-options.ts";
import { handOver, shutdownBudget } from "./revocation.ts";
import { registrySource, SchemaCache, type SchemaSource } from "./schema-cache.ts";
import { type Headers, SideProducer } from "./side-producer.ts";
import { type ProcessorStatus, type StatusServer, serveStatus } from "./status-server.ts";
import { fitsCassandraKey } from "./user-record.ts";
import { WriteQueue } from "./write-queue.ts";

export interface StartOptions {
  /** Tuning; defaults from PROCESSOR_* environment variables. */
  options?: Partial<ProcessorOptions>;
  log?: Logger;
  schemaSource?: SchemaSource;
}

export interface ProcessorHandle {
  /** Graceful stop: drain, checkpoint, commit, leave the group. Rejects if it took longer than the bound. */
  stop(): Promise<void>;
  status(): ProcessorStatus;
  /** Port of /status and /metrics (useful with PROCESSOR_METRICS_PORT=0). */
  port: number;
  metrics: ProcessorMetrics;
  /** Settles when the processor stopped on its own after a fatal error. */
  failed: Promise<Error>;
}

interface Fetch {
  /** Source generation when consume() was called. */
  generation: number;
  messages: Promise<Message[]>;
}

interface Snap {
  track: Track;
  nextOffset: number;
  watermark: number | null;
  state: Uint8Array;
}

/** Largest step of the core's clock per loop turn; a turn normally takes at most ~100 ms (consume timeout). */
const MAX_CLOCK_STEP_MS = 250;

const finite = (n: number): number | null => (Number.isFinite(n) ? n : null);

const rowKey = (r: WindowRow) => `${r.group}|${r.key}|${r.windowStart}|${r.partition}`;

function headersOf(m: Message): Headers {
  const out: Headers = {};
  for (const h of m.headers ?? []) for (const [k, v] of Object.entries(h)) out[k] = v;
  return out;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The consumer-group processor (docs/exactly-once.md): Kafka → decode → windowing core → Cassandra, the
 * aggregates topic, the late and dead-letter topics. All engine mutations happen in synchronous stretches of
 * the single JS thread, so a snapshot always matches the offsets it records.
 */
class Processor {
  readonly instance: string;
  readonly metrics = new ProcessorMetrics();
  private readonly engine: WindowEngine;
  private readonly decoder: EventDecoder;
  private readonly schemas: SchemaCache;
  private readonly sink: WriteQueue;
  private readonly side: SideProducer;
  private readonly source: KafkaSource;
  private readonly tracks = new Map<number, Track>();
  private readonly pendingPartials = new Map<string, WindowRow>();
  private readonly latencies = new RecentSample();
  private readonly batchSizes = new RecentSample(512);
  private readonly rate = new RateMeter();
  private readonly dims: string[];
  private readonly keys: Int32Array;
  private readonly startedAt = Date.now();
  private checkpointChain: Promise<void> = Promise.resolve();
  private checkpointing = false;
  /** Revocations under way. */
  private revoking = 0;
  private stopping = false;
  private loopDone: Promise<void> = Promise.resolve();
  private processed = 0;
  private late = 0;
  private partlyLate = 0;
  private refused = 0;
  private deadLettered = 0;
  private eventsPerSec = 0;
  private paused = false;
  private readonly pausedParts = new Set<number>();
  /** The core's processing time (see advanceClock()). */
  private engineNow = Date.now();
  private lastLoopAt = Date.now();
  private lastPublish = 0;
  private lastPartialWrite = 0;
  private lastCheckpoint = 0;
  private lastRate = 0;
  private failure: Error | null = null;
  /** Why the graceful stop could not write the last checkpoint. */
  private stopIncomplete: Error | null = null;
  private readonly budget: ReturnType<typeof shutdownBudget>;
  private resolveFailed!: (err: Error) => void;
  readonly failed = new Promise<Error>((resolve) => {
    this.resolveFailed = resolve;
  });

  constructor(
    readonly config: Config,
    readonly opts: ProcessorOptions,
    private readonly store: CassandraStore,
    readonly log: Logger,
    schemaSource: SchemaSource,
  ) {
    this.instance = opts.PROCESSOR_INSTANCE ?? `processor-${randomUUID().slice(0, 8)}`;
    this.budget = shutdownBudget(opts.PROCESSOR_SHUTDOWN_TIMEOUT_MS);
    this.dims = config.GROUP_BY.split(",")
      .map((g) => g.trim())
      .filter((g) => g !== "");
    this.engine = new WindowEngine({
      windowSizeMs: config.WINDOW_SIZE_MS,
      windowSlideMs: config.WINDOW_SLIDE_MS,
      allowedLatenessMs: config.ALLOWED_LATENESS_MS,
      idleTimeoutMs: config.IDLE_TIMEOUT_MS,
      groupBy: this.dims,
    });
    this.keys = new Int32Array(this.dims.length);
    this.schemas = new SchemaCache(schemaSource, {
      notFoundRetryMs: opts.PROCESSOR_SCHEMA_NOT_FOUND_RETRY_MS,
      notFoundCacheMs: opts.PROCESSOR_SCHEMA_NOT_FOUND_CACHE_MS,
    });
    this.decoder = new EventDecoder(this.schemas, [this.engine.valueField, ...this.dims], {
      maxFutureSkewMs: config.EVENT_TIME_MAX_FUTURE_SKEW_MS,
      now: Date.now,
    });
    this.sink = new WriteQueue({
      concurrency: opts.PROCESSOR_SINK_CONCURRENCY,
      baseBackoffMs: 100,
      maxBackoffMs: opts.PROCESSOR_MAX_BACKOFF_MS,
      log,
      observe: (ms) => {
        this.latencies.add(ms);
        this.metrics.sinkLatency.observe(ms / 1000);
      },
      permanent: permanentCassandraError,
      onPermanent: (err) => this.fail(err),
    });
    this.side = new SideProducer(config, log, {
      clientId: `${this.instance}-out`,
      onFatal: (err) => this.fail(err),
    });
    this.source = new KafkaSource(config, log, {
      clientId: this.instance,
      queuedMaxKbytes: opts.PROCESSOR_FETCH_QUEUE_KB,
      fetchQueueBackoffMs: opts.PROCESSOR_FETCH_QUEUE_BACKOFF_MS,
    });
  }

  async start(): Promise<void> {
    await this.side.connect();
    await this.source.start({
      assigned: (partitions) => this.onAssigned(partitions),
      revoked: (partitions) => this.onRevoked(partitions),
      positioned: (partitions, generation) => {
        for (const p of partitions) {
          const t = this.tracks.get(p);
          if (t) positioned(t, generation, false);
        }
      },
    });
    this.loopDone = this.loop().catch((err: Error) => {
      // Stopping cuts retries short (a registry fetch, say): that batch is simply not processed.
      if (this.stopping) {
        this.log.warn({ err: err.message }, "processing loop ended early by the stop");
        return;
      }
      this.log.error({ stack: err.stack }, "processing loop failed");
      this.fail(err);
    });
  }

  /**
   * Stops processing on an error it cannot get past (a checkpoint of another window configuration, an
   * output refused for good): retrying would stall the pipeline silently. `failed` settles (main exits
   * non-zero), /healthz answers 503 and /status carries the reason. No checkpoint passes the failure.
   */
  private fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    this.stopping = true;
    this.log.error({ err: err.message }, "processor failed, stopping");
    this.resolveFailed(err);
  }

  /** null while healthy, else why not (for /healthz). */
  unhealthy(): string | null {
    return this.failure?.message ?? null;
  }

  /**
   * Processing time as the core sees it, which decides idleness. It only runs while the input really
   * could have delivered: not while consumption is paused, records are still waiting in Kafka (catching
   * up) or a rebalance is under way, and at most MAX_CLOCK_STEP_MS per loop turn, so a stall of the loop
   * itself (registry retries, a slow batch) never makes partitions look idle and close windows early.
   */
  private advanceClock(now: number, frozen: boolean): number {
    const step = Math.min(Math.max(0, now - this.lastLoopAt), MAX_CLOCK_STEP_MS);
    this.lastLoopAt = now;
    if (!frozen) this.engineNow += step;
    return this.engineNow;
  }

  private async onAssigned(partitions: number[]): Promise<Map<number, number>> {
    const offsets = new Map<number, number>();
    for (const partition of partitions) {
      const cp = await this.retry(
        `read checkpoint ${partition}`,
        () => this.store.readCheckpoint(this.config.TOPIC_USERS, partition),
        permanentCassandraError,
      );
      try {
        const [a] = this.engine.assign(
          [cp ? { partition, snapshot: new Uint8Array(cp.state) } : { partition }],
          this.engineNow,
        );
        const next = a?.nextOffset === undefined ? 0 : Number(a.nextOffset);
        this.tracks.set(partition, newTrack(partition, a!.slot, next, cp !== null));
        offsets.set(partition, cp ? next : OFFSET_BEGINNING);
      } catch (err) {
        // A snapshot of another window configuration cannot be continued: stop rather than miscount.
        const e = new Error(`partition ${partition}: cannot restore checkpoint: ${(err as Error).message}`);
        this.fail(e);
        throw e;
      }
    }
    return offsets;
  }

  /**
   * Takes the revoked partitions' last snapshot and drops them from the core at once (nothing they hold
   * may change or be emitted after the snapshot), then waits, bounded, for that checkpoint to be durable.
   */
  private async onRevoked(partitions: number[]): Promise<void> {
    const mine = partitions.filter((p) => this.tracks.has(p));
    // Leaving the group revokes again what stop() already handed over: nothing to wait for.
    if (mine.length === 0) return;
    for (const p of mine) this.tracks.get(p)!.revoking = true;
    this.revoking++;
    try {
      const persisted = handOver(
        () => this.checkpoint(mine),
        () => this.engine.revoke(mine),
      );
      await this.withTimeout(persisted, this.budget.revokeWaitMs, "revocation checkpoint");
    } catch (err) {
      // The next owner resumes from the previous checkpoint and recomputes the same rows.
      this.log.warn({ partitions: mine, err: (err as Error).message }, "revoked without a final checkpoint");
      if (this.stopping) this.stopIncomplete ??= err as Error;
    } finally {
      this.revoking--;
      for (const p of mine) {
        this.tracks.delete(p);
        this.pausedParts.delete(p);
        this.metrics.lag.remove(String(p));
        this.metrics.partitionWatermark.remove(String(p));
      }
    }
  }

  private async loop(): Promise<void> {
    let next: Fetch | null = null;
    try {
      while (!this.stopping) {
        const now = Date.now();
        this.backpressure();
        const frozen = this.paused || this.revoking > 0 || this.catchingUp();
        this.engine.tick(this.advanceClock(now, frozen));
        await this.resync();
        const current: Fetch = next ?? this.fetch();
        next = null;
        const messages = await current.messages;
        // The next batch is built by librdkafka's worker thread while this one is processed, but only
        // while the fetch positions stand: a batch taken before a (re)positioning is judged by admit(),
        // and fetching again behind it would take another batch from before the seek it asks for.
        if (!this.stopping && current.generation === this.source.generation()) next = this.fetch();
        if (messages.length > 0) {
          this.metrics.batchSize.observe(messages.length);
          this.batchSizes.add(messages.length);
          await this.processBatch(messages, current.generation);
        }
        this.afterBatch();
      }
    } finally {
      // Its messages are not applied, so no checkpoint covers them: the next owner fetches them again.
      await next?.messages.catch(() => undefined);
    }
  }

  /** A consume() call with the generation it was made at: the batch holds nothing fetched before it. */
  private fetch(): Fetch {
    const generation = this.source.generation();
    return { generation, messages: this.source.consume(this.opts.PROCESSOR_BATCH_SIZE) };
  }

  /** Timed duties between batches: publish, partial writes, checkpoints, rates. */
  private afterBatch(): void {
    const o = this.opts;
    const t = Date.now();
    if (t - this.lastPublish >= o.PROCESSOR_PUBLISH_INTERVAL_MS) this.flushRows(t);
    if (t - this.lastPartialWrite >= o.PROCESSOR_PARTIAL_WRITE_INTERVAL_MS) this.writePartials(t);
    if (t - this.lastCheckpoint >= o.PROCESSOR_CHECKPOINT_INTERVAL_MS && !this.checkpointing) {
      this.lastCheckpoint = t;
      this.checkpoint().catch((err: Error) => this.log.warn({ err: err.message }, "checkpoint failed"));
    }
    if (t - this.lastRate >= 1000) {
      this.lastRate = t;
      this.eventsPerSec = this.rate.sample(t, this.processed);
      this.refreshGauges();
    }
  }

  /** Any owned partition with more than PROCESSOR_CATCH_UP_LAG records (or an unknown end) still to read. */
  private catchingUp(): boolean {
    for (const t of this.tracks.values()) {
      if (t.revoking) continue;
      const end = this.source.highWatermark(t.partition);
      if (end === undefined || end - t.nextOffset > this.opts.PROCESSOR_CATCH_UP_LAG) return true;
    }
    return false;
  }

  /** Pauses fetching while writes or tracked sends pile up (Cassandra slow or down); resumes at half. */
  private backpressure(): void {
    const max = this.opts.PROCESSOR_MAX_PENDING_WRITES;
    const pending = this.sink.size() + this.side.pending();
    this.metrics.pendingWrites.set(this.sink.size());
    if (!this.paused && pending > max) {
      this.paused = true;
      this.log.warn({ pending }, "backpressure: pausing consumption until writes drain");
    } else if (this.paused && pending <= max / 2) {
      this.paused = false;
      this.source.resume([...this.pausedParts]);
      this.pausedParts.clear();
      this.log.info({ pending }, "backpressure released: consuming again");
    }
    if (this.paused) {
      const toPause = [...this.tracks.keys()].filter((p) => !this.pausedParts.has(p));
      this.source.pause(toPause);
      for (const p of toPause) this.pausedParts.add(p);
    }
    this.metrics.paused.set(this.paused ? 1 : 0);
  }

  /**
   * Seeks the partitions whose messages could not be applied back to their nextOffset. Done between two
   * consume() calls, so that no batch straddles the seek.
   */
  private async resync(): Promise<void> {
    for (const t of this.tracks.values()) {
      if (!t.resync || t.revoking || t.trustedFrom === Number.POSITIVE_INFINITY) continue;
      try {
        const generation = await this.source.seek(t.partition, t.nextOffset);
        if (this.tracks.get(t.partition) === t && t.resync) positioned(t, generation, true);
        this.metrics.resyncs.inc();
      } catch (err) {
        this.log.warn(
          { partition: t.partition, offset: t.nextOffset, err: (err as Error).message },
          "seek back to the next offset failed; trying again",
        );
      }
    }
  }

  private async processBatch(messages: Message[], generation: number): Promise<void> {
    const ids = new Set<number>();
    for (const m of messages) {
      const id = EventDecoder.schemaId(m.value);
      if (id !== null && !this.schemas.get(id) && !this.schemas.failure(id)) ids.add(id);
    }
    if (ids.size > 0) await this.retry("fetch schemas", () => this.schemas.load(ids));
    // From here on synchronous: the engine, offsets and outputs move together.
    const storeUsers = this.config.STORE_USERS;
    const users: StoredUser[] = [];
    const engine = this.engine;
    const keys = this.keys;
    const dims = this.dims;
    const valueField = engine.valueField;
    let aggregated = 0;
    for (const m of messages) {
      const t = this.tracks.get(m.partition);
      const verdict = admit(t, m.offset, generation);
      if (t === undefined || verdict === Admit.Skip) continue;
      if (verdict === Admit.Resync) {
        t.resync = true;
        continue;
      }
      if (verdict === Admit.ApplyAfterGap && t.checkpointed !== null) this.offsetGap(t, m.offset);
      applied(t, m.offset);
      this.processed++;
      const decoded = this.decoder.decode(m.value, storeUsers, m.timestamp);
      if (!decoded.ok) {
        this.deadLetter(m, decoded.reason);
        continue;
      }
      const rec = decoded.record;
      const eventTime = rec.event_time;
      const value = rec[valueField];
      let status: AddStatus = AddStatus.Invalid;
      if (typeof eventTime === "number" && typeof value === "number") {
        let problem: string | null = null;
        for (let d = 0; d < dims.length; d++) {
          const v = rec[dims[d]!];
          if (v === null || v === undefined) {
            problem = `invalid event: no ${dims[d]}`;
            break;
          }
          const k = typeof v === "string" ? v : String(v);
          // The value becomes a clustering key of window_aggregates: Cassandra would refuse it forever.
          if (!fitsCassandraKey(k)) {
            problem = `invalid event: ${dims[d]} is ${Buffer.byteLength(k)} bytes, over Cassandra's 65535-byte key limit`;
            break;
          }
          keys[d] = engine.keyId(t.slot, d, k);
        }
        if (problem !== null) {
          this.deadLetter(m, problem);
          continue;
        }
        status = engine.add(t.slot, eventTime, value, keys);
      }
      if (status === AddStatus.Added) aggregated++;
      else if (status === AddStatus.AddedPartlyLate) {
        aggregated++;
        this.partlyLate++;
        this.metrics.partlyLate.inc();
      } else if (status === AddStatus.Late) this.sendLate(m, t);
      else if (status === AddStatus.Invalid) {
        this.deadLetter(m, `invalid event: event_time ${eventTime}, ${valueField} ${value}`);
        continue;
      } else {
        this.refused++;
        this.metrics.refused.inc();
        this.deadLetter(m, "refused: window state capacity exhausted");
        continue;
      }
      if (decoded.user) {
        const source = headersOf(m).source;
        users.push({
          record: decoded.user,
          source: source === undefined ? null : source.toString(),
          partition: m.partition,
          offset: String(m.offset),
        });
      }
    }
    this.metrics.events.inc({ outcome: "aggregated" }, aggregated);
    for (const batch of chunks(users, this.opts.PROCESSOR_USERS_PER_BATCH)) {
      void this.sink.submit("users", () => this.store.writeUsers(batch), batch.length).catch(() => undefined);
    }
    // Final rows are written as soon as they exist; open rows wait for the publish/partial cadence.
    this.writeFinals(this.engine.takeFinal(), Date.now());
  }

  /** The log no longer has the offsets between where the state resumes and `offset` (retention). */
  private offsetGap(t: Track, offset: number): void {
    this.metrics.offsetGap.inc(offset - t.nextOffset);
    this.log.warn(
      { partition: t.partition, from: t.nextOffset, to: offset - 1 },
      "records between the checkpoint and the first offset Kafka still has are gone; going on from there",
    );
  }

  private deadLetter(m: Message, reason: string): void {
    const source = headersOf(m).source;
    const letter = decodeDeadLetter(
      {
        value: m.value,
        key: m.key,
        partition: m.partition,
        offset: m.offset,
        source: source === undefined ? undefined : source.toString(),
      },
      reason,
      this.opts.PROCESSOR_DLQ_MAX_PAYLOAD_BYTES,
    );
    if (letter.truncated) this.metrics.deadLettersTruncated.inc();
    this.side.sendTracked(this.config.TOPIC_DLQ, letter.key, letter.value, letter.headers);
    this.deadLettered++;
    this.metrics.deadLettered.inc({ stage: "decode" });
    this.metrics.events.inc({ outcome: "dead_letter" });
  }

  private sendLate(m: Message, t: Track): void {
    const headers: Headers = {
      ...headersOf(m),
      late_reason: this.engine.lastLateBehindOwnWatermark
        ? "window closed: its end is at or before its partition's watermark"
        : "window closed: the processor watermark passed its end while its partition was idle",
      window_end: String(this.engine.lastLateWindowEnd),
      watermark: String(this.engine.watermarkOf(t.slot)),
      source_partition: String(m.partition),
      source_offset: String(m.offset),
    };
    this.side.sendTracked(this.config.TOPIC_LATE, m.key ?? null, m.value ?? Buffer.alloc(0), headers);
    this.late++;
    this.metrics.late.inc();
    this.metrics.events.inc({ outcome: "late" });
  }

  /** Final rows: written now (fenced by their write timestamp), published, and no longer pending as open. */
  private writeFinals(rows: WindowRow[], now: number): void {
    if (rows.length === 0) return;
    for (const r of rows) {
      this.pendingPartials.delete(rowKey(r));
      // Closing windows changes the state even without new records: the next checkpoint must carry it.
      const t = this.tracks.get(r.partition);
      if (t) t.changed = true;
    }
    this.writeWindows(rows, true);
    this.publish(rows, now);
  }

  /** Takes what changed in the core: finals are written, open rows are published and queued for Cassandra. */
  private flushRows(now: number): void {
    this.lastPublish = now;
    this.writeFinals(this.engine.takeFinal(), now);
    const dirty = this.engine.takeDirty();
    for (const r of dirty) this.pendingPartials.set(rowKey(r), r);
    this.publish(dirty, now);
  }

  private writePartials(now: number): void {
    this.lastPartialWrite = now;
    if (this.pendingPartials.size === 0) return;
    const rows = [...this.pendingPartials.values()];
    this.pendingPartials.clear();
    this.writeWindows(rows, false);
  }

  private writeWindows(rows: WindowRow[], final: boolean): void {
    const byPartition = new Map<string, WindowRow[]>();
    for (const r of rows) {
      const k = `${r.group}|${hourBucket(r.windowStart)}`;
      const list = byPartition.get(k);
      if (list) list.push(r);
      else byPartition.set(k, [r]);
    }
    for (const list of byPartition.values()) {
      for (const batch of chunks(list, this.opts.PROCESSOR_WINDOW_ROWS_PER_BATCH)) {
        void this.sink
          .submit(
            final ? "final windows" : "open windows",
            () => this.store.writeWindows(batch, final),
            batch.length,
          )
          .then(() => this.metrics.windowRows.inc({ kind: final ? "final" : "partial" }, batch.length))
          .catch(() => undefined);
      }
    }
  }

  private publish(rows: WindowRow[], now: number): void {
    if (rows.length === 0) return;
    const watermark = finite(this.engine.watermark());
    this.side.sendUntracked(
      this.config.TOPIC_AGGREGATES,
      rows.map((r) => ({
        key: rowKey(r),
        value: JSON.stringify({
          windowStart: r.windowStart,
          windowEnd: r.windowEnd,
          group: r.group,
          key: r.key,
          partition: r.partition,
          count: r.count,
          sumAge: r.sum,
          minAge: r.min,
          maxAge: r.max,
          final: r.final,
          watermark,
          emittedAt: now,
        }),
      })),
    );
  }

  /**
   * Checkpoints the given partitions (all changed ones by default): snapshot now, then wait until every
   * write and tracked send made so far is durable, then store the snapshots and commit the offsets.
   * Serialized, so an older snapshot never lands after a newer one.
   */
  checkpoint(only?: number[]): Promise<void> {
    const snaps = this.capture(only);
    this.checkpointing = true;
    const run = this.checkpointChain.then(() => this.persist(snaps));
    this.checkpointChain = run.then(
      () => {
        this.checkpointing = false;
      },
      () => {
        this.checkpointing = false;
      },
    );
    return run;
  }

  /** The synchronous half: outputs of everything processed so far are queued, and the state snapshotted. */
  private capture(only?: number[]): Snap[] {
    const now = Date.now();
    this.flushRows(now);
    this.writePartials(now);
    const snaps: Snap[] = [];
    for (const t of this.tracks.values()) {
      const watermark = finite(this.engine.watermarkOf(t.slot));
      const due = t.changed || watermark !== t.takenWatermark;
      if (only ? !only.includes(t.partition) : t.revoking || !due) continue;
      snaps.push({
        track: t,
        nextOffset: t.nextOffset,
        watermark,
        state: this.engine.snapshot(t.slot, String(t.nextOffset)),
      });
      t.changed = false;
      t.takenWatermark = watermark;
    }
    return snaps;
  }

  /**
   * The asynchronous half: once everything queued before the capture is durable, store the snapshots.
   * Only while this assignment still owns the partition, checked again before every attempt: a checkpoint
   * that outlived its revocation (Cassandra slow, the revocation gave up waiting) must not land over the
   * next owner's. An attempt already sent before the release carries an older client timestamp than
   * anything the next owner writes, so Cassandra keeps the newer row whatever the order of arrival.
   */
  private async persist(snaps: Snap[]): Promise<void> {
    if (snaps.length === 0) return;
    const written: Snap[] = [];
    try {
      await Promise.all([this.sink.barrier(), this.side.barrier()]);
      await Promise.all(
        snaps.map((s) =>
          this.sink.submit(`checkpoint ${s.track.partition}`, async () => {
            if (!this.owns(s.track)) return;
            await this.store.writeCheckpoint(this.config.TOPIC_USERS, {
              partition: s.track.partition,
              nextOffset: String(s.nextOffset),
              watermark: s.watermark,
              state: Buffer.from(s.state.buffer, s.state.byteOffset, s.state.byteLength),
            });
            written.push(s);
          }),
        ),
      );
    } catch (err) {
      for (const s of snaps) s.track.changed = true;
      throw err;
    }
    const offsets = new Map<number, number>();
    for (const s of written) {
      s.track.checkpointed = s.nextOffset;
      offsets.set(s.track.partition, s.nextOffset);
    }
    this.metrics.checkpoints.inc(written.length);
    this.source.commit(offsets);
  }

  /** Whether `t` is still the current assignment of its partition (revoking included). */
  private owns(t: Track): boolean {
    return this.tracks.get(t.partition) === t;
  }

  private refreshGauges(): void {
    this.metrics.eventsPerSec.set(this.eventsPerSec);
    const wm = finite(this.engine.watermark());
    if (wm !== null) this.metrics.watermark.set(wm);
    for (const s of this.engine.status()) {
      const t = this.tracks.get(s.partition);
      const w = finite(s.watermark);
      if (w !== null) this.metrics.partitionWatermark.set({ partition: String(s.partition) }, w);
      const end = this.source.highWatermark(s.partition);
      if (t && end !== undefined)
        this.metrics.lag.set({ partition: String(s.partition) }, Math.max(0, end - t.nextOffset));
    }
    this.metrics.writeRetries.inc(this.sink.failedAttempts() - this.seen.writeRetries);
    this.seen.writeRetries = this.sink.failedAttempts();
    this.metrics.sideQueueFull.inc(this.side.queueFullRetries() - this.seen.queueFull);
    this.seen.queueFull = this.side.queueFullRetries();
    this.metrics.liveDropped.inc(this.side.liveUpdatesDropped() - this.seen.liveDropped);
    this.seen.liveDropped = this.side.liveUpdatesDropped();
  }

  /** Running totals already added to the Prometheus counters fed from them. */
  private readonly seen = { writeRetries: 0, queueFull: 0, liveDropped: 0 };

  status(): ProcessorStatus {
    const parts = this.engine.status().map((s) => {
      const t = this.tracks.get(s.partition);
      const end = this.source.highWatermark(s.partition);
      const nextOffset = t?.nextOffset ?? 0;
      return {
        partition: s.partition,
        nextOffset,
        watermark: finite(s.watermark),
        idle: s.idle,
        lag: end === undefined ? null : Math.max(0, end - nextOffset),
        checkpointedOffset: t?.checkpointed ?? null,
        openWindows: s.openWindows,
        partlyLate: s.counters.partlyLate,
        refused: s.counters.refused,
      };
    });
    parts.sort((a, b) => a.partition - b.partition);
    return {
      instance: this.instance,
      group: this.config.CONSUMER_GROUP,
      assigned: parts.map((p) => p.partition),
      watermark: finite(this.engine.watermark()),
      partitions: parts,
      processed: this.processed,
      late: this.late,
      partlyLate: this.partlyLate,
      refused: this.refused,
      deadLettered: this.deadLettered,
      eventsPerSec: Math.round(this.eventsPerSec),
      sinkLatencyMs: { p50: this.latencies.quantile(0.5), p99: this.latencies.quantile(0.99) },
      batchSize: {
        last: this.batchSizes.latest(),
        p50: this.batchSizes.quantile(0.5),
        p99: this.batchSizes.quantile(0.99),
        max: this.batchSizes.quantile(1),
        limit: this.opts.PROCESSOR_BATCH_SIZE,
      },
      startedAt: this.startedAt,
      paused: this.paused,
      pendingWrites: this.sink.size(),
      failure: this.failure?.message ?? null,
    };
  }

  /** Drains and checkpoints everything owned, leaves the group, closes the outputs. */
  /**
   * Leaves the group even when the last checkpoint cannot be written (then rejects, after leaving): the
   * next owner can take over at once instead of waiting for the session to time out.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.loopDone;
    await this.source.stop();
    await this.side.close(this.budget.flushMs);
    if (this.stopIncomplete) {
      throw new Error(`stopped without the last checkpoint: ${this.stopIncomplete.message}`);
    }
  }

  /** Stops retrying (writes not yet durable are abandoned; the checkpoints before them stand). */
  abort(): void {
    this.stopping = true;
    this.sink.abort();
  }

  /** Retries `fn` with backoff until it succeeds; an error `permanent` recognizes fails the processor. */
  private async retry<T>(
    what: string,
    fn: () => Promise<T>,
    permanent: (err: unknown) => string | null = () => null,
  ): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        const reason = permanent(err);
        if (reason !== null) {
          const e = new Error(`${what}: ${reason}`, { cause: err });
          this.fail(e);
          throw e;
        }
        if (this.stopping && attempt > 0) throw err;
        const delay = Math.min(this.opts.PROCESSOR_MAX_BACKOFF_MS, 100 * 2 ** Math.min(attempt, 10));
        this.log.warn(
          { attempt: attempt + 1, retryInMs: delay, err: (err as Error).message },
          `${what} failed, retrying`,
        );
        await sleep(delay);
      }
    }
  }

  private async withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        p,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * Starts a processor instance: migrates the schema, creates missing topics, joins the consumer group and
 * serves /status and /metrics. `stop()` is the graceful shutdown (bounded by PROCESSOR_SHUTDOWN_TIMEOUT_MS).
 */
export async function startProcessor(config: Config, start: StartOptions = {}): Promise<ProcessorHandle> {
  const opts = loadProcessorOptions(process.env, start.options);
  const log = start.log ?? createLogger("processor", config.LOG_LEVEL);
  const store = await CassandraStore.open(config, opts.PROCESSOR_WRITE_TIMEOUT_MS);
  await ensureTopics(config);
  const processor = new Processor(config, opts, store, log, start.schemaSource ?? registrySource(config));
  let server: StatusServer | null = null;
  try {
    server = await serveStatus(config.PROCESSOR_METRICS_HOST, config.PROCESSOR_METRICS_PORT, {
      status: () => processor.status(),
      unhealthy: () => processor.unhealthy(),
      metrics: () => processor.metrics.registry.metrics(),
      contentType: processor.metrics.registry.contentType,
    });
    await processor.start();
  } catch (err) {
    await server?.close();
    await store.close();
    throw err;
  }
  log.info(
    { instance: processor.instance, port: server.port, group: config.CONSUMER_GROUP },
    "processor started",
  );
  let stopped: Promise<void> | null = null;
  const stop = async () => {
    const bound = opts.PROCESSOR_SHUTDOWN_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`graceful stop took longer than ${bound} ms`)), bound);
    });
    try {
      await Promise.race([processor.stop(), timeout]);
    } catch (err) {
      processor.abort();
      throw err;
    } finally {
      clearTimeout(timer);
      await server?.close();
      await store.close().catch(() => undefined);
    }
    log.info({ instance: processor.instance }, "processor stopped");
  };
  return {
    stop: () => {
      stopped ??= stop();
      return stopped;
    },
    status: () => processor.status(),
    port: server.port,
    metrics: processor.metrics,
    failed: processor.failed,
  };
}
