import { afterEach, describe, expect, it } from "vitest";
import type { Config } from "../../common/src/config.ts";
import { createRng } from "./rng.ts";
import { produceSynthetic } from "./synthetic.ts";
import { syntheticUser } from "./synthetic-users.ts";
import { cleanupIsolated } from "./testing/cleanup.ts";
import { isolatedConfig } from "./testing/test-config.ts";
import { readTopic } from "./testing/topic-reader.ts";

const configs: Config[] = [];
afterEach(async () => {
  for (const c of configs.splice(0)) await cleanupIsolated(c);
});

/** The keys on the users topic after two runs of 100 events each, as a restart would do. */
async function keysAfterTwoRuns(env: Record<string, string>, seed?: number): Promise<string[]> {
  const config = isolatedConfig("synth_ids", env);
  configs.push(config);
  for (let run = 0; run < 2; run++) {
    const stats = await produceSynthetic(config, {
      rate: 0,
      count: 100,
      ...(seed === undefined ? {} : { seed }),
    });
    expect(stats.sent).toBe(100);
  }
  return (await readTopic(config, config.TOPIC_USERS, 200)).map((m) => m.key ?? "");
}

/** The event ids a run seeded with `seed` sends (the clock changes no draw, only values). */
function seededIds(seed: number, count: number): string[] {
  const rng = createRng(seed);
  return Array.from({ length: count }, () => syntheticUser(rng, Date.now()).login.uuid);
}

describe("the synthetic source against the real Kafka", () => {
  it("sends new event ids on every run without a seed: a restart repeats none", async () => {
    const keys = await keysAfterTwoRuns({});
    expect(keys).toHaveLength(200);
    expect(new Set(keys).size).toBe(200);
  });

  it("sends exactly the seeded ids again when given the same --seed", async () => {
    const keys = await keysAfterTwoRuns({}, 7);
    expect(keys).toHaveLength(200);
    expect([...new Set(keys)].sort()).toEqual(seededIds(7, 100).sort());
  });

  it("takes SYNTHETIC_SEED as an explicit seed", async () => {
    const keys = await keysAfterTwoRuns({ SYNTHETIC_SEED: "7" });
    expect([...new Set(keys)].sort()).toEqual(seededIds(7, 100).sort());
  });
});
