import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildDeadLetter, parseDeadLetter, redactSecrets } from "./dead-letter.ts";

describe("buildDeadLetter", () => {
  it("builds the JSON of docs/internal-contracts.md and reads it back", () => {
    const msg = buildDeadLetter({
      reason: "line 4: not JSON",
      stage: "parse",
      source: "fixture",
      line: 4,
      payload: "{oops",
      at: 1_767_225_600_000,
    });
    expect(msg.key).toBeNull();
    expect(JSON.parse(msg.value.toString())).toEqual({
      reason: "line 4: not JSON",
      stage: "parse",
      source: "fixture",
      line: 4,
      payload: "{oops",
      at: 1_767_225_600_000,
    });
    expect(parseDeadLetter(msg.value)).toMatchObject({ stage: "parse", line: 4 });
  });

  it("keys by the event id when known and leaves line out when there is none", () => {
    const msg = buildDeadLetter({ reason: "r", stage: "map", source: "api", payload: "{}", key: "uuid-1" });
    expect(msg.key).toBe("uuid-1");
    expect(JSON.parse(msg.value.toString())).not.toHaveProperty("line");
  });

  it("refuses to read something that is not a dead letter", () => {
    expect(() => parseDeadLetter('{"reason": 1}')).toThrow();
  });
});

describe("redactSecrets", () => {
  const user = {
    login: {
      uuid: "u",
      username: "n",
      password: "hunter2",
      salt: "NaCl",
      md5: "m5",
      sha1: "s1",
      sha256: "s256",
    },
  };

  it("drops the login secrets from JSON payloads, at any depth", () => {
    const out = redactSecrets(JSON.stringify({ event_time: 1, user }));
    expect(JSON.parse(out)).toEqual({ event_time: 1, user: { login: { uuid: "u", username: "n" } } });
  });

  it("redacts them by pattern in text that is not JSON", () => {
    const truncated = JSON.stringify({ user }).slice(0, -5);
    const out = redactSecrets(truncated);
    for (const secret of ["hunter2", "NaCl", '"m5"', '"s1"', '"s256']) expect(out).not.toContain(secret);
    expect(out).toContain('"password":"[redacted]"');
    expect(out).toContain('"uuid":"u"');
  });

  it("redacts a secret cut off by the end of the text, up to that end", () => {
    expect(redactSecrets('{"user":{"login":{"uuid":"u","password":"hunter2secret')).toBe(
      '{"user":{"login":{"uuid":"u","password":"[redacted]"',
    );
    expect(redactSecrets('{"login":{"salt":"ab\\"cd\\')).toBe('{"login":{"salt":"[redacted]"');
  });

  it("redacts secrets that are not strings", () => {
    const out = redactSecrets(
      '{"login":{"password": 12345, "salt":true,"md5":[1,"x]"],"sha1":{"a":{"b":"}"}},"sha256":-1.5e3}, "n": 7',
    );
    expect(out).toBe(
      '{"login":{"password": "[redacted]", "salt":"[redacted]","md5":"[redacted]","sha1":"[redacted]","sha256":"[redacted]"}, "n": 7',
    );
  });

  it("keeps payloads without secrets as they are", () => {
    expect(redactSecrets("not json at all")).toBe("not json at all");
  });
});

describe("redactSecrets fidelity", () => {
  it("returns a JSON payload without secrets byte for byte", () => {
    const text = '{ "event_time" : 1,  "user": {"login": {"uuid": "u"}} }';
    expect(redactSecrets(text)).toBe(text);
  });
});

// A user whose every value is free of the markers below: whatever of a secret leaks is visible.
const userWith = (login: Record<string, unknown>) => ({
  event_time: 1_000_000_000_000,
  user: {
    gender: "female",
    name: { title: "Ms", first: "Ольга", last: "O'Brien" },
    location: {
      street: { number: 10, name: "Main Street" },
      city: "Kyiv",
      postcode: "EC1A 1BB",
      coordinates: { latitude: "-10.1010", longitude: "1.0101" },
    },
    email: "olga.obrien@example.com",
    login: { uuid: "abcdef01-abcd-4abc-8abc-abcdef010101", username: "purplefrog", ...login },
    dob: { date: "1990-01-01T00:00:00.000Z", age: 10 },
    phone: "(010) 100-1010",
    nat: "UA",
  },
});

// Secrets carry the marker ☃ between every character, so any part of one that survives shows it; numbers
// use only the digits 3, 4, 7, 8, 9, which the user above (keys included: "sha256") never has three of in a row.
const SPECIALS = ['"', "\\", " ", ",", "}", "]", "{", "[", ":", "x", "\n", "\u0001", "é", "\u2028"];
const markedString = fc
  .array(fc.constantFrom(...SPECIALS), { maxLength: 8 })
  .map((cs) => `☃${cs.map((c) => `${c}☃`).join("")}`);
const markedNumber = fc
  .tuple(fc.boolean(), fc.array(fc.constantFrom(..."34789"), { minLength: 3, maxLength: 12 }))
  .map(([negative, digits]) => Number(`${negative ? "-" : ""}${digits.join("")}`));
const secretValue = fc.oneof(
  markedString,
  markedNumber,
  fc.array(fc.oneof(markedString, markedNumber), { minLength: 1, maxLength: 3 }),
  fc.dictionary(markedString, fc.oneof(markedString, markedNumber), { minKeys: 1, maxKeys: 3 }),
);
const leaks = (text: string) => text.includes("☃") || /[34789]{3}/.test(text);

describe("redactSecrets, property", () => {
  it("lets no secret survive in any truncation of a JSON user, and keeps what comes before it", () => {
    fc.assert(
      fc.property(
        fc.record({
          password: secretValue,
          salt: secretValue,
          md5: secretValue,
          sha1: secretValue,
          sha256: secretValue,
        }),
        fc.constantFrom(0, 2),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (secrets, indent, cut) => {
          const text = JSON.stringify(userWith(secrets), null, indent);
          const truncated = text.slice(0, Math.floor(cut * text.length));
          const out = redactSecrets(truncated);
          expect(leaks(out)).toBe(false);
          if (truncated === text) {
            // Whole JSON is re-serialized without the secret fields.
            expect(JSON.parse(out)).toEqual(userWith({}));
          } else {
            // Cut text is kept byte for byte up to the first secret.
            const beforeSecrets = text.indexOf('"purplefrog"') + '"purplefrog"'.length;
            expect(out.startsWith(truncated.slice(0, beforeSecrets))).toBe(true);
          }
          // What follows the secrets is kept once it is whole.
          const phone = text.indexOf('"phone"');
          if (truncated.length > phone + 30) expect(out).toContain("(010) 100-1010");
          // Whole, or whole with trailing garbage: nothing leaks either.
          expect(leaks(redactSecrets(text))).toBe(false);
          expect(leaks(redactSecrets(`${text}garbage`))).toBe(false);
        },
      ),
      { numRuns: 2_000 },
    );
  });
});
