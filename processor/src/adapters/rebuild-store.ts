import { type Client, types } from "cassandra-driver";
import { HOUR_MS, hourBucket } from "../../../common/src/cassandra-schema.ts";
import type { LiveCheckpoint, Mark } from "../rebuild/rebuild-plan.ts";
import { MARK_BUCKET_MS } from "./cassandra-store.ts";

/** A rebuild as stored in rebuild_jobs: what it does is fixed when it is created, so a resume does the same. */
export interface RebuildJob {
  jobId: string;
  /** The arguments and window configuration it was created for; a run with the same resumes it. */
  spec: string;
  from: number;
  to: number;
  /** µs; rebuildWriteTimestamp() of its start. */
  writeTimestamp: types.Long;
  startOffsets: Map<number, number>;
  stopOffsets: Map<number, number>;
  status: "running" | "done";
  createdAt: Date;
  finishedAt: Date | null;
}

/** Where a partition of a job stands: resumed from its snapshot at nextOffset, or done. */
export interface RebuildProgress {
  partition: number;
  nextOffset: number;
  state: Buffer | null;
  done: boolean;
  rowsWritten: number;
}

const ONE = { prepare: true, isIdempotent: true } as const;
const num = (v: unknown) => (v instanceof types.Long ? v.toNumber() : Number(v));
const longMap = (m: Map<number, number>) => {
  const out: Record<number, types.Long> = {};
  for (const [k, v] of m) out[k] = types.Long.fromNumber(v);
  return out;
};
const fromLongMap = (v: unknown) =>
  new Map(Object.entries((v ?? {}) as Record<string, unknown>).map(([k, x]) => [Number(k), num(x)]));

/** The rebuild's own tables (rebuild_jobs, rebuild_progress) and what it reads of the live processor's. */
export class RebuildStore {
  constructor(
    private readonly client: Client,
    private readonly ks: string,
  ) {}

  async checkpoints(topic: string): Promise<LiveCheckpoint[]> {
    const rs = await this.client.execute(
      `SELECT kafka_partition, next_offset, watermark FROM ${this.ks}.processor_checkpoints WHERE topic = ?`,
      [topic],
      ONE,
    );
    return rs.rows.map((r) => ({
      partition: r.get("kafka_partition") as number,
      nextOffset: num(r.get("next_offset")),
      watermark: r.get("watermark") === null ? null : num(r.get("watermark")),
    }));
  }

  /** The partition's checkpoint marks at or before `watermarkBefore`, newest first (enough to choose one). */
  async marks(topic: string, partition: number, watermarkBefore: number): Promise<Mark[]> {
    const rs = await this.client.execute(
      `SELECT next_offset, watermark FROM ${this.ks}.processor_checkpoint_marks WHERE topic = ? AND kafka_partition = ? AND minute <= ? LIMIT 3`,
      [topic, partition, types.Long.fromNumber(Math.floor(watermarkBefore / MARK_BUCKET_MS))],
      ONE,
    );
    return rs.rows.map((r) => ({
      nextOffset: num(r.get("next_offset")),
      watermark: num(r.get("watermark")),
    }));
  }

  async jobs(topic: string): Promise<RebuildJob[]> {
    const rs = await this.client.execute(
      `SELECT * FROM ${this.ks}.rebuild_jobs WHERE topic = ?`,
      [topic],
      ONE,
    );
    return rs.rows.map((r) => ({
      jobId: r.get("job_id") as string,
      spec: r.get("spec") as string,
      from: num(r.get("range_from")),
      to: num(r.get("range_to")),
      writeTimestamp: r.get("write_timestamp") as types.Long,
      startOffsets: fromLongMap(r.get("start_offsets")),
      stopOffsets: fromLongMap(r.get("stop_offsets")),
      status: r.get("status") === "done" ? "done" : "running",
      createdAt: r.get("created_at") as Date,
      finishedAt: (r.get("finished_at") as Date | null) ?? null,
    }));
  }

  async createJob(topic: string, j: RebuildJob): Promise<void> {
    await this.client.execute(
      `INSERT INTO ${this.ks}.rebuild_jobs (topic, job_id, spec, range_from, range_to, write_timestamp, start_offsets, stop_offsets, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'running', ?)`,
      [
        topic,
        j.jobId,
        j.spec,
        types.Long.fromNumber(j.from),
        types.Long.fromNumber(j.to),
        j.writeTimestamp,
        longMap(j.startOffsets),
        longMap(j.stopOffsets),
        j.createdAt,
      ],
      ONE,
    );
  }

  async finishJob(topic: string, jobId: string, at: Date): Promise<void> {
    await this.client.execute(
      `UPDATE ${this.ks}.rebuild_jobs SET status = 'done', finished_at = ? WHERE topic = ? AND job_id = ?`,
      [at, topic, jobId],
      ONE,
    );
    // The snapshots served the resume only.
    await this.client.execute(`DELETE FROM ${this.ks}.rebuild_progress WHERE job_id = ?`, [jobId], ONE);
  }

  async progress(jobId: string): Promise<Map<number, RebuildProgress>> {
    const rs = await this.client.execute(
      `SELECT kafka_partition, next_offset, state, done, rows_written FROM ${this.ks}.rebuild_progress WHERE job_id = ?`,
      [jobId],
      ONE,
    );
    return new Map(
      rs.rows.map((r) => {
        const p: RebuildProgress = {
          partition: r.get("kafka_partition") as number,
          nextOffset: num(r.get("next_offset")),
          state: (r.get("state") as Buffer | null) ?? null,
          done: r.get("done") === true,
          rowsWritten: num(r.get("rows_written") ?? 0),
        };
        return [p.partition, p];
      }),
    );
  }

  async saveProgress(jobId: string, p: RebuildProgress): Promise<void> {
    await this.client.execute(
      `INSERT INTO ${this.ks}.rebuild_progress (job_id, kafka_partition, next_offset, state, done, rows_written, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
      [
        jobId,
        p.partition,
        types.Long.fromNumber(p.nextOffset),
        p.state,
        p.done,
        types.Long.fromNumber(p.rowsWritten),
        new Date(),
      ],
      ONE,
    );
  }

  /**
   * Removes every row of the range's windows of `group` written before the rebuild (live rows, final or
   * not, and earlier rebuilds'): one range tombstone per hour bucket, at `timestamp` (one below the
   * rebuild's rows, which it therefore leaves alone whatever the order in which they land).
   */
  async clearRange(group: string, from: number, to: number, timestamp: types.Long): Promise<void> {
    for (let h = hourBucket(from); h <= hourBucket(to - 1); h++) {
      const lo = Math.max(from, h * HOUR_MS);
      const hi = Math.min(to, (h + 1) * HOUR_MS);
      await this.client.execute(
        `DELETE FROM ${this.ks}.window_aggregates USING TIMESTAMP ? WHERE group_name = ? AND hour = ? AND window_start >= ? AND window_start < ?`,
        [timestamp, group, h, types.Long.fromNumber(lo), types.Long.fromNumber(hi)],
        ONE,
      );
    }
  }
}
