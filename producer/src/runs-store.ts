import cassandra from "cassandra-driver";
import { migrate } from "../../common/src/cassandra-schema.ts";
import type { Config } from "../../common/src/config.ts";

// The producer's run history (table ingestion_runs, docs/internal-contracts.md), the dashboard's equivalent
// of Airflow's DAG runs: a row at start with status "running", completed at the end.
export type RunStatus = "running" | "success" | "failed";

export interface RunOutcome {
  fetched: number;
  sent: number;
  rejected: number;
  failed: number;
  status: Exclude<RunStatus, "running">;
  error: string | null;
}

export interface RunHandle {
  day: number;
  runId: cassandra.types.TimeUuid;
  source: string;
  startedAt: Date;
}

export interface StoredRun extends Omit<RunOutcome, "status"> {
  runId: string;
  source: string;
  startedAt: Date;
  endedAt: Date | null;
  status: RunStatus;
}

export const DAY_MS = 86_400_000;

export class RunsStore {
  private constructor(
    private readonly client: cassandra.Client,
    private readonly keyspace: string,
  ) {}

  static async connect(config: Config): Promise<RunsStore> {
    const client = new cassandra.Client({
      contactPoints: [config.CASSANDRA_CONTACT_POINT],
      localDataCenter: config.CASSANDRA_DC,
    });
    await client.connect();
    await migrate(client, config.CASSANDRA_KEYSPACE);
    return new RunsStore(client, config.CASSANDRA_KEYSPACE);
  }

  /** A new run's identity (time-based, so the day partition lists runs newest first); nothing is written. */
  static newRun(source: string, startedAt = new Date()): RunHandle {
    return {
      day: Math.floor(startedAt.getTime() / DAY_MS),
      runId: cassandra.types.TimeUuid.fromDate(startedAt),
      source,
      startedAt,
    };
  }

  /** Stores the run as "running". */
  async start(run: RunHandle): Promise<void> {
    await this.client.execute(
      `INSERT INTO ${this.keyspace}.ingestion_runs (day, run_id, source, started_at, fetched, sent, rejected, failed, status)
       VALUES (?, ?, ?, ?, 0, 0, 0, 0, 'running')`,
      [run.day, run.runId, run.source, run.startedAt],
      { prepare: true },
    );
  }

  async finish(run: RunHandle, outcome: RunOutcome, endedAt = new Date()): Promise<void> {
    await this.client.execute(
      // Self-sufficient (an UPDATE upserts): the run is complete even if its start could not be stored.
      `UPDATE ${this.keyspace}.ingestion_runs SET source = ?, started_at = ?, ended_at = ?, fetched = ?, sent = ?,
       rejected = ?, failed = ?, status = ?, error = ? WHERE day = ? AND run_id = ?`,
      [
        run.source,
        run.startedAt,
        endedAt,
        outcome.fetched,
        outcome.sent,
        outcome.rejected,
        outcome.failed,
        outcome.status,
        outcome.error,
        run.day,
        run.runId,
      ],
      { prepare: true },
    );
  }

  /** Runs of one day, newest first. */
  async list(day: number, limit = 100): Promise<StoredRun[]> {
    const rs = await this.client.execute(
      `SELECT run_id, source, started_at, ended_at, fetched, sent, rejected, failed, status, error
       FROM ${this.keyspace}.ingestion_runs WHERE day = ? LIMIT ?`,
      [day, limit],
      { prepare: true },
    );
    return rs.rows.map((r) => ({
      runId: String(r.get("run_id")),
      source: r.get("source") as string,
      startedAt: r.get("started_at") as Date,
      endedAt: (r.get("ended_at") as Date | null) ?? null,
      fetched: r.get("fetched") as number,
      sent: r.get("sent") as number,
      rejected: r.get("rejected") as number,
      failed: r.get("failed") as number,
      status: r.get("status") as RunStatus,
      error: (r.get("error") as string | null) ?? null,
    }));
  }

  async close(): Promise<void> {
    await this.client.shutdown();
  }
}
