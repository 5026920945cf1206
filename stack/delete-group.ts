import { type Backoff, backoffDelay } from "../common/src/backoff.ts";
import { sleep } from "../common/src/timeouts.ts";

// Kafka protocol error codes a DeleteGroups answer carries per group.
const COORDINATOR_LOAD_IN_PROGRESS = 14;
const COORDINATOR_NOT_AVAILABLE = 15;
const NOT_COORDINATOR = 16;
const NON_EMPTY_GROUP = 68;
const GROUP_ID_NOT_FOUND = 69;

/** Right after a broker starts, its group coordinator loads __consumer_offsets and answers these for a while. */
const COORDINATOR_NOT_READY = new Set([
  COORDINATOR_LOAD_IN_PROGRESS,
  COORDINATOR_NOT_AVAILABLE,
  NOT_COORDINATOR,
]);

const COORDINATOR_BACKOFF: Backoff = { baseMs: 100, maxMs: 2_000 };

export type GroupDeletion = "deleted" | "absent";

/** The code of the group's failure in a DeleteGroups answer or error, or null when there is none. */
function groupErrorCode(err: unknown, group: string): number | null {
  const reports = (err as { groups?: unknown }).groups;
  if (Array.isArray(reports)) {
    for (const r of reports as { groupId?: unknown; errorCode?: unknown; error?: { code?: unknown } }[]) {
      if (r.groupId !== group) continue;
      const code = r.error?.code ?? r.errorCode;
      if (typeof code === "number") return code;
    }
  }
  const code = (err as { code?: unknown }).code;
  return typeof code === "number" ? code : null;
}

export interface DeleteGroupOptions {
  /** How long a coordinator that is not ready yet is waited for. */
  timeoutMs?: number;
  now?: () => number;
  wait?: (ms: number) => Promise<void>;
}

/**
 * Deletes a consumer group. A group that does not exist is nothing to remove (the answer is asked of the
 * coordinator itself, not of a listing that may be stale); a coordinator still loading is retried until
 * `timeoutMs`; a group with live members is refused with what to do.
 */
export async function deleteGroup(
  deleteGroups: (groups: string[]) => Promise<unknown>,
  group: string,
  { timeoutMs = 30_000, now = Date.now, wait = sleep }: DeleteGroupOptions = {},
): Promise<GroupDeletion> {
  const deadline = now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    try {
      await deleteGroups([group]);
      return "deleted";
    } catch (err) {
      const code = groupErrorCode(err, group);
      if (code === GROUP_ID_NOT_FOUND) return "absent";
      if (code === NON_EMPTY_GROUP) {
        throw new Error(
          `group ${group} has live members (a processor is running): stop it first, then reset again`,
          { cause: err },
        );
      }
      if (code === null || !COORDINATOR_NOT_READY.has(code)) throw err;
      if (now() >= deadline) {
        throw new Error(
          `group ${group}: the group coordinator was still not ready after ${timeoutMs / 1000} s ` +
            `(Kafka error ${code}); try again once the broker has finished starting`,
          { cause: err },
        );
      }
      await wait(backoffDelay(COORDINATOR_BACKOFF, attempt));
    }
  }
}
