import { describe, expect, it } from "vitest";
import { formatFixtureLine, parseFixtureLine, withoutSecrets } from "./fixture-format.ts";

describe("parseFixtureLine", () => {
  it("reads an event", () => {
    const text = '{"event_time": 1767225600000, "user": {"nat": "FR"}}';
    expect(parseFixtureLine(text, 3)).toEqual({
      ok: true,
      line: 3,
      text,
      eventTime: 1767225600000,
      user: { nat: "FR" },
    });
  });

  it("refuses, with the line number and why", () => {
    const cases: [string, RegExp][] = [
      ["not json", /^line 7: not JSON \(/],
      ['{"event_time": 1, "user": {', /^line 7: not JSON \(/],
      ['{"user": {}}', /^line 7: not a fixture event \(event_time: /],
      ['{"event_time": "2026-01-01", "user": {}}', /^line 7: not a fixture event \(event_time: /],
      ['{"event_time": 1.5, "user": {}}', /^line 7: not a fixture event \(event_time: /],
      ['{"event_time": -1, "user": {}}', /^line 7: not a fixture event \(event_time: /],
      ['{"event_time": 1}', /^line 7: not a fixture event \(user: user is missing\)$/],
      ["[1, 2]", /^line 7: not a fixture event \(\(root\): /],
      ["null", /^line 7: not a fixture event/],
    ];
    for (const [text, reason] of cases) {
      const r = parseFixtureLine(text, 7);
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.reason).toMatch(reason);
        expect(r.text).toBe(text);
      }
    }
  });
});

describe("formatFixtureLine", () => {
  it("writes contract §2 without the login secrets", () => {
    const user = {
      nat: "DE",
      login: { uuid: "u1", username: "x", password: "p", salt: "s", md5: "m", sha1: "a", sha256: "b" },
    };
    const line = formatFixtureLine(42, user);
    expect(JSON.parse(line)).toEqual({
      event_time: 42,
      user: { nat: "DE", login: { uuid: "u1", username: "x" } },
    });
    expect(parseFixtureLine(line, 1)).toMatchObject({ ok: true, eventTime: 42 });
  });

  it("leaves users without a login object alone", () => {
    expect(withoutSecrets({ nat: "DE" })).toEqual({ nat: "DE" });
    expect(withoutSecrets("text")).toBe("text");
    expect(withoutSecrets({ login: null })).toEqual({ login: null });
  });
});
