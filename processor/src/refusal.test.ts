import { describe, expect, it } from "vitest";
import { refusalReason } from "./refusal.ts";

describe("refusalReason", () => {
  it("names the limit, and the setting that raises the key bound", () => {
    expect(refusalReason("keys", 10_000)).toBe(
      "refused: the partition's key dictionary is full (PROCESSOR_MAX_KEYS_PER_PARTITION=10000 distinct group-by values in its open windows)",
    );
    expect(refusalReason("windows", 1)).toMatch(/^refused: window state capacity exhausted \(open windows/);
    expect(refusalReason("cells", 1)).toMatch(
      /^refused: window state capacity exhausted \(key × window cells/,
    );
  });
});
