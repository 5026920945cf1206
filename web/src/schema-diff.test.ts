import { describe, expect, it } from "vitest";
import { schemaDiff } from "./schema-diff.ts";

describe("schemaDiff", () => {
  it("diffs pretty-printed schemas line by line: an added field is added lines, the rest the same", () => {
    const v1 = JSON.stringify({ type: "record", name: "U", fields: [{ name: "a", type: "string" }] });
    const v2 = JSON.stringify({
      type: "record",
      name: "U",
      fields: [
        { name: "a", type: "string" },
        { name: "b", type: ["null", "string"], default: null },
      ],
    });
    const lines = schemaDiff(v1, v2);
    expect(lines.filter((l) => l.kind === "del")).toEqual([]);
    expect(lines.filter((l) => l.kind === "add").map((l) => l.text.trim())).toContain('"name": "b",');
    expect(lines[0]).toEqual({ kind: "same", text: "{" });
    expect(schemaDiff(v1, v1).every((l) => l.kind === "same")).toBe(true);
  });
});
