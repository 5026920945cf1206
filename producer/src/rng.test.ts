import { describe, expect, it } from "vitest";
import { createRng, createUnseededRng, type Rng } from "./rng.ts";
import { syntheticUser } from "./synthetic-users.ts";

const NOW = Date.parse("2026-06-01T12:00:00Z");
const V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const users = (rng: Rng, n: number) => Array.from({ length: n }, () => syntheticUser(rng, NOW));

describe("run generators", () => {
  it("a seeded run is reproducible, event ids included", () => {
    expect(users(createRng(42), 200)).toEqual(users(createRng(42), 200));
  });

  it("unseeded runs never share an event id, and the ids are UUIDv4", () => {
    const runs = Array.from({ length: 5 }, () => users(createUnseededRng(), 2_000).map((u) => u.login.uuid));
    const all = runs.flat();
    expect(new Set(all).size).toBe(all.length);
    for (const id of all) expect(id).toMatch(V4);
  });

  it("unseeded runs differ from each other in their fields too", () => {
    const strip = (rng: Rng) => users(rng, 20).map((u) => ({ ...u, login: { ...u.login, uuid: "" } }));
    expect(strip(createUnseededRng())).not.toEqual(strip(createUnseededRng()));
  });
});
