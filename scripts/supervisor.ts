import { type ChildProcess, spawn } from "node:child_process";
import { constants } from "node:os";
import { createInterface } from "node:readline";
import { backoffDelay } from "../common/src/backoff.ts";

export interface ChildSpec {
  name: string;
  command: string;
  args: string[];
}

export interface RestartPolicy {
  /** Delay before the first restart; each further one doubles it, up to maxDelayMs. */
  initialDelayMs: number;
  maxDelayMs: number;
  /** Restarts in a row (each run shorter than resetAfterMs) after which the supervisor gives up. */
  maxRestarts: number;
  /** A run at least this long counts as healthy: the next failure starts the backoff afresh. */
  resetAfterMs: number;
}

export type SupervisorEvent =
  | { kind: "exited"; name: string; code: number | null; signal: NodeJS.Signals | null }
  | { kind: "restarting"; name: string; attempt: number; delayMs: number }
  | { kind: "gave-up"; name: string; restarts: number; code: number };

export interface SupervisorOptions {
  /** Every complete line a child prints, once, even when the pipe delivered it in pieces. */
  onLine(name: string, line: string, stream: "stdout" | "stderr"): void;
  onEvent(event: SupervisorEvent): void;
  restart: RestartPolicy;
  /** How long stop() waits for a child after SIGTERM before it sends SIGKILL. */
  stopGraceMs: number;
}

export const DEFAULT_RESTART: RestartPolicy = {
  initialDelayMs: 1_000,
  maxDelayMs: 30_000,
  maxRestarts: 5,
  resetAfterMs: 30_000,
};

interface Supervised {
  spec: ChildSpec;
  child: ChildProcess | null;
  restarts: number;
  timer: NodeJS.Timeout | null;
}

/**
 * Runs children the way a process manager does (on-failure restart like Docker's or systemd's
 * Restart=on-failure): a child that exits non-zero or dies of a signal is restarted with
 * exponential backoff; a child that exits 0 on its own is done. `done` resolves, with the exit code
 * the supervisor's own process should exit with, once every child has ended: 0 when all ended
 * cleanly (a child that stop() ended counts as clean if it exited 0 or of the SIGTERM), else the
 * failing child's status (its code, or 128 + the signal's number): the one that failed maxRestarts
 * times in a row (the others are then stopped), or one that failed while being stopped.
 */
export class Supervisor {
  readonly done: Promise<number>;
  private readonly children: Supervised[] = [];
  private stopping = false;
  private failure: number | null = null;
  private resolveDone: (code: number) => void = () => {};

  constructor(private readonly opts: SupervisorOptions) {
    this.done = new Promise((resolve) => {
      this.resolveDone = resolve;
    });
  }

  start(spec: ChildSpec): void {
    const s: Supervised = { spec, child: null, restarts: 0, timer: null };
    this.children.push(s);
    this.launch(s);
  }

  /** SIGTERM to every child, SIGKILL to those still running after stopGraceMs; no more restarts. */
  stop(): Promise<number> {
    if (!this.stopping) {
      this.stopping = true;
      for (const s of this.children) {
        if (s.timer) clearTimeout(s.timer);
        s.timer = null;
        const child = s.child;
        if (!child) continue;
        child.kill("SIGTERM");
        setTimeout(() => {
          if (s.child === child) child.kill("SIGKILL");
        }, this.opts.stopGraceMs).unref();
      }
      this.settle();
    }
    return this.done;
  }

  private launch(s: Supervised): void {
    const startedAt = Date.now();
    const child = spawn(s.spec.command, s.spec.args, { stdio: ["ignore", "pipe", "pipe"], env: process.env });
    s.child = child;
    for (const stream of ["stdout", "stderr"] as const) {
      const lines = createInterface({ input: child[stream], crlfDelay: Number.POSITIVE_INFINITY });
      lines.on("line", (line) => this.opts.onLine(s.spec.name, line, stream));
    }
    child.on("error", (err) => this.opts.onLine(s.spec.name, `could not start: ${err.message}`, "stderr"));
    child.on("close", (code, signal) => {
      s.child = null;
      this.opts.onEvent({ kind: "exited", name: s.spec.name, code, signal });
      const status = code ?? 128 + (signal ? constants.signals[signal] : 0);
      if (this.stopping) {
        if (status !== 0 && signal !== "SIGTERM") this.failure ??= status;
        return this.settle();
      }
      if (status === 0) return this.settle();
      if (Date.now() - startedAt >= this.opts.restart.resetAfterMs) s.restarts = 0;
      if (s.restarts >= this.opts.restart.maxRestarts) {
        this.opts.onEvent({ kind: "gave-up", name: s.spec.name, restarts: s.restarts, code: status });
        this.failure ??= status;
        void this.stop();
        return;
      }
      const { initialDelayMs, maxDelayMs } = this.opts.restart;
      const delayMs = backoffDelay({ baseMs: initialDelayMs, maxMs: maxDelayMs }, s.restarts);
      s.restarts++;
      this.opts.onEvent({ kind: "restarting", name: s.spec.name, attempt: s.restarts, delayMs });
      s.timer = setTimeout(() => {
        s.timer = null;
        this.launch(s);
      }, delayMs);
    });
  }

  private settle(): void {
    if (this.children.every((s) => s.child === null && s.timer === null)) this.resolveDone(this.failure ?? 0);
  }
}
