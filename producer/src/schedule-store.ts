import type cassandra from "cassandra-driver";
import type { ScheduleControl } from "../../common/src/ingestion-schedule.ts";

export interface SchedulerReport {
  source: string;
  intervalMs: number;
  nextRunAt: Date | null;
  scheduler: string;
  runningRunId: string | null;
  lastRunId: string | null;
}

/**
 * The scheduler's side of the control row (common/src/ingestion-schedule.ts): it reads the operator's
 * columns and writes only its own, so an operator's pause is never overwritten by a heartbeat.
 */
export class ScheduleStore {
  constructor(
    private readonly client: cassandra.Client,
    private readonly keyspace: string,
    readonly name: string,
  ) {}

  async control(): Promise<ScheduleControl & { triggerHandledAt: number | null }> {
    const rs = await this.client.execute(
      `SELECT paused, trigger_requested_at, trigger_handled_at FROM ${this.keyspace}.ingestion_schedule WHERE name = ?`,
      [this.name],
      { prepare: true },
    );
    const row = rs.first();
    const requested = (row?.get("trigger_requested_at") as Date | null) ?? null;
    const handled = (row?.get("trigger_handled_at") as Date | null) ?? null;
    return {
      paused: row?.get("paused") === true,
      triggerRequestedAt: requested?.getTime() ?? null,
      triggerHandledAt: handled?.getTime() ?? null,
    };
  }

  async report(r: SchedulerReport, now = new Date()): Promise<void> {
    await this.client.execute(
      `UPDATE ${this.keyspace}.ingestion_schedule SET source = ?, interval_ms = ?, next_run_at = ?, heartbeat_at = ?,
       scheduler = ?, running_run_id = ?, last_run_id = ? WHERE name = ?`,
      [r.source, r.intervalMs, r.nextRunAt, now, r.scheduler, r.runningRunId, r.lastRunId, this.name],
      { prepare: true },
    );
  }

  /** The manual trigger requested at `requestedAt` is taken: it will not run again. */
  async handled(requestedAt: number): Promise<void> {
    await this.client.execute(
      `UPDATE ${this.keyspace}.ingestion_schedule SET trigger_handled_at = ? WHERE name = ?`,
      [new Date(requestedAt), this.name],
      { prepare: true },
    );
  }

  /** The scheduler stopped: no heartbeat, no next run. */
  async stopped(lastRunId: string | null): Promise<void> {
    await this.client.execute(
      `UPDATE ${this.keyspace}.ingestion_schedule SET heartbeat_at = null, next_run_at = null, running_run_id = null,
       last_run_id = ? WHERE name = ?`,
      [lastRunId, this.name],
      { prepare: true },
    );
  }
}
