import cassandra from "cassandra-driver";
import { migrate, tableRetention } from "../../common/src/cassandra-schema.ts";
import { contactPoints, keyspaceReplication } from "../../common/src/cassandra-settings.ts";
import type { Config } from "../../common/src/config.ts";

// The producer's run history (table ingestion_runs, docs/internal-contracts.md), the dashboard's equivalent
// of Airflow's DAG runs: a row at start with status "running" and the run's parameters, its counts updated
// while it goes on, completed at the end with its outcome and the first errors it met.
type RunStatus = "running" | "success" | "failed";

export interface RunCounts {
  fetched: number;
  sent: number;
  rejected: number;
  failed: number;
}

export interface RunOutcome extends RunCounts {
  status: Exclude<RunStatus, "running">;
  error: string | null;
  /** The first problems of the run (rejections with their line and stage, delivery failures), bounded. */
  errors?: string[];
}

export interface RunHandle {
  day: number;
  runId: cassandra.types.TimeUuid;
  source: string;
  startedAt: Date;
}

export interface StoredRun extends Omit<RunOutcome, "status" | "errors"> {
  runId: string;
  source: string;
  startedAt: Date;
  endedAt: Date | null;
  status: RunStatus;
  parameters: Record<string, unknown> | null;
  errors: string[];
}

export const DAY_MS = 86_400_000;

export class RunsStore {
  private constructor(
    private readonly client: cassandra.Client,
    private readonly keyspace: string,
  ) {}

  static async connect(config: Config): Promise<RunsStore> {
    const client = new cassandra.Client({
      contactPoints: contactPoints(config),
      localDataCenter: config.CASSANDRA_DC,
    });
    await client.connect();
    await migrate(client, config.CASSANDRA_KEYSPACE, keyspaceReplication(config), tableRetention(config));
    return new RunsStore(client, config.CASSANDRA_KEYSPACE);
  }

  /** Over a session another component opened (and migrated); close() then leaves it open. */
  static using(client: cassandra.Client, keyspace: string): RunsStore {
    const store = new RunsStore(client, keyspace);
    store.shared = true;
    return store;
  }

  private shared = false;

  /** A new run's identity (time-based, so the day partition lists runs newest first); nothing is written. */
  static newRun(source: string, startedAt = new Date()): RunHandle {
    return {
      day: Math.floor(startedAt.getTime() / DAY_MS),
      runId: cassandra.types.TimeUuid.fromDate(startedAt),
      source,
      startedAt,
    };
  }

  /** Stores the run as "running", with what it was asked to do. */
  async start(run: RunHandle, parameters: Record<string, unknown> = {}): Promise<void> {
    await this.client.execute(
      `INSERT INTO ${this.keyspace}.ingestion_runs (day, run_id, source, started_at, fetched, sent, rejected, failed, status, parameters, updated_at)
       VALUES (?, ?, ?, ?, 0, 0, 0, 0, 'running', ?, ?)`,
      [run.day, run.runId, run.source, run.startedAt, JSON.stringify(parameters), new Date()],
      { prepare: true },
    );
  }

  /** The counts so far of a run that goes on (a synthetic stream, a long replay). */
  async progress(run: RunHandle, counts: RunCounts): Promise<void> {
    await this.client.execute(
      `UPDATE ${this.keyspace}.ingestion_runs SET fetched = ?, sent = ?, rejected = ?, failed = ?, updated_at = ?
       WHERE day = ? AND run_id = ?`,
      [counts.fetched, counts.sent, counts.rejected, counts.failed, new Date(), run.day, run.runId],
      { prepare: true },
    );
  }

  async finish(run: RunHandle, outcome: RunOutcome, endedAt = new Date()): Promise<void> {
    await this.client.execute(
      // Self-sufficient (an UPDATE upserts): the run is complete even if its start could not be stored.
      `UPDATE ${this.keyspace}.ingestion_runs SET source = ?, started_at = ?, ended_at = ?, fetched = ?, sent = ?,
       rejected = ?, failed = ?, status = ?, error = ?, errors = ?, updated_at = ? WHERE day = ? AND run_id = ?`,
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
        outcome.errors ?? [],
        endedAt,
        run.day,
        run.runId,
      ],
      { prepare: true },
    );
  }

  /** Runs of one day, newest first. */
  async list(day: number, limit = 100): Promise<StoredRun[]> {
    const rs = await this.client.execute(
      `SELECT run_id, source, started_at, ended_at, fetched, sent, rejected, failed, status, error, errors, parameters
       FROM ${this.keyspace}.ingestion_runs WHERE day = ? LIMIT ?`,
      [day, limit],
      { prepare: true },
    );
    return rs.rows.map((r) => {
      const parameters = r.get("parameters") as string | null;
      return {
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
        errors: (r.get("errors") as string[] | null) ?? [],
        parameters: parameters ? (JSON.parse(parameters) as Record<string, unknown>) : null,
      };
    });
  }

  /** The Cassandra session, shared with the schedule's store. */
  get session(): { client: cassandra.Client; keyspace: string } {
    return { client: this.client, keyspace: this.keyspace };
  }

  async close(): Promise<void> {
    if (!this.shared) await this.client.shutdown();
  }
}
