import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

// The Grafana dashboard (import ops/grafana/rt-pipeline.json; its datasource is a variable): every panel
// queries metrics the services export, so a renamed metric cannot leave a panel silently empty.
const dashboard = JSON.parse(readFileSync(new URL("./rt-pipeline.json", import.meta.url), "utf8")) as {
  uid: string;
  panels: { id: number; title: string; targets: { expr: string }[] }[];
};
const sources = [
  "../../processor/src/metrics.ts",
  "../../producer/src/metrics.ts",
  "../../web/src/metrics.ts",
]
  .map((p) => readFileSync(new URL(p, import.meta.url), "utf8"))
  .join("\n");
// Default process metrics (prefix + process_resident_memory_bytes) come from prom-client.
const exported = (name: string) =>
  sources.includes(`"${name}"`) || /^(processor|producer|web)_process_/.test(name);

describe("the Grafana dashboard", () => {
  it("has panels with unique ids, each with a query", () => {
    expect(dashboard.uid).toBe("rt-pipeline");
    expect(new Set(dashboard.panels.map((p) => p.id)).size).toBe(dashboard.panels.length);
    for (const p of dashboard.panels) expect(p.targets.length, p.title).toBeGreaterThan(0);
  });

  it("queries only metrics the processor, producer and web tier export", () => {
    const names = new Set(
      dashboard.panels.flatMap((p) =>
        p.targets.flatMap((t) =>
          [...t.expr.matchAll(/\b((?:processor|producer|web)_[a-z0-9_]+)/g)].map((m) => m[1] ?? ""),
        ),
      ),
    );
    for (const n of names) expect(exported(n.replace(/_(bucket|sum|count)$/, "")), n).toBe(true);
  });
});
