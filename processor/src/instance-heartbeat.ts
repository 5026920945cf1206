import { hostname } from "node:os";
import type { Client } from "cassandra-driver";
import { type Config, groupByFields } from "../../common/src/config.ts";
import type { ProcessorStatus } from "../../common/src/contracts/processor-status.ts";
import {
  type InstanceHeartbeat,
  type InstanceStatus,
  writeHeartbeat,
} from "../../common/src/instance-registry.ts";
import type { Logger } from "../../common/src/logger.ts";

export interface HeartbeatOptions {
  intervalMs: number;
  /** host:port of the instance's status server, as others reach it. */
  address: string;
}

function statusOf(s: ProcessorStatus): InstanceStatus {
  if (s.failure) return "failed";
  return s.paused ? "paused" : "running";
}

/**
 * Registers a processor instance in processor_instances and keeps its row fresh: what it is assigned,
 * how it is and how far it got. A failed write is only logged: the registry is for observers, it never
 * holds processing back, and the next beat repairs it.
 */
export class Heartbeat {
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> = Promise.resolve();
  private failing = false;
  private readonly startedAt = Date.now();

  constructor(
    private readonly client: Client,
    private readonly config: Config,
    private readonly status: () => ProcessorStatus,
    private readonly opts: HeartbeatOptions,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.beat();
    this.timer = setInterval(() => this.beat(), this.opts.intervalMs);
    this.timer.unref();
  }

  /** The last beat says how the instance ended ("stopped" after a graceful stop), bounded by `timeoutMs`. */
  async stop(final: Extract<InstanceStatus, "stopped" | "failed">, timeoutMs = 2_000): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.inFlight;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.write(final),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
  }

  private beat(): void {
    this.inFlight = this.inFlight.then(() => this.write());
  }

  private async write(override?: InstanceStatus): Promise<void> {
    const s = this.status();
    const row: InstanceHeartbeat = {
      group: s.group,
      instance: s.instance,
      address: this.opts.address,
      host: hostname(),
      pid: process.pid,
      startedAt: this.startedAt,
      heartbeatAt: Date.now(),
      heartbeatIntervalMs: this.opts.intervalMs,
      assigned: [...s.assigned].sort((a, b) => a - b),
      status: override ?? statusOf(s),
      processed: s.processed,
      eventsPerSec: s.eventsPerSec,
      groupBy: groupByFields(this.config),
    };
    try {
      await writeHeartbeat(this.client, this.config.CASSANDRA_KEYSPACE, row);
      if (this.failing) this.log.info("instance heartbeat written again");
      this.failing = false;
    } catch (err) {
      if (!this.failing) this.log.warn({ err: (err as Error).message }, "instance heartbeat not written");
      this.failing = true;
    }
  }
}
