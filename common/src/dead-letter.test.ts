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
