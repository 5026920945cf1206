import { createHash } from "node:crypto";
import { fieldsRead } from "../../../common/src/aggregate-fields.ts";
import { type Config, groupByFields } from "../../../common/src/config.ts";
import type { Logger } from "../../../common/src/logger.ts";
import { retry } from "../../../common/src/retry.ts";
import { type CassandraStore, rebuildWriteTimestamp } from "../adapters/cassandra-store.ts";
import type { PartitionReader } from "../adapters/partition-reader.ts";
import type { RebuildJob, RebuildProgress, RebuildStore } from "../adapters/rebuild-store.ts";
import { WindowEngine, type WindowRow } from "../core/index.ts";
import { windowBatches } from "../emitter.ts";
import { coreConfig } from "../engine-config.ts";
import { EventDecoder } from "../event-decoder.ts";
import type { SourceRecord } from "../ports.ts";
import type { ProcessorOptions } from "../processor-options.ts";
import { RecordRouter } from "../record-router.ts";
import { SchemaCache, type SchemaSource } from "../schema-cache.ts";
import { WriteQueue } from "../write-queue.ts";
import type { RebuildOptions } from "./rebuild-options.ts";
import {
  type FromArg,
  fromOfEventTimes,
  liveHorizon,
  Refusal,
  resolveRange,
  startOffset,
  type WindowGeometry,
} from "./rebuild-plan.ts";

export interface RebuildRequest {
  from: FromArg;
  /** The `--from` text as given (part of the job's identity). */
  fromText: string;
  to: number | null;
}

/** Where one partition stands, for the progress view. */
export interface PartitionProgress {
  partition: number;
  start: number;
  stop: number;
  next: number;
  rowsWritten: number;
  done: boolean;
}

/** What a partition's records became: the live run's outcomes, counted again. */
export interface Outcomes {
  read: number;
  aggregated: number;
  late: number;
  deadLettered: number;
  refused: number;
}

export interface RebuildDeps {
  config: Config;
  processorOptions: ProcessorOptions;
  options: RebuildOptions;
  log: Logger;
  store: CassandraStore;
  rebuilds: RebuildStore;
  reader: PartitionReader;
  schemas: SchemaSource;
  now?: () => number;
  onProgress?: (p: PartitionProgress) => void;
}

/**
 * `bun run rebuild` (docs/rebuild.md): recomputes the final rows of a range of windows from what Kafka
 * holds with the processor's own decoder, router and core, one fresh core per source partition read from
 * where its state is the live run's, and writes them in the band above the live final rows; then one range
 * tombstone just below removes whatever else the range held. Resumable: the job and each partition's
 * progress (offset + the core's snapshot, once the rows before are durable) are stored as it goes.
 */
export class Rebuilder {
  readonly geometry: WindowGeometry;
  private readonly now: () => number;
  private readonly schemas: SchemaCache;
  readonly outcomes: Outcomes = { read: 0, aggregated: 0, late: 0, deadLettered: 0, refused: 0 };

  constructor(private readonly d: RebuildDeps) {
    const c = d.config;
    this.geometry = {
      sizeMs: c.WINDOW_SIZE_MS,
      slideMs: c.WINDOW_SLIDE_MS || c.WINDOW_SIZE_MS,
      allowedLatenessMs: c.ALLOWED_LATENESS_MS,
    };
    this.now = d.now ?? Date.now;
    this.schemas = new SchemaCache(d.schemas, {
      notFoundRetryMs: d.processorOptions.PROCESSOR_SCHEMA_NOT_FOUND_RETRY_MS,
      notFoundCacheMs: d.processorOptions.PROCESSOR_SCHEMA_NOT_FOUND_CACHE_MS,
    });
  }

  /** The same request and window configuration always names the same job: a run again resumes it. */
  spec(req: RebuildRequest): string {
    const c = this.d.config;
    return JSON.stringify({
      topic: c.TOPIC_USERS,
      from: req.fromText,
      to: req.to,
      window: this.geometry,
      groupBy: groupByFields(c),
    });
  }

  /** The unfinished job of this request, or a new one planned now; throws Refusal when it cannot be exact. */
  async prepare(req: RebuildRequest): Promise<{ job: RebuildJob; resumed: boolean }> {
    const { config, rebuilds, reader } = this.d;
    const topic = config.TOPIC_USERS;
    const spec = this.spec(req);
    const running = (await rebuilds.jobs(topic)).find((j) => j.status === "running" && j.spec === spec);
    if (running) return { job: running, resumed: true };

    const partitions = await reader.partitions();
    const checkpoints = await rebuilds.checkpoints(topic);
    const horizon = liveHorizon(partitions, checkpoints);
    const from = req.from.kind === "time" ? req.from.ms : await this.fromOffsets(req.from, partitions);
    const range = resolveRange(this.geometry, from, req.to, horizon);
    const startOffsets = new Map<number, number>();
    const stopOffsets = new Map<number, number>();
    for (let p = 0; p < partitions; p++) {
      const { low } = await reader.bounds(p);
      const marks = await rebuilds.marks(topic, p, range.from - this.geometry.allowedLatenessMs - 1);
      const start = startOffset(
        topic,
        p,
        range.from,
        this.geometry,
        marks,
        low,
        config.TOPIC_RETENTION_USERS_MS,
      );
      // What the live processor had applied when it finished the range: read up to there, no further.
      const stop = checkpoints.find((c) => c.partition === p)!.nextOffset;
      startOffsets.set(p, Math.min(start, stop));
      stopOffsets.set(p, stop);
    }
    const createdAt = new Date(this.now());
    const job: RebuildJob = {
      jobId: `${createHash("sha256").update(spec).digest("hex").slice(0, 12)}-${createdAt.getTime()}`,
      spec,
      from: range.from,
      to: range.to,
      writeTimestamp: rebuildWriteTimestamp(createdAt.getTime()),
      startOffsets,
      stopOffsets,
      status: "running",
      createdAt,
      finishedAt: null,
    };
    await rebuilds.createJob(topic, job);
    return { job, resumed: false };
  }

  /** `--from P:N`: the range starts at the first window of the earliest event time at those offsets. */
  private async fromOffsets(
    from: Extract<FromArg, { kind: "offsets" }>,
    partitions: number,
  ): Promise<number> {
    const decoder = new EventDecoder(this.schemas, [], {
      maxFutureSkewMs: this.d.config.EVENT_TIME_MAX_FUTURE_SKEW_MS,
      now: Date.now,
    });
    const times: number[] = [];
    const wanted = from.offsets.flatMap((o) =>
      o.partition === null
        ? Array.from({ length: partitions }, (_, p) => ({ partition: p, offset: o.offset }))
        : [{ partition: o.partition, offset: o.offset }],
    );
    for (const { partition, offset } of wanted) {
      if (partition >= partitions) throw new Refusal(`the topic has no partition ${partition}`);
      const record = await this.d.reader.recordAt(partition, offset);
      if (record === null) {
        const { low, high } = await this.d.reader.bounds(partition);
        // Past the end is simply nothing yet; before the start is retention.
        if (offset >= high) continue;
        throw new Refusal(
          `offset ${offset} of partition ${partition} is older than what Kafka still holds (the partition starts at offset ${low} now): nothing was changed`,
        );
      }
      await this.loadSchemas([record]);
      const decoded = decoder.decode(record.value, false, record.timestamp);
      if (decoded.ok && typeof decoded.record.event_time === "number") times.push(decoded.record.event_time);
    }
    const t = fromOfEventTimes(this.geometry, times);
    // Every window holding that event time (hopping windows start up to W − S before it).
    return t - this.geometry.sizeMs + this.geometry.slideMs;
  }

  /** Runs (or resumes) the job to its end; returns the rows written. */
  async run(job: RebuildJob): Promise<number> {
    const { config, rebuilds } = this.d;
    const progress = await rebuilds.progress(job.jobId);
    let rows = 0;
    for (const p of [...job.stopOffsets.keys()].sort((a, b) => a - b)) {
      rows += await this.partition(job, p, progress.get(p));
    }
    // Everything older in the range goes: stale rows (keys the recomputation has not), live and earlier ones.
    const below = job.writeTimestamp.subtract(1);
    for (const group of ["all", ...groupByFields(config)]) {
      await this.retry(`clear range of ${group}`, () => rebuilds.clearRange(group, job.from, job.to, below));
    }
    await this.retry("finish job", () =>
      rebuilds.finishJob(config.TOPIC_USERS, job.jobId, new Date(this.now())),
    );
    return rows;
  }

  private async partition(job: RebuildJob, p: number, prog: RebuildProgress | undefined): Promise<number> {
    const { config, processorOptions: po, options, store, rebuilds, reader } = this.d;
    const start = job.startOffsets.get(p) ?? 0;
    const stop = job.stopOffsets.get(p) ?? 0;
    const view: PartitionProgress = {
      partition: p,
      start,
      stop,
      next: prog?.done ? stop : (prog?.nextOffset ?? start),
      rowsWritten: prog?.rowsWritten ?? 0,
      done: prog?.done ?? false,
    };
    this.d.onProgress?.(view);
    if (view.done) return view.rowsWritten;

    // The live processor's core, configured as it is; its clock stands still (idleness is the live run's
    // processing time, not data: docs/rebuild.md).
    const engine = new WindowEngine(coreConfig(config, po.PROCESSOR_MAX_KEYS_PER_PARTITION));
    const dims = engine.config.groupBy;
    const [assigned] = engine.assign(
      [prog?.state ? { partition: p, snapshot: new Uint8Array(prog.state) } : { partition: p }],
      0,
    );
    const slot = assigned!.slot;
    if (prog?.state) view.next = Number(assigned!.nextOffset);
    const router = new RecordRouter(
      engine,
      new EventDecoder(this.schemas, [engine.valueField, ...dims, ...fieldsRead(engine.extraFields)], {
        maxFutureSkewMs: config.EVENT_TIME_MAX_FUTURE_SKEW_MS,
        now: Date.now,
      }),
      dims,
    );
    const writes = new WriteQueue({
      concurrency: po.PROCESSOR_SINK_CONCURRENCY,
      backoff: { baseMs: 100, maxMs: po.PROCESSOR_MAX_BACKOFF_MS },
      log: this.d.log,
      permanent: (err) => store.permanentError(err),
    });
    const emit = () => {
      const rows = engine.takeFinal().filter((r) => r.windowStart >= job.from && r.windowStart < job.to);
      this.write(writes, rows, job);
      view.rowsWritten += rows.length;
    };
    const save = async (done: boolean) => {
      await writes.barrier();
      const state = done ? null : Buffer.from(engine.snapshot(slot, String(view.next)));
      await this.retry(`progress of partition ${p}`, () =>
        rebuilds.saveProgress(job.jobId, {
          partition: p,
          nextOffset: view.next,
          state,
          done,
          rowsWritten: view.rowsWritten,
        }),
      );
    };
    let savedAt = this.now();
    await reader.read(p, view.next, stop, options.REBUILD_BATCH_SIZE, async (records) => {
      await this.loadSchemas(records);
      for (const m of records) {
        this.count(router.route(m.value, m.timestamp, slot, false).to);
        view.next = m.offset + 1;
      }
      emit();
      this.d.onProgress?.(view);
      // Every range window of p is final: nothing later in p can change them (it would be late).
      if (engine.watermarkOf(slot) >= job.to - this.geometry.slideMs + this.geometry.sizeMs) return false;
      if (writes.size() > options.REBUILD_MAX_PENDING_WRITES) await writes.barrier();
      if (this.now() - savedAt >= options.REBUILD_PROGRESS_INTERVAL_MS) {
        await save(false);
        savedAt = this.now();
      }
      return true;
    });
    this.closeRemaining(engine, slot, job);
    emit();
    await save(true);
    view.done = true;
    this.d.onProgress?.(view);
    return view.rowsWritten;
  }

  /**
   * The live run finished the range for this partition (its checkpointed watermark is past it) although
   * the partition's own watermark is not: it went idle and the processor watermark closed the windows.
   * Closed here the same way, at the last record the live run had applied.
   */
  private closeRemaining(engine: WindowEngine, slot: number, job: RebuildJob): void {
    const lastEnd = job.to - this.geometry.slideMs + this.geometry.sizeMs;
    if (engine.watermarkOf(slot) >= lastEnd) return;
    const max = engine.status().find((s) => s.slot === slot)?.maxEventTime ?? Number.NEGATIVE_INFINITY;
    if (max === Number.NEGATIVE_INFINITY) return;
    const behind = Math.max(0, lastEnd - (max - this.geometry.allowedLatenessMs));
    // Every partition idle (it is the only one): the watermark moves on with the clock from there.
    engine.tick(this.d.config.IDLE_TIMEOUT_MS + behind);
  }

  private count(to: string): void {
    const o = this.outcomes;
    o.read++;
    if (to === "aggregate") o.aggregated++;
    else if (to === "late") o.late++;
    else if (to === "refused") o.refused++;
    else o.deadLettered++;
  }

  private write(writes: WriteQueue, rows: WindowRow[], job: RebuildJob): void {
    for (const batch of windowBatches(
      rows,
      this.d.processorOptions.PROCESSOR_WINDOW_ROWS_PER_BATCH,
      (r) => r,
    )) {
      void writes
        .submit(
          "rebuilt windows",
          () => this.d.store.writeFinalWindows(batch, job.writeTimestamp),
          batch.length,
        )
        .catch(() => undefined);
    }
  }

  private async loadSchemas(records: readonly SourceRecord[]): Promise<void> {
    const ids = new Set<number>();
    for (const m of records) {
      const id = EventDecoder.schemaId(m.value);
      if (id !== null && !this.schemas.get(id) && !this.schemas.failure(id)) ids.add(id);
    }
    if (ids.size > 0) await this.retry("fetch schemas", () => this.schemas.load(ids));
  }

  private retry<T>(what: string, fn: () => Promise<T>): Promise<T> {
    return retry(fn, {
      what,
      log: this.d.log,
      backoff: { baseMs: 100, maxMs: this.d.processorOptions.PROCESSOR_MAX_BACKOFF_MS },
      permanent: (err) => this.d.store.permanentError(err),
    });
  }
}
