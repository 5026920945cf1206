import { API_SCHEDULE } from "../../../common/src/ingestion-schedule.ts";
import type { AppDeps } from "../app-deps.ts";
import type { ScheduleView } from "../pages/ingestion.tsx";

const TIME_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-1[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A run id is a version-1 (time-based) UUID; anything else is answered 404 without a query. */
export function isRunId(id: string): boolean {
  return TIME_UUID.test(id);
}

export async function scheduleView(deps: AppDeps, message?: string): Promise<ScheduleView> {
  return {
    state: await deps.schedule.schedule(API_SCHEDULE),
    adminEnabled: deps.adminToken !== "",
    now: Date.now(),
    ...(message ? { message } : {}),
  };
}
