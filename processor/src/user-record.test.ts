import { describe, expect, it } from "vitest";
import { checkUserRecord, fitsCassandraKey } from "./user-record.ts";

const user = {
  event_id: "0b7c3f1e-1111-4a4a-9c9c-123456789abc",
  event_time: 1_767_225_600_123,
  title: "Mr",
  first_name: "Ali",
  last_name: "Rezaei",
  gender: "male",
  nat: "IR",
  country: "Iran",
  city: "تهران",
  state: "Tehran",
  street: "1 Main",
  postcode: "12345",
  latitude: 35.7,
  longitude: 51.4,
  timezone_offset: "+3:30",
  email: "ali@example.com",
  username: "bluecat7",
  age: 40,
  dob: 500_000_000_000,
  registered_at: 1_500_000_000_000,
  phone: "021",
  cell: "0912",
  id_name: "",
  id_value: null,
  picture: "https://randomuser.me/api/portraits/men/1.jpg",
  source: null,
};

describe("checkUserRecord", () => {
  it("passes a complete record through", () => {
    expect(checkUserRecord(user)).toEqual({ ok: true, user });
  });

  it.each([
    ["an empty event id", { event_id: "" }, /event_id/],
    ["a username over Cassandra's key limit", { username: "é".repeat(40_000) }, /username: .*65535-byte/],
    ["a fractional event time", { event_time: 1.5 }, /event_time/],
    ["a date of birth past what a JS Date holds", { dob: 8_640_000_000_000_001 }, /dob: /],
    [
      "a registration before what a JS Date holds",
      { registered_at: -8_640_000_000_000_001 },
      /registered_at: /,
    ],
    ["a missing field", { email: undefined }, /email/],
  ])("refuses %s, naming the field", (_, change, reason) => {
    const out = checkUserRecord({ ...user, ...change });
    expect(out.ok).toBe(false);
    expect(!out.ok && out.reason).toMatch(/^invalid user record: /);
    expect(!out.ok && out.reason).toMatch(reason);
  });
});

describe("fitsCassandraKey", () => {
  it("counts UTF-8 bytes, not characters", () => {
    expect(fitsCassandraKey("a".repeat(65_535))).toBe(true);
    expect(fitsCassandraKey("a".repeat(65_536))).toBe(false);
    expect(fitsCassandraKey("é".repeat(32_767))).toBe(true);
    expect(fitsCassandraKey("é".repeat(32_768))).toBe(false);
  });
});
