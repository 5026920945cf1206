import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { APP_CHECKS } from "./smoke.ts";

// The runtime split (README): the windowing core and the Hono app run under Bun and Deno as under Node.
// These tests run on Node and start each runtime: Bun (scripts/setup.sh installs it) runs `bun test`
// (tests/bun, bunfig.toml), Deno comes from npm (the `deno` devDependency ships its binary).
const root = fileURLToPath(new URL("../../..", import.meta.url));
const deno = fileURLToPath(new URL("../../../node_modules/.bin/deno", import.meta.url));

function run(command: string, args: string[]) {
  const r = spawnSync(command, args, { cwd: root, encoding: "utf8", timeout: 90_000 });
  expect(r.error, `${command} must be installed`).toBeUndefined();
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe("the windowing core and the web app", () => {
  it("run under Bun: `bun test` serves every check from Bun.serve", () => {
    const r = run("bun", ["test"]);
    expect(r.status, r.out).toBe(0);
    expect(r.out).toContain("(pass) windowing core equals the reference");
    for (const check of APP_CHECKS) expect(r.out).toContain(`(pass) ${check.name}`);
    expect(r.out).toMatch(/\b0 fail\b/);
  });

  it("run under Deno: the smoke serves every check from Deno.serve", () => {
    const r = run(deno, [
      "run",
      "--allow-net=127.0.0.1",
      "--allow-read",
      "--allow-env",
      "--allow-sys",
      "web/src/runtime/deno-smoke.ts",
    ]);
    expect(r.status, r.out).toBe(0);
    expect(r.out).toMatch(/ok windowing core \(\d+ windows equal the reference\)/);
    for (const check of APP_CHECKS) expect(r.out).toContain(`ok ${check.name}`);
    expect(r.out).toContain("deno smoke: all checks passed");
  });
});
