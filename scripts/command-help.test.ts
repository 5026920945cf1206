import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

// Every command a user runs answers --help with its usage and exit 0, before it configures or
// connects anything, and rejects an unknown option with exit 2 (common/src/command-line.ts).
const scripts = Object.keys(
  (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { scripts: object })
    .scripts,
);
const COMMANDS = ["stack", "dev", "producer", "replay", "processor", "rebuild", "golden", "web", "bench"];

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // An unreachable stack makes a command that ignored --help fail or hang, never pass.
    const env = { ...process.env, KAFKA_BOOTSTRAP: "127.0.0.1:1", CASSANDRA_CONTACT_POINT: "127.0.0.1:1" };
    const child = spawn("bun", ["run", "--silent", ...args], { env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe("every command", () => {
  it("is a package.json script", () => {
    for (const c of COMMANDS) expect(scripts).toContain(c);
  });

  it.each(COMMANDS)("`bun run %s --help` prints its usage and exits 0", async (cmd) => {
    const r = await run([cmd, "--help"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^usage:/);
    expect(r.stdout).toContain(cmd === "replay" ? "bun run replay" : `bun run ${cmd}`);
  });

  it.each(["processor", "rebuild", "web", "golden", "bench"])(
    "`bun run %s --no-such-option` exits 2 with the usage",
    async (cmd) => {
      const r = await run([cmd, "--no-such-option"]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("--no-such-option");
      expect(r.stderr).toContain("usage:");
    },
  );
});
