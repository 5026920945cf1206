import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// The alert rules and their tests, by Prometheus's own tool (Debian's prometheus package; scripts/setup.sh
// installs it). No promtool is a failure, not a skip: the rules would ship untested.
const dir = fileURLToPath(new URL(".", import.meta.url));
const promtool = (...args: string[]) => execFileSync("promtool", args, { cwd: dir, encoding: "utf8" });

describe("ops/prometheus/alerts.yml", () => {
  it("is valid (promtool check rules)", () => {
    expect(promtool("check", "rules", "alerts.yml")).toMatch(/SUCCESS: \d+ rules found/);
  });

  it("passes its tests (promtool test rules): every alert fires on its case and not on the healthy one", () => {
    expect(promtool("test", "rules", "alerts.test.yml")).toMatch(/SUCCESS/);
  });

  it("has a test for every alert", () => {
    const rules = execFileSync("sh", ["-c", "grep -E '^\\s+- alert:' alerts.yml | sed 's/.*alert: //'"], {
      cwd: dir,
      encoding: "utf8",
    })
      .trim()
      .split("\n");
    const tests = execFileSync(
      "sh",
      ["-c", "grep -E '^\\s+alertname:' alerts.test.yml | sed 's/.*alertname: //'"],
      {
        cwd: dir,
        encoding: "utf8",
      },
    );
    for (const r of rules) expect(tests, r).toContain(r);
    expect(rules.length).toBeGreaterThanOrEqual(8);
  });
});
