import { type ChildProcess, spawn } from "node:child_process";
import type { Logger } from "../../common/src/logger.ts";

// `bun run processor --instances N`: N processes in one consumer group, each its own Kafka member,
// status port and registry row; this parent only starts them, forwards signals and restarts a crashed one.

export interface InstancePlan {
  index: number;
  env: Record<string, string>;
}

/** The settings instance `index` (0-based) of `count` runs with. */
export function instancePlan(
  index: number,
  base: { metricsPort: number; instance: string | undefined },
): InstancePlan {
  const env: Record<string, string> = {
    PROCESSOR_INSTANCES: "1",
    PROCESSOR_METRICS_PORT: String(base.metricsPort === 0 ? 0 : base.metricsPort + index),
  };
  if (base.instance !== undefined) env.PROCESSOR_INSTANCE = `${base.instance}-${index + 1}`;
  return { index, env };
}

/** Exit code 2: the instance failed for good (it says why); restarting would fail the same way. */
export const FAILED_FOR_GOOD = 2;

/** Whether an instance that exited is started again: after a crash or a kill, not after a stop or a failure. */
export function restarts(code: number | null, stopping: boolean): boolean {
  if (stopping) return false;
  return code !== 0 && code !== FAILED_FOR_GOOD;
}

const RESTART_DELAY_MS = 1_000;

/** Runs the instances until a signal stops them; resolves with the exit code the parent should end with. */
export function supervise(
  count: number,
  base: { metricsPort: number; instance: string | undefined },
  entry: { execPath: string; args: string[] },
  log: Logger,
): Promise<number> {
  const children = new Map<number, ChildProcess>();
  let stopping = false;
  let worst = 0;
  return new Promise<number>((resolve) => {
    const settleIfDone = () => {
      if (children.size === 0) resolve(worst);
    };
    const launch = (plan: InstancePlan) => {
      const child = spawn(entry.execPath, entry.args, {
        stdio: "inherit",
        env: { ...process.env, ...plan.env },
      });
      children.set(plan.index, child);
      log.info(
        { index: plan.index, pid: child.pid, port: plan.env.PROCESSOR_METRICS_PORT },
        "instance started",
      );
      child.on("exit", (code, signal) => {
        children.delete(plan.index);
        if (restarts(code, stopping)) {
          log.warn({ index: plan.index, code, signal }, "instance exited unexpectedly; restarting");
          setTimeout(() => (stopping ? settleIfDone() : launch(plan)), RESTART_DELAY_MS);
          return;
        }
        worst = Math.max(worst, code ?? 1);
        log.info({ index: plan.index, code, signal }, "instance ended");
        settleIfDone();
      });
    };
    for (let i = 0; i < count; i++) launch(instancePlan(i, base));
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      log.info({ signal, instances: children.size }, "stopping every instance");
      for (const c of children.values()) c.kill(signal);
      settleIfDone();
    };
    process.on("SIGTERM", () => stop("SIGTERM"));
    process.on("SIGINT", () => stop("SIGINT"));
  });
}
