import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type ChildSpec, Supervisor, type SupervisorEvent } from "./supervisor.ts";

const node = (name: string, script: string): ChildSpec => ({
  name,
  command: process.execPath,
  args: ["-e", script],
});

function supervise(restart = { initialDelayMs: 20, maxDelayMs: 50, maxRestarts: 2, resetAfterMs: 60_000 }) {
  const lines: string[] = [];
  const events: SupervisorEvent[] = [];
  const sup = new Supervisor({
    onLine: (name, line, stream) => lines.push(`${name} ${stream} ${line}`),
    onEvent: (e) => events.push(e),
    restart,
    stopGraceMs: 500,
  });
  return { sup, lines, events };
}

describe("Supervisor", () => {
  it("prints a line the pipe delivered in pieces once, and the last unterminated line at exit", async () => {
    const { sup, lines } = supervise();
    sup.start(
      node(
        "split",
        `process.stdout.write('hel'); setTimeout(() => { process.stdout.write('lo\\nwor'); setTimeout(() => { process.stdout.write('ld'); process.stderr.write('oops\\n'); }, 50); }, 50);`,
      ),
    );
    expect(await sup.done).toBe(0);
    expect(lines).toContain("split stdout hello");
    expect(lines).toContain("split stdout world");
    expect(lines).toContain("split stderr oops");
    expect(lines).toHaveLength(3);
  });

  it("restarts a failing child with doubling delays, then gives up and exits with its code", async () => {
    const { sup, events } = supervise();
    sup.start(node("crash", "process.exit(3)"));
    expect(await sup.done).toBe(3);
    const restarts = events.filter((e) => e.kind === "restarting");
    expect(restarts.map((e) => e.kind === "restarting" && [e.attempt, e.delayMs])).toEqual([
      [1, 20],
      [2, 40],
    ]);
    expect(events.filter((e) => e.kind === "exited")).toHaveLength(3);
    expect(events.at(-1)).toEqual({ kind: "gave-up", name: "crash", restarts: 2, code: 3 });
  });

  it("stops the other children when one gives up", async () => {
    const { sup, events } = supervise({
      initialDelayMs: 10,
      maxDelayMs: 10,
      maxRestarts: 1,
      resetAfterMs: 60_000,
    });
    sup.start(node("server", "setInterval(() => {}, 1000)"));
    sup.start(node("crash", "process.exit(4)"));
    expect(await sup.done).toBe(4);
    expect(events).toContainEqual({ kind: "exited", name: "server", code: null, signal: "SIGTERM" });
  });

  it("a child that recovers after a restart leaves the exit code 0", async () => {
    const marker = join(mkdtempSync(join(tmpdir(), "supervisor-")), "ran");
    const { sup, events } = supervise();
    sup.start(
      node(
        "flaky",
        `const fs = require('fs'); if (!fs.existsSync(${JSON.stringify(marker)})) { fs.writeFileSync(${JSON.stringify(marker)}, ''); process.exit(1); }`,
      ),
    );
    expect(await sup.done).toBe(0);
    expect(events.filter((e) => e.kind === "restarting")).toHaveLength(1);
  });

  it("stop() ends children with SIGTERM, SIGKILLs one that ignores it, and reports that one's status", async () => {
    const { sup, lines } = supervise();
    sup.start(node("polite", "process.on('SIGTERM', () => process.exit(0)); setInterval(() => {}, 1000)"));
    sup.start(
      node(
        "stubborn",
        "process.on('SIGTERM', () => console.log('ignoring')); console.log('up'); setInterval(() => {}, 1000)",
      ),
    );
    while (!lines.includes("stubborn stdout up")) await new Promise((r) => setTimeout(r, 20));
    expect(await sup.stop()).toBe(128 + 9);
    expect(lines).toContain("stubborn stdout ignoring");
  });
});
