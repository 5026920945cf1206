import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";

const preload = fileURLToPath(new URL("./env-file.ts", import.meta.url));
// The test runs in a directory of its own, where `--import tsx` would not resolve.
const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
const show = "process.stdout.write(JSON.stringify([process.env.A, process.env.B]))";

function runIn(dir: string, env: Record<string, string> = {}) {
  return spawnSync(process.execPath, ["--import", tsx, "--import", preload, "-e", show], {
    cwd: dir,
    encoding: "utf8",
    env: { ...process.env, ...env },
  });
}

describe("the .env preload", () => {
  it("sets what ./.env names, the environment winning where both set a variable", () => {
    const dir = mkdtempSync(join(tmpdir(), "env-file-"));
    writeFileSync(join(dir, ".env"), '# a comment\nA=from-file\nB="quoted value"\n');
    const r = runIn(dir, { A: "from-env" });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(["from-env", "quoted value"]);
  });

  it("prints nothing and changes nothing without a .env", () => {
    const r = runIn(mkdtempSync(join(tmpdir(), "env-file-")));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe("[null,null]");
    expect(r.stderr).toBe("");
  });
});
