import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const shutdown = fileURLToPath(new URL("./shutdown.ts", import.meta.url));

/** A process that stops on signals with `close` as given, signalled once it is ready. */
function stopped(close: string, signals: NodeJS.Signals[]): Promise<{ code: number | null; out: string }> {
  const script = `
    const { stopOnSignals } = await import(${JSON.stringify(shutdown)});
    const log = { info: (o, m) => console.log(m, JSON.stringify(o)), error: (o, m) => console.log(m, JSON.stringify(o)) };
    stopOnSignals(log, ${close}, 300);
    setInterval(() => {}, 1000);
    console.log("ready");`;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script]);
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      if (out.includes("ready") && signals.length > 0) {
        const sig = signals.shift();
        if (sig) child.kill(sig);
        if (signals.length > 0) setTimeout(() => child.kill(signals.shift()), 50);
      }
    });
    child.stderr.on("data", (d) => (out += d));
    child.on("close", (code) => resolve({ code, out }));
  });
}

describe("stopOnSignals", () => {
  it("exits 0 once close settles after SIGTERM", async () => {
    const r = await stopped("async () => console.log('closed')", ["SIGTERM"]);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain("closed");
    expect(r.out).toContain('"signal":"SIGTERM"');
  });

  it("exits 1 when close fails", async () => {
    const r = await stopped("async () => { throw new Error('store hung up'); }", ["SIGINT"]);
    expect(r.code, r.out).toBe(1);
    expect(r.out).toContain("store hung up");
  });

  it("exits 1 when close takes longer than the grace period", async () => {
    const r = await stopped("() => new Promise(() => {})", ["SIGTERM"]);
    expect(r.code, r.out).toBe(1);
    expect(r.out).toContain("timeout");
  });

  it("exits 1 at once on a second signal", async () => {
    const started = Date.now();
    const r = await stopped("() => new Promise((ok) => setTimeout(ok, 5000))", ["SIGTERM", "SIGTERM"]);
    expect(r.code, r.out).toBe(1);
    expect(Date.now() - started).toBeLessThan(4000);
  });
});
