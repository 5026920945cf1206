import { basename } from "node:path";
import { describe, expect, it } from "vitest";
import { checkFixture } from "./check.ts";
import { fixtureFiles } from "./golden.ts";

// Every committed fixture through the real producer → Kafka → processor → Cassandra → API.
describe("fixtures end exact in the API", () => {
  it.each(fixtureFiles().map((f) => [basename(f), f]))("%s", async (_, f) => {
    const r = await checkFixture(f);
    expect(r.diff).toEqual([]);
    expect(r.allFinal).toBe(true);
  });
});
