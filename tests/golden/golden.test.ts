import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../common/src/config.ts";
import { computeGolden, GOLDEN_VARIANTS, goldenCases, goldenSettings } from "./golden.ts";

describe("golden files", () => {
  it.each(goldenCases().map((c) => [basename(c.path), c] as const))("%s is up to date", (_, c) => {
    const committed = JSON.parse(readFileSync(c.path, "utf8"));
    const config = loadConfig(c.env);
    expect(committed).toEqual(JSON.parse(JSON.stringify(computeGolden(c.fixture, config, c.variant))));
  });

  it("holds a variant to a non-default group-by over hopping windows, and says so in the file", () => {
    const variants = goldenCases().filter((c) => c.variant !== undefined);
    expect(variants.length).toBeGreaterThanOrEqual(2);
    for (const c of variants) {
      const golden = JSON.parse(readFileSync(c.path, "utf8"));
      const settings = goldenSettings(golden);
      expect(settings.GROUP_BY).not.toBe(loadConfig({}).GROUP_BY);
      expect(Number(settings.WINDOW_SLIDE_MS)).toBeLessThan(Number(settings.WINDOW_SIZE_MS));
      // What the checker configures the processor with is what the golden was computed under.
      const variant = GOLDEN_VARIANTS.find((v) => v.name === c.variant);
      for (const [k, v] of Object.entries(variant?.env ?? {})) expect(settings[k]).toBe(v);
    }
  });
});
