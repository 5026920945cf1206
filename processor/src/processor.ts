import { fieldsRead } from "../../common/src/aggregate-fields.ts";
import type { Config } from "../../common/src/config.ts";
import type { ProcessorStatus } from "../../common/src/contracts/processor-status.ts";
import type { Logger } from "../../common/src/logger.ts";
import { PermanentError, retry } from "../../common/src/retry.ts";
import { withTimeout } from "../../common/src/timeouts.ts";
import { Checkpointer } from "./checkpointer.ts";
import { WindowEngine } from "./core/index.ts";
import { E2eLatency } from "./e2e-latency.ts";
import { WindowEmitter } from "./emitter.ts";
import { coreConfig } from "./engine-config.ts";
import { EventDecoder } from "./event-decoder.ts";
import { Liveness } from "./liveness.ts";
import { ProcessorMetrics } from "./metrics.ts";
import { Admit, admit, applied, newTrack, positioned, type Track } from "./partition-track.ts";
import {
  OFFSET_BEGINNING,
  type OutputTopics,
  type ProcessorStore,
  type RecordSource,
  type SourceRecord,
  type StoredUser,
} from "./ports.ts";
import type { ProcessorOptions } from "./processor-options.ts";
import { sourceOf } from "./record-headers.ts";
import { RecordRouter } from "./record-router.ts";
import { refusalReason } from "./refusal.ts";
import { handOver, shutdownBudget } from "./revocation.ts";
import { reportingSource, SchemaCache, type SchemaSource } from "./schema-cache.ts";
import { SideOutputs } from "./side-outputs.ts";
import { newTotals, StatusReporter } from "./status.ts";
import { WriteQueue } from "./write-queue.ts";

/** The outside world of one processor (ports.ts): Kafka and Cassandra in production, memory in unit tests. */
export interface ProcessorPorts {
  source: RecordSource;
  store: ProcessorStore;
  topics: OutputTopics;
  schemas: SchemaSource;
  /** Wall-clock time (ms); the core's processing time is derived from it (see advanceClock()). */
  now?: () => number;
}

interface Fetch {
  /** Source generation when consume() was called. */
  generation: number;
  records: Promise<SourceRecord[]>;
}

/** Largest step of the core's clock per loop turn; a turn normally takes at most ~100 ms (consume timeout). */
const MAX_CLOCK_STEP_MS = 250;

/**
 * The consumer-group processor (docs/exactly-once.md): the loop that takes batches from the source,
 * admits each record to its partition's track, routes it (record-router.ts) and sends on what the route
 * says; rebalances, backpressure, resyncs and the core's clock. Outputs are the emitter's and the side
 * outputs', checkpoints the checkpointer's. All engine mutations happen in synchronous stretches of the
 * single JS thread, so a snapshot always matches the offsets it records.
 */
export class Processor {
  readonly metrics = new ProcessorMetrics();
  private readonly engine: WindowEngine;
  private readonly schemas: SchemaCache;
  private readonly liveness: Liveness;
  private readonly router: RecordRouter;
  private readonly writes: WriteQueue;
  private readonly emitter: WindowEmitter;
  private readonly e2e: E2eLatency;
  private readonly sideOutputs: SideOutputs;
  private readonly checkpointer: Checkpointer;
  private readonly reporter: StatusReporter;
  private readonly source: RecordSource;
  private readonly now: () => number;
  private readonly tracks = new Map<number, Track>();
  private readonly totals = newTotals();
  /** Revocations under way. */
  private revoking = 0;
  private stopping = false;
  private loopDone: Promise<void> = Promise.resolve();
  private paused = false;
  private readonly pausedParts = new Set<number>();
  /** The core's processing time (see advanceClock()). */
  private engineNow: number;
  /** Why it stood still at the last loop turn (holdingClock()); null while it ran. */
  private clockHeld: string | null = null;
  private lastLoopAt: number;
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
    readonly instance: string,
    private readonly ports: ProcessorPorts,
    readonly log: Logger,
  ) {
    this.source = ports.source;
    this.now = ports.now ?? Date.now;
    this.engineNow = this.now();
    this.lastLoopAt = this.engineNow;
    this.budget = shutdownBudget(opts.PROCESSOR_SHUTDOWN_TIMEOUT_MS);
    this.engine = new WindowEngine(coreConfig(config, opts.PROCESSOR_MAX_KEYS_PER_PARTITION));
    const dims = this.engine.config.groupBy;
    const liveness = new Liveness({ unhealthyAfterMs: opts.PROCESSOR_UNHEALTHY_AFTER_MS, now: this.now });
    this.liveness = liveness;
    const registry = {
      reached: () => liveness.reached("schema registry"),
      missed: (err: unknown, at: number) => liveness.missed("schema registry", err, at),
    };
    this.schemas = new SchemaCache(reportingSource(ports.schemas, registry, this.now), {
      notFoundRetryMs: opts.PROCESSOR_SCHEMA_NOT_FOUND_RETRY_MS,
      notFoundCacheMs: opts.PROCESSOR_SCHEMA_NOT_FOUND_CACHE_MS,
    });
    this.router = new RecordRouter(
      this.engine,
      new EventDecoder(
        this.schemas,
        [this.engine.valueField, ...dims, ...fieldsRead(this.engine.extraFields)],
        {
          maxFutureSkewMs: config.EVENT_TIME_MAX_FUTURE_SKEW_MS,
          now: Date.now,
        },
      ),
      dims,
    );
    this.writes = new WriteQueue({
      concurrency: opts.PROCESSOR_SINK_CONCURRENCY,
      backoff: { baseMs: 100, maxMs: opts.PROCESSOR_MAX_BACKOFF_MS },
      log,
      observe: (ms) => {
        liveness.reached("Cassandra");
        this.reporter.sinkLatency(ms);
      },
      permanent: (err) => ports.store.permanentError(err),
      onPermanent: (err) => this.fail(err),
      onRetriedAttempt: (err) => liveness.missed("Cassandra", err),
    });
    this.e2e = new E2eLatency(this.metrics);
    this.emitter = new WindowEmitter(
      config,
      opts,
      this.engine,
      this.tracks,
      this.writes,
      ports.store,
      ports.topics,
      this.metrics,
      this.e2e,
    );
    this.sideOutputs = new SideOutputs(
      config,
      ports.topics,
      this.metrics,
      this.totals,
      opts.PROCESSOR_DLQ_MAX_PAYLOAD_BYTES,
    );
    this.checkpointer = new Checkpointer({
      config,
      intervalMs: opts.PROCESSOR_CHECKPOINT_INTERVAL_MS,
      engine: this.engine,
      tracks: this.tracks,
      emitter: this.emitter,
      writes: this.writes,
      topics: ports.topics,
      store: ports.store,
      source: this.source,
      metrics: this.metrics,
      log,
      now: this.now,
    });
    this.reporter = new StatusReporter({
      instance,
      group: config.CONSUMER_GROUP,
      batchLimit: opts.PROCESSOR_BATCH_SIZE,
      engine: this.engine,
      tracks: this.tracks,
      source: this.source,
      writes: this.writes,
      topics: ports.topics,
      metrics: this.metrics,
      totals: this.totals,
      paused: () => this.paused,
      clockHeld: () => this.clockHeld,
      failure: () => this.failure,
      e2e: this.e2e,
    });
  }

  async start(): Promise<void> {
    await this.ports.topics.connect();
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
  fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    this.stopping = true;
    this.log.error({ err: err.message }, "processor failed, stopping");
    this.resolveFailed(err);
  }

  /** null while healthy, else why not (for /healthz): failed for good, or unable to make progress now. */
  unhealthy(): string | null {
    return this.failure?.message ?? this.liveness.unhealthy();
  }

  status(): ProcessorStatus {
    return this.reporter.status();
  }

  /**
   * Processing time as the core sees it, which decides idleness. It only runs while the input really
   * could have delivered: not while consumption is paused, records are still waiting in Kafka (catching
   * up), the broker has not confirmed lately that nothing more is there (down, restarting, unreachable:
   * the producers' retries would otherwise arrive in windows closed meanwhile) or a rebalance is under way, and at most MAX_CLOCK_STEP_MS per loop turn, so a stall of the loop
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
        () => this.ports.store.readCheckpoint(this.config.TOPIC_USERS, partition),
        (err) => this.ports.store.permanentError(err),
      );
      // Before any record of the partition is processed: what a previous run already sent is not sent again.
      try {
        await this.sideOutputs.resume(partition);
      } catch (err) {
        // An assignment arriving while this instance stops (the others leaving at once) is not taken:
        // its read-back cut short by the stop is no failure; the partition's next owner reads it again.
        if (!this.stopping) this.fail(err as Error);
        throw err;
      }
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
        () => this.checkpointer.checkpoint(mine),
        () => this.engine.revoke(mine),
      );
      const ms = this.budget.revokeWaitMs;
      await withTimeout(persisted, ms, `revocation checkpoint took longer than ${ms} ms`);
    } catch (err) {
      // The next owner resumes from the previous checkpoint and recomputes the same rows.
      this.log.warn({ partitions: mine, err: (err as Error).message }, "revoked without a final checkpoint");
      if (this.stopping) this.stopIncomplete ??= err as Error;
    } finally {
      this.revoking--;
      for (const p of mine) {
        this.tracks.delete(p);
        this.pausedParts.delete(p);
        this.reporter.forget(p);
      }
    }
  }

  private async loop(): Promise<void> {
    let next: Fetch | null = null;
    try {
      while (!this.stopping) {
        this.liveness.turned();
        const now = this.now();
        this.backpressure();
        this.clockHeld = this.holdingClock();
        this.engine.tick(this.advanceClock(now, this.clockHeld !== null));
        await this.resync();
        const current: Fetch = next ?? this.fetch();
        next = null;
        const records = await current.records;
        // The next batch is built by librdkafka's worker thread while this one is processed, but only
        // while the fetch positions stand: a batch taken before a (re)positioning is judged by admit(),
        // and fetching again behind it would take another batch from before the seek it asks for.
        if (!this.stopping && current.generation === this.source.generation()) next = this.fetch();
        if (records.length > 0) {
          this.reporter.batch(records.length);
          await this.processBatch(records, current.generation);
        }
        this.afterBatch();
      }
    } finally {
      // Its records are not applied, so no checkpoint covers them: the next owner fetches them again.
      await next?.records.catch(() => undefined);
    }
  }

  /** A consume() call with the generation it was made at: the batch holds nothing fetched before it. */
  private fetch(): Fetch {
    const generation = this.source.generation();
    return { generation, records: this.source.consume(this.opts.PROCESSOR_BATCH_SIZE) };
  }

  /** Timed duties between batches: publish, partial writes, checkpoints, rates. */
  private afterBatch(): void {
    const t = this.now();
    this.emitter.due(t);
    this.checkpointer.due(t);
    this.reporter.due(t);
  }

  /** Why processing time stands still now (see advanceClock()), or null while it runs. */
  private holdingClock(): string | null {
    if (this.paused) return "paused by backpressure";
    if (this.revoking > 0) return "handing partitions over";
    const behind = this.catchingUp();
    if (behind !== null) return behind;
    return this.source.endOffsetsConfirmed() ? null : "end offsets not confirmed by the broker";
  }

  /** The first owned partition with more than PROCESSOR_CATCH_UP_LAG records (or an unknown end) still to read. */
  private catchingUp(): string | null {
    for (const t of this.tracks.values()) {
      if (t.revoking) continue;
      const end = this.source.highWatermark(t.partition);
      if (end === undefined) return `partition ${t.partition}: end offset not known yet`;
      if (end - t.nextOffset > this.opts.PROCESSOR_CATCH_UP_LAG)
        return `partition ${t.partition}: catching up (${end - t.nextOffset} records behind)`;
    }
    return null;
  }

  /** Pauses fetching while writes or tracked sends pile up (the store slow or down); resumes at half. */
  private backpressure(): void {
    const max = this.opts.PROCESSOR_MAX_PENDING_WRITES;
    const pending = this.writes.size() + this.ports.topics.pending();
    this.metrics.pendingWrites.set(this.writes.size());
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
   * Seeks the partitions whose records could not be applied back to their nextOffset. Done between two
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

  private async processBatch(records: SourceRecord[], generation: number): Promise<void> {
    const ids = new Set<number>();
    for (const m of records) {
      const id = EventDecoder.schemaId(m.value);
      if (id !== null && !this.schemas.get(id) && !this.schemas.failure(id)) ids.add(id);
    }
    if (ids.size > 0) await this.retry("fetch schemas", () => this.schemas.load(ids));
    // From here on synchronous: the engine, offsets and outputs move together.
    const storeUsers = this.config.STORE_USERS;
    const users: StoredUser[] = [];
    const totals = this.totals;
    let aggregated = 0;
    const batchAt = this.now();
    for (const m of records) {
      const t = this.tracks.get(m.partition);
      const verdict = admit(t, m.offset, generation);
      if (t === undefined || verdict === Admit.Skip) continue;
      if (verdict === Admit.Resync) {
        t.resync = true;
        continue;
      }
      if (verdict === Admit.ApplyAfterGap && t.checkpointed !== null) this.offsetGap(t, m.offset);
      applied(t, m.offset);
      totals.processed++;
      const route = this.router.route(m.value, m.timestamp, t.slot, storeUsers);
      switch (route.to) {
        case "dead-letter":
          this.sideOutputs.deadLetter(m, route.reason);
          continue;
        case "refused":
          totals.refused++;
          totals.refusedByCause[route.cause]++;
          this.metrics.refused.inc();
          this.metrics.refusedByCause.inc({ cause: route.cause });
          this.sideOutputs.deadLetter(
            m,
            refusalReason(route.cause, this.opts.PROCESSOR_MAX_KEYS_PER_PARTITION),
          );
          continue;
        case "late":
          this.sideOutputs.late(m, route.windowEnd, route.watermark, route.behindOwnWatermark);
          break;
        case "aggregate":
          aggregated++;
          this.e2e.processed(m.timestamp, batchAt);
          if (route.partlyLate) {
            totals.partlyLate++;
            this.metrics.partlyLate.inc();
          }
          break;
      }
      if (route.user) {
        users.push({
          record: route.user,
          source: sourceOf(m) ?? null,
          partition: m.partition,
          offset: String(m.offset),
        });
      }
    }
    this.metrics.events.inc({ outcome: "aggregated" }, aggregated);
    this.emitter.users(users);
    // Final rows are written as soon as they exist; open rows wait for the publish/partial cadence.
    this.emitter.finals(this.now());
  }

  /** The log no longer has the offsets between where the state resumes and `offset` (retention). */
  private offsetGap(t: Track, offset: number): void {
    this.metrics.offsetGap.inc(offset - t.nextOffset);
    this.log.warn(
      { partition: t.partition, from: t.nextOffset, to: offset - 1 },
      "records between the checkpoint and the first offset Kafka still has are gone; going on from there",
    );
  }

  /**
   * Drains and checkpoints everything owned, leaves the group, closes the outputs. Leaves the group even
   * when the last checkpoint cannot be written (then rejects, after leaving): the next owner can take over
   * at once instead of waiting for the session to time out.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.loopDone;
    await this.source.stop();
    await this.ports.topics.close(this.budget.flushMs);
    if (this.stopIncomplete) {
      throw new Error(`stopped without the last checkpoint: ${this.stopIncomplete.message}`);
    }
  }

  /** Stops retrying (writes not yet durable are abandoned; the checkpoints before them stand). */
  abort(): void {
    this.stopping = true;
    this.writes.abort();
  }

  /** Retries `fn` with backoff until it succeeds; an error `permanent` recognizes fails the processor. */
  private async retry<T>(
    what: string,
    fn: () => Promise<T>,
    permanent?: (err: unknown) => string | null,
  ): Promise<T> {
    try {
      return await retry(fn, {
        what,
        log: this.log,
        backoff: { baseMs: 100, maxMs: this.opts.PROCESSOR_MAX_BACKOFF_MS },
        ...(permanent ? { permanent } : {}),
        stopping: () => this.stopping,
      });
    } catch (err) {
      if (err instanceof PermanentError) this.fail(err);
      throw err;
    }
  }
}
