import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { userSchema } from "../../common/src/user-schema.ts";
import type { RandomUser } from "./random-user.ts";
import { mapUser } from "./user-mapping.ts";

const v1 = userSchema(1).type;
const v2 = userSchema(2).type;
const EVENT_TIME = Date.parse("2026-01-01T00:00:05.123Z");

// A user as the API returns it (secrets included).
function apiUser(): RandomUser {
  return {
    gender: "female",
    name: { title: "Miss", first: "Jennie", last: "Nichols" },
    location: {
      street: { number: 8929, name: "Valwood Pkwy" },
      city: "Billings",
      state: "Michigan",
      country: "United States",
      postcode: 63104,
      coordinates: { latitude: "-69.8246", longitude: "134.8719" },
      timezone: { offset: "+9:30", description: "Adelaide, Darwin" },
    },
    email: "jennie.nichols@example.com",
    login: {
      uuid: "7a0eed16-9430-4d68-901f-c0d4c1c3bf00",
      username: "yellowpeacock117",
      password: "addison",
      salt: "sld1yGtd",
      md5: "ab54ac4c0be9480ae8fa5e9e2a5196a3",
      sha1: "edcf2ce613cbdea349133c52dc2f3b83168dc51b",
      sha256: "48df5229235ada28389b91e60a935e4f9b73eb4bdb855ef9258a1751f10bdc5d",
    },
    dob: { date: "1992-03-08T15:13:16.688Z", age: 30 },
    registered: { date: "2007-07-09T05:51:59.390Z", age: 14 },
    phone: "(272) 790-0888",
    cell: "(489) 330-2385",
    id: { name: "SSN", value: "405-88-3636" },
    picture: {
      large: "https://randomuser.me/api/portraits/men/75.jpg",
      medium: "https://randomuser.me/api/portraits/med/men/75.jpg",
      thumbnail: "https://randomuser.me/api/portraits/thumb/men/75.jpg",
    },
    nat: "US",
  };
}

function mapped(u: unknown, type = v1) {
  const r = mapUser(u, EVENT_TIME, type, "fixture");
  if (!r.ok) throw new Error(`expected a record, got ${r.stage}: ${r.reason}`);
  return r.record;
}

describe("mapUser", () => {
  it("maps every field of contract §3", () => {
    expect(mapped(apiUser())).toEqual({
      event_id: "7a0eed16-9430-4d68-901f-c0d4c1c3bf00",
      event_time: EVENT_TIME,
      title: "Miss",
      first_name: "Jennie",
      last_name: "Nichols",
      gender: "female",
      nat: "US",
      country: "United States",
      city: "Billings",
      state: "Michigan",
      street: "8929 Valwood Pkwy",
      postcode: "63104",
      latitude: -69.8246,
      longitude: 134.8719,
      timezone_offset: "+9:30",
      email: "jennie.nichols@example.com",
      username: "yellowpeacock117",
      age: 30,
      dob: Date.parse("1992-03-08T15:13:16.688Z"),
      registered_at: Date.parse("2007-07-09T05:51:59.390Z"),
      phone: "(272) 790-0888",
      cell: "(489) 330-2385",
      id_name: "SSN",
      id_value: "405-88-3636",
      picture: "https://randomuser.me/api/portraits/men/75.jpg",
    });
  });

  it("never lets a login field other than uuid and username through", () => {
    const u = apiUser();
    const record = mapped(u, v2);
    const text = JSON.stringify(record);
    for (const secret of [u.login.password, u.login.salt, u.login.md5, u.login.sha1, u.login.sha256]) {
      expect(text).not.toContain(secret);
    }
    const schemaFields = (v2.schema() as { fields: { name: string }[] }).fields.map((f) => f.name);
    expect(schemaFields.filter((f) => /pass|salt|md5|sha/i.test(f))).toEqual([]);
    expect(Object.keys(record).sort()).toEqual([...schemaFields].sort());
  });

  it("accepts the API's quirks", () => {
    const base = apiUser();
    const gb = mapped({ ...base, location: { ...base.location, postcode: "EC1A 1BB" } });
    expect(gb.postcode).toBe("EC1A 1BB");
    const ca = mapped({ ...base, location: { ...base.location, postcode: "T4X 1Y4" } });
    expect(ca.postcode).toBe("T4X 1Y4");
    const leadingZero = mapped({ ...base, location: { ...base.location, postcode: "0150" } });
    expect(leadingZero.postcode).toBe("0150");
    expect(mapped({ ...base, id: { name: "", value: null } })).toMatchObject({ id_name: "", id_value: null });
    const numeric = mapped({
      ...base,
      location: { ...base.location, coordinates: { latitude: -33.8688, longitude: 151.2093 } },
    });
    expect([numeric.latitude, numeric.longitude]).toEqual([-33.8688, 151.2093]);
    const persian = mapped({
      ...base,
      name: { title: "Ms", first: "نازنین زهرا", last: "رضایی" },
      nat: "IR",
    });
    expect(persian.first_name).toBe("نازنین زهرا");
    const cyr = mapped({ ...base, name: { title: "Mr", first: "Святослав", last: "Кам'янецький" } });
    expect(cyr.last_name).toBe("Кам'янецький");
    const fr = mapped({ ...base, location: { ...base.location, city: "Saint-Étienne", state: "Côte-d'Or" } });
    expect([fr.city, fr.state]).toEqual(["Saint-Étienne", "Côte-d'Or"]);
  });

  it("sets source only with the v2 schema", () => {
    expect(mapped(apiUser())).not.toHaveProperty("source");
    expect(mapped(apiUser(), v2).source).toBe("fixture");
  });

  it("refuses what it cannot map, with the field and the reason", () => {
    const base = apiUser();
    const cases: [unknown, RegExp][] = [
      [null, /\(root\)/],
      [{ ...base, login: { username: "x" } }, /^login\.uuid: /],
      [
        { ...base, dob: { date: "31/12/1999", age: 26 } },
        /^dob\.date: not an ISO 8601 date-time with an offset$/,
      ],
      [
        { ...base, location: { ...base.location, coordinates: { latitude: "north", longitude: "0" } } },
        /^location\.coordinates\.latitude: not a number from -90 to 90$/,
      ],
      [{ ...base, location: { ...base.location, postcode: { code: 1 } } }, /^location\.postcode: /],
      [{ ...base, id: { name: "SSN" } }, /^id\.value: /],
    ];
    for (const [input, reason] of cases) {
      const r = mapUser(input, EVENT_TIME, v1);
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.stage).toBe("map");
        expect(r.reason).toMatch(reason);
      }
    }
  });

  it("keeps the event id of a refused user for the dead letter's key", () => {
    const r = mapUser({ ...apiUser(), dob: { date: "x", age: 1 } }, EVENT_TIME, v1);
    expect(r).toMatchObject({ ok: false, eventId: "7a0eed16-9430-4d68-901f-c0d4c1c3bf00" });
  });

  it("refuses at the schema stage what Avro cannot hold, naming the field", () => {
    const r = mapUser({ ...apiUser(), dob: { date: "1992-03-08T15:13:16.688Z", age: 30.5 } }, EVENT_TIME, v1);
    expect(r).toMatchObject({
      ok: false,
      stage: "schema",
      reason: "age: a number with a fraction is not a valid int",
    });
  });

  it("refuses an event time that is not epoch milliseconds", () => {
    const r = mapUser(apiUser(), Number.NaN, v1);
    expect(r).toMatchObject({
      ok: false,
      stage: "map",
      reason: "event_time: NaN is not an epoch-ms integer",
    });
  });

  it("bounds the event time: up to EVENT_TIME_MAX_FUTURE_SKEW_MS ahead of the clock, from the epoch", () => {
    const now = EVENT_TIME;
    const bounds = { maxFutureSkewMs: 60_000, now: () => now };
    expect(mapUser(apiUser(), now + 60_000, v1, null, bounds).ok).toBe(true);
    expect(mapUser(apiUser(), 0, v1, null, bounds).ok).toBe(true);
    expect(mapUser(apiUser(), now + 60_001, v1, null, bounds)).toMatchObject({
      ok: false,
      stage: "map",
      reason: `event_time: ${now + 60_001} is 60001 ms ahead of the clock, more than the allowed skew of 60000 ms (EVENT_TIME_MAX_FUTURE_SKEW_MS)`,
      eventId: "7a0eed16-9430-4d68-901f-c0d4c1c3bf00",
    });
    expect(mapUser(apiUser(), Date.parse("2100-01-01T00:00:00Z"), v1)).toMatchObject({
      ok: false,
      stage: "map",
    });
    for (const t of [-1, 1.5, 9e15, 2 ** 53]) {
      const r = mapUser(apiUser(), t, v1, null, bounds);
      expect(r).toMatchObject({ ok: false, stage: "map" });
      if (!r.ok) expect(r.reason).toMatch(/^event_time: /);
    }
  });

  it("bounds the group-by values: nat two uppercase ASCII letters, gender one the API sends", () => {
    const base = apiUser();
    for (const nat of ["IR", "ZZ"]) expect(mapped({ ...base, nat }).nat).toBe(nat);
    for (const gender of ["male", "female"]) expect(mapped({ ...base, gender }).gender).toBe(gender);
    for (const nat of ["us", "USA", "U", "", "U1", "ÜS", "US ", "\u0055S\n", 42, null]) {
      expect(mapUser({ ...base, nat }, EVENT_TIME, v1)).toMatchObject({ ok: false, stage: "map" });
    }
    const badNat = mapUser({ ...base, nat: "usa" }, EVENT_TIME, v1);
    expect(badNat).toMatchObject({ reason: "nat: not two uppercase ASCII letters (ISO 3166-1 alpha-2)" });
    for (const gender of ["Male", "other", "", "x".repeat(10_000), 1, null]) {
      const r = mapUser({ ...base, gender }, EVENT_TIME, v1);
      expect(r).toMatchObject({
        ok: false,
        stage: "map",
        reason: "gender: not one of female, male (what Random User v1.4 sends)",
      });
    }
  });

  it("refuses text longer than MAX_TEXT_CHARS and an event id longer than MAX_EVENT_ID_CHARS", () => {
    const base = apiUser();
    expect(mapped({ ...base, name: { ...base.name, first: "é".repeat(1_024) } }).first_name).toHaveLength(
      1_024,
    );
    const long = mapUser({ ...base, name: { ...base.name, first: "x".repeat(1_025) } }, EVENT_TIME, v1);
    expect(long).toMatchObject({
      ok: false,
      stage: "map",
      reason: "name.first: Too big: expected string to have <=1024 characters",
    });
    const id = mapUser({ ...base, login: { ...base.login, uuid: "u".repeat(129) } }, EVENT_TIME, v1);
    expect(id).toMatchObject({ ok: false, stage: "map", eventId: null });
  });

  it("round-trips hostile strings through Avro, lone surrogates made well-formed", () => {
    const hostile = fc.oneof(
      fc.string({ unit: "grapheme" }),
      fc.string({ unit: "binary" }),
      fc.constantFrom(
        "<script>alert(1)</script>",
        "'; DROP TABLE users; --",
        "Robert'); DELETE FROM users;--",
        "\u202Eevil\u202C",
        "zero\u200Bwidth",
        "nul\u0000byte",
        "\uD800lone",
        "tail\uDC00",
        "👩‍👩‍👧‍👦",
        "{{7*7}}#{7*7}<%= 7*7 %>",
      ),
    );
    fc.assert(
      fc.property(hostile, hostile, hostile, (first, city, username) => {
        const base = apiUser();
        const record = mapped({
          ...base,
          name: { ...base.name, first },
          location: { ...base.location, city },
          login: { ...base.login, username },
        });
        const back = v1.fromBuffer(v1.toBuffer(record)) as typeof record;
        expect(back).toEqual(record);
        const wellFormed = (s: string) => Buffer.from(s, "utf8").toString("utf8");
        expect([back.first_name, back.city, back.username]).toEqual([first, city, username].map(wellFormed));
      }),
    );
  });
});
