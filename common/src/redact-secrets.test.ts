import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { redactSecrets } from "./redact-secrets.ts";

const R = '"[redacted]"';

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

  it("a stray quote that opens a container the scan closes early hides no secret behind it", () => {
    for (const text of [
      '{"salt":{""password" : {"a":"hunter2}x"}}}',
      '{"salt":[""sha1":["hunter2]"]]}',
      '{"md5":{"x":"\\"password":{"v":"hunter2"}}}',
      '{"salt":["{"password":["x}hunter2"]}]}',
      '"salt":["{"password":["☃}hunter2"]}',
    ]) {
      expect(redactSecrets(text), text).not.toContain("hunter2");
    }
  });

  it("replaces every login secret of a JSON payload, at any depth, keeping the rest byte for byte", () => {
    const out = redactSecrets(JSON.stringify({ event_time: 1, user }));
    expect(JSON.parse(out)).toEqual({
      event_time: 1,
      user: {
        login: {
          uuid: "u",
          username: "n",
          password: "[redacted]",
          salt: "[redacted]",
          md5: "[redacted]",
          sha1: "[redacted]",
          sha256: "[redacted]",
        },
      },
    });
  });

  it("redacts them by pattern in text that is not JSON", () => {
    const truncated = JSON.stringify({ user }).slice(0, -5);
    const out = redactSecrets(truncated);
    for (const secret of ["hunter2", "NaCl", '"m5"', '"s1"', '"s256']) expect(out).not.toContain(secret);
    expect(out).toContain(`"password":${R}`);
    expect(out).toContain('"uuid":"u"');
  });

  it("redacts a secret cut off by the end of the text, up to that end", () => {
    expect(redactSecrets('{"user":{"login":{"uuid":"u","password":"hunter2secret')).toBe(
      `{"user":{"login":{"uuid":"u","password":${R}`,
    );
    expect(redactSecrets('{"login":{"salt":"ab\\"cd\\')).toBe(`{"login":{"salt":${R}`);
  });

  it("redacts secrets that are not strings", () => {
    const out = redactSecrets(
      '{"login":{"password": 12345, "salt":true,"md5":[1,"x]"],"sha1":{"a":{"b":"}"}},"sha256":-1.5e3}, "n": 7',
    );
    expect(out).toBe(`{"login":{"password": ${R}, "salt":${R},"md5":${R},"sha1":${R},"sha256":${R}}, "n": 7`);
  });

  it("keeps payloads without secrets as they are", () => {
    expect(redactSecrets("not json at all")).toBe("not json at all");
    const text = '{ "event_time" : 1,  "user": {"login": {"uuid": "u"}} }';
    expect(redactSecrets(text)).toBe(text);
  });

  it("redacts a duplicated key's every value, the shadowed one included", () => {
    const text =
      '{"user":{"login":{"uuid":"u","password":"shadowed1"},"login":{"uuid":"u","password":"last2","password":"dup3"}}}';
    const out = redactSecrets(text);
    for (const s of ["shadowed1", "last2", "dup3"]) expect(out).not.toContain(s);
    expect(JSON.parse(out).user.login).toEqual({ uuid: "u", password: "[redacted]" });
  });

  it("finds keys spelled with escapes or in another case", () => {
    const out = redactSecrets(
      '{"pass\\u0077ord":"esc1","\\u0053ALT":"esc2","Sha1" :\n "esc3","md\\u0035":5}',
    );
    for (const s of ["esc1", "esc2", "esc3", ":5"]) expect(out).not.toContain(s);
    expect(JSON.parse(out)).toEqual({
      password: "[redacted]",
      SALT: "[redacted]",
      Sha1: "[redacted]",
      md5: "[redacted]",
    });
  });

  it("finds keys where the text around them is broken, whatever the quoting before them", () => {
    for (const text of [
      '{"a":"x" "password":"broken1"}',
      'x"y"password":"broken1"',
      '{"a":"unterminated, "password": "broken1"}',
      '"""""password":"broken1"',
      '{"salt":""password":"broken1"}',
      '{"salt":"abc\\"password":"broken1"}',
      '{"md5":"x","sha1":"a\\"b\\"password": "broken1"}',
    ]) {
      expect(redactSecrets(text)).not.toContain("broken1");
    }
  });

  it("handles any nesting depth without recursing", () => {
    const deep = `${'{"a":'.repeat(100_000)}{"password":"deep1"}${"}".repeat(100_000)}`;
    const out = redactSecrets(deep);
    expect(out).not.toContain("deep1");
    expect(out.length).toBe(deep.length - '"deep1"'.length + R.length);
    const deepSecret = `{"password":${"[".repeat(100_000)}"deep2"${"]".repeat(100_000)},"n":1}`;
    expect(redactSecrets(deepSecret)).toBe(`{"password":${R},"n":1}`);
  });

  // Linear in the text (a quadratic scan would outlast the test's timeout by far on these).
  it("redacts hostile text: 700 kB of quotes, of backslash-quotes, of secret keys", () => {
    for (const text of ['"'.repeat(700_000), '"\\'.repeat(350_000), '"md5":1,'.repeat(90_000)]) {
      const out = redactSecrets(text);
      expect(out).not.toContain(":1,");
    }
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
const REDACTED_LOGIN = {
  password: "[redacted]",
  salt: "[redacted]",
  md5: "[redacted]",
  sha1: "[redacted]",
  sha256: "[redacted]",
};

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
            // Whole JSON stays JSON, every secret replaced.
            expect(JSON.parse(out)).toEqual(userWith(REDACTED_LOGIN));
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

  it("lets no secret survive a duplicated login, whichever copy JSON.parse would keep", () => {
    fc.assert(
      fc.property(
        fc.array(secretValue, { minLength: 2, maxLength: 4 }),
        fc.constantFrom(0, 2),
        (values, indent) => {
          const logins = values.map((v) => JSON.stringify({ uuid: "u", password: v }, null, indent));
          const text = `{"user":{${logins.map((l) => `"login":${l}`).join(",")}}}`;
          expect(leaks(redactSecrets(text))).toBe(false);
        },
      ),
      { numRuns: 500 },
    );
  });
});
