import { basename } from "node:path";
import { describe, expect, it } from "vitest";
import { checkGolden } from "./check.ts";
import { goldenCases } from "./golden.ts";

// Every committed golden file (each fixture under the default configuration, some also under a
// non-default group-by with hopping windows) through the real producer → Kafka → processor →
// Cassandra → API, the processor configured as the golden says.
describe("fixtures end exact in the API", () => {
  it.each(goldenCases().map((c) => [basename(c.path), c.path]))("%s", async (_, path) => {
    const r = await checkGolden(path);
    expect(r.diff).toEqual([]);
    expect(r.allFinal).toBe(true);
  });
});
