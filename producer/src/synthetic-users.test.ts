import { describe, expect, it } from "vitest";
import { userSchema } from "../../common/src/user-schema.ts";
import { NATIONALITIES, RandomUserSchema } from "./random-user.ts";
import { createRng } from "./rng.ts";
import { syntheticUser } from "./synthetic-users.ts";
import { mapUser } from "./user-mapping.ts";

const NOW = Date.parse("2026-06-01T12:00:00Z");

function sample(n: number, seed = 1) {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => syntheticUser(rng, NOW));
}

describe("syntheticUser", () => {
  it("is shaped like the API and maps for every nationality", () => {
    const rng = createRng(3);
    for (const nat of NATIONALITIES) {
      for (let i = 0; i < 20; i++) {
        const u = syntheticUser(rng, NOW, nat);
        expect(RandomUserSchema.safeParse(u).success).toBe(true);
        expect(u.nat).toBe(nat);
        const r = mapUser(u, NOW, userSchema(1).type);
        expect(r.ok ? "" : r.reason).toBe("");
      }
    }
  });

  it("is reproducible from its seed", () => {
    expect(sample(50, 9)).toEqual(sample(50, 9));
    expect(sample(50, 9)).not.toEqual(sample(50, 10));
  });

  it("covers every nationality and every quirk of contract §1", () => {
    const users = sample(3000);
    expect(new Set(users.map((u) => u.nat))).toEqual(new Set(NATIONALITIES));
    expect(users.some((u) => typeof u.location.postcode === "number")).toBe(true);
    expect(
      users.some((u) => typeof u.location.postcode === "string" && /[A-Z]/.test(u.location.postcode)),
    ).toBe(true);
    expect(users.some((u) => u.id.value === null)).toBe(true);
    expect(users.every((u) => typeof u.location.coordinates.latitude === "string")).toBe(true);
    const names = users.map((u) => `${u.name.first} ${u.name.last} ${u.location.city}`);
    expect(names.some((n) => /\p{Script=Cyrillic}/u.test(n))).toBe(true);
    expect(names.some((n) => /\p{Script=Arabic}/u.test(n))).toBe(true);
    expect(names.some((n) => /[À-ÿ]/.test(n))).toBe(true);
    expect(names.some((n) => n.includes("'"))).toBe(true);
  });

  it("gives consistent ages and ids", () => {
    for (const u of sample(500)) {
      const dob = Date.parse(u.dob.date);
      const years = (NOW - dob) / (365.2425 * 86_400_000);
      expect(Math.abs(years - u.dob.age)).toBeLessThan(1.01);
      expect(u.dob.age).toBeGreaterThanOrEqual(17);
      expect(u.login.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(u.email).toMatch(/^[a-z0-9]+\.[a-z0-9]+@example\.com$/);
    }
    const ids = sample(5000).map((u) => u.login.uuid);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
