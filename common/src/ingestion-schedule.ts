// The ingestion schedule's control row (table ingestion_schedule, docs/internal-contracts.md): how the web
// tier, which runs on web-standard APIs and may be on another host, asks the producer's scheduler to act.
// The operator's columns (paused, trigger_requested_at) are written by the web tier, the scheduler's own
// (heartbeat, next run, the trigger it handled) by the scheduler, which polls the row.

/** The api source's schedule: the one `bun run producer --source api` runs. */
export const API_SCHEDULE = "api";

/** How often the scheduler reads its control row and writes its heartbeat. */
export const SCHEDULE_POLL_MS = 1_000;

/** A scheduler whose heartbeat is older than this is taken as not running. */
const SCHEDULER_STALE_MS = 10_000;

export interface ScheduleControl {
  paused: boolean;
  /** The operator asked for a run now at this time (epoch ms); handled once triggerHandledAt reaches it. */
  triggerRequestedAt: number | null;
}

export interface ScheduleState extends ScheduleControl {
  name: string;
  source: string | null;
  intervalMs: number | null;
  /** When the next scheduled run starts; null while paused or running. */
  nextRunAt: number | null;
  heartbeatAt: number | null;
  scheduler: string | null;
  runningRunId: string | null;
  lastRunId: string | null;
  triggerHandledAt: number | null;
  updatedBy: string | null;
}

export function triggerPending(s: Pick<ScheduleState, "triggerRequestedAt" | "triggerHandledAt">): boolean {
  return s.triggerRequestedAt !== null && s.triggerRequestedAt > (s.triggerHandledAt ?? 0);
}

export function schedulerAlive(s: Pick<ScheduleState, "heartbeatAt">, now = Date.now()): boolean {
  return s.heartbeatAt !== null && now - s.heartbeatAt < SCHEDULER_STALE_MS;
}
