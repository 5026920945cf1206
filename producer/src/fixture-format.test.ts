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
      [
        "not json",
        /^line 7: not JSON: unexpected character where a value should be at column 1 \(byte offset 0\)$/,
      ],
      [
        '{"event_time": 1, "user": {',
        /^line 7: not JSON: unexpected end of the text at column 28 \(byte offset 27\)$/,
      ],
      ['{"user": {"login": {"password": "hunter2secret" }', /^line 7: not JSON: unexpected end/],
      [
        '{"user": {"login": {"password": "hunter2secret" x}}}',
        /^line 7: not JSON: expected ',' or '}' in an object at column 49 /,
      ],
      ['{"user": {}}', /^line 7: not a fixture event \(event_time: /],
      ['{"event_time": "2026-01-01", "user": {}}', /^line 7: not a fixture event \(event_time: /],
      ['{"event_time": 1e999, "user": {}}', /^line 7: not a fixture event \(event_time: /],
      ['{"event_time": 1}', /^line 7: not a fixture event \(user: user is missing\)$/],
      ["[1, 2]", /^line 7: not a fixture event \(\(root\): /],
      ["null", /^line 7: not a fixture event/],
    ];
    for (const [text, reason] of cases) {
      const r = parseFixtureLine(text, 7);
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.reason).toMatch(reason);
        expect(r.reason).not.toContain("hunter2");
        expect(r.text).toBe(text);
      }
    }
  });

  it("leaves the event time's bounds to the mapping (common/src/event-time.ts): any JSON number parses", () => {
    for (const t of [1.5, -1, 9e15, 4102444800000]) {
      expect(parseFixtureLine(`{"event_time": ${t}, "user": {}}`, 1)).toMatchObject({
        ok: true,
        eventTime: t,
      });
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

  it("drops secret keys in any case", () => {
    expect(withoutSecrets({ login: { uuid: "u", PassWord: "p", SHA1: "a" } })).toEqual({
      login: { uuid: "u" },
    });
  });

  it("leaves users without a login object alone", () => {
    expect(withoutSecrets({ nat: "DE" })).toEqual({ nat: "DE" });
    expect(withoutSecrets("text")).toBe("text");
    expect(withoutSecrets({ login: null })).toEqual({ login: null });
  });
});
