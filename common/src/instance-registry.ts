import type { Client } from "cassandra-driver";
import { types } from "cassandra-driver";

// The processor instance registry (docs/instance-registry.md): every processor instance upserts a
// heartbeat row into processor_instances (migration 3); the web tier lists the rows of its consumer
// group to find every instance, without a list of URLs. Defined once here, for both sides.

/** What an instance says of itself in its heartbeat. */
export type InstanceStatus = "starting" | "running" | "paused" | "failed" | "stopped";

export interface InstanceHeartbeat {
  group: string;
  instance: string;
  /** host:port of its /status, /metrics and /healthz. */
  address: string;
  host: string;
  pid: number;
  startedAt: number;
  heartbeatAt: number;
  /** The instance's own heartbeat interval: the reader judges staleness by it. */
  heartbeatIntervalMs: number;
  assigned: number[];
  status: InstanceStatus;
  processed: number;
  eventsPerSec: number;
  /** Its GROUP_BY fields (migration 5): the groups it writes besides "all"; [] from an older instance. */
  groupBy: string[];
}

/** "gone": no heartbeat for GONE_AFTER_BEATS intervals (killed, frozen or cut off) without saying "stopped". */
export type InstanceLiveness = InstanceStatus | "gone";

/** Missed heartbeats after which an instance counts as gone (Kafka's session timeout is ~3 heartbeats too). */
export const GONE_AFTER_BEATS = 3;

export function liveness(beat: InstanceHeartbeat, now: number): InstanceLiveness {
  if (beat.status === "stopped" || beat.status === "failed") return beat.status;
  return now - beat.heartbeatAt > GONE_AFTER_BEATS * beat.heartbeatIntervalMs ? "gone" : beat.status;
}

const STATUSES: readonly InstanceStatus[] = ["starting", "running", "paused", "failed", "stopped"];

const COLUMNS =
  "group_name, instance, address, host, pid, started_at, heartbeat_at, heartbeat_interval_ms, assigned, status, processed, events_per_sec, group_by";

export async function writeHeartbeat(
  client: Client,
  keyspace: string,
  beat: InstanceHeartbeat,
  consistency?: number,
): Promise<void> {
  await client.execute(
    `INSERT INTO ${keyspace}.processor_instances (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      beat.group,
      beat.instance,
      beat.address,
      beat.host,
      beat.pid,
      new Date(beat.startedAt),
      new Date(beat.heartbeatAt),
      beat.heartbeatIntervalMs,
      beat.assigned,
      beat.status,
      types.Long.fromNumber(beat.processed),
      beat.eventsPerSec,
      beat.groupBy,
    ],
    { prepare: true, isIdempotent: true, ...(consistency === undefined ? {} : { consistency }) },
  );
}

/** Every registered instance of a consumer group (rows expire 10 minutes after their last heartbeat). */
export async function readHeartbeats(
  client: Client,
  keyspace: string,
  group: string,
): Promise<InstanceHeartbeat[]> {
  const rs = await client.execute(
    `SELECT ${COLUMNS} FROM ${keyspace}.processor_instances WHERE group_name = ?`,
    [group],
    { prepare: true },
  );
  return rs.rows.map((r) => {
    const status = String(r.get("status"));
    const processed = r.get("processed") as types.Long | null;
    return {
      group: r.get("group_name") as string,
      instance: r.get("instance") as string,
      address: (r.get("address") as string | null) ?? "",
      host: (r.get("host") as string | null) ?? "",
      pid: (r.get("pid") as number | null) ?? 0,
      startedAt: (r.get("started_at") as Date | null)?.getTime() ?? 0,
      heartbeatAt: (r.get("heartbeat_at") as Date | null)?.getTime() ?? 0,
      heartbeatIntervalMs: (r.get("heartbeat_interval_ms") as number | null) ?? 2_000,
      assigned: (r.get("assigned") as number[] | null) ?? [],
      status: (STATUSES as readonly string[]).includes(status) ? (status as InstanceStatus) : "running",
      processed: processed ? processed.toNumber() : 0,
      eventsPerSec: (r.get("events_per_sec") as number | null) ?? 0,
      groupBy: (r.get("group_by") as string[] | null) ?? [],
    };
  });
}
