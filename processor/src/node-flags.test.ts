import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { PROCESSOR_NODE_FLAGS } from "./node-flags.ts";

describe("processor node flags", () => {
  it("are the ones package.json's processor script starts it with", () => {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
      scripts: Record<string, string>;
    };
    const words = pkg.scripts.processor!.split(/\s+/);
    for (const flag of PROCESSOR_NODE_FLAGS) expect(words).toContain(flag);
  });
});

describe("processor node flags in the Kubernetes manifest", () => {
  it("are the ones the processor Deployment's container starts with", () => {
    const manifest = readFileSync(new URL("../../deploy/k8s/base/processor.yaml", import.meta.url), "utf8");
    const command = /command: \[([^\]]*)\]/.exec(manifest)?.[1] ?? "";
    const words = command.split(",").map((w) => w.trim());
    for (const flag of PROCESSOR_NODE_FLAGS) expect(words).toContain(flag);
  });
});
