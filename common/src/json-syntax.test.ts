import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { describePosition, findJsonSyntaxError, parseJson } from "./json-syntax.ts";

const accepts = (text: string) => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

describe("parseJson", () => {
  it("parses JSON", () => {
    expect(parseJson('{"a":[1,-2.5e3,true,null,"x\\u00e9"]}')).toEqual({
      ok: true,
      value: { a: [1, -2500, true, null, "xé"] },
    });
  });

  it("says where the text breaks, never what it says", () => {
    const cases: [string, string][] = [
      ['{"login":{"password":"hunter2secret" x}}', "expected ',' or '}' in an object at column 38"],
      ['{"a":hunter2secret}', "unexpected character where a value should be at column 6"],
      ['{"login":{"password":"hunter2secret', "unterminated string at column 22"],
      ['{"a":"hun\u0001ter2secret"}', "control character inside a string at column 10"],
      ['{"a":1}hunter2secret', "unexpected character after the value at column 8"],
      ["[1,]", "unexpected character where a value should be at column 4"],
      ['{"a" 1}', "expected ':' after an object key at column 6"],
      ["{1:2}", "expected a string key in an object at column 2"],
      ['"\\x"', "bad escape inside a string at column 2"],
      ['"\\u12G4"', "bad \\u escape inside a string at column 2"],
      ["01", "unexpected character after the value at column 2"],
      ["-", "bad number at column 1"],
      ["1.e5", "bad number at column 1"],
      ["", "unexpected end of the text at column 1"],
      ["[[[", "unexpected end of the text at column 4"],
      ["\ufeff{}", "unexpected character where a value should be at column 1"],
    ];
    for (const [text, where] of cases) {
      const r = parseJson(text);
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.reason).toMatch(new RegExp(`^not JSON: ${where.replace(/[\\[\](){}.*+?^$|]/g, "\\$&")}`));
        expect(r.reason).not.toMatch(/hunter|secret/);
      }
    }
  });

  it("counts lines, and bytes in UTF-8", () => {
    expect(describePosition('{\n  "é": x', 9)).toBe("line 2, column 8 (byte offset 10)");
  });

  it("finds an error at any nesting depth without recursing", () => {
    const deep = `${"[".repeat(200_000)}x${"]".repeat(200_000)}`;
    expect(findJsonSyntaxError(deep)).toEqual({
      problem: "unexpected character where a value should be",
      offset: 200_000,
    });
    expect(findJsonSyntaxError(`${"[".repeat(200_000)}${"]".repeat(200_000)}`)).toBeNull();
  });
});

describe("findJsonSyntaxError, property", () => {
  it("agrees with JSON.parse on JSON, on JSON cut anywhere and on JSON with a character changed", () => {
    const mutate = fc
      .tuple(
        fc.json(),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.constantFrom(...'{}[]",:\\ 0e-.\u0001x'),
      )
      .map(([json, at, c]) => {
        const i = Math.floor(at * json.length);
        return [json, json.slice(0, i), json.slice(0, i) + c + json.slice(i + 1)];
      });
    fc.assert(
      fc.property(mutate, (texts) => {
        for (const text of texts) expect(findJsonSyntaxError(text) === null).toBe(accepts(text));
      }),
      { numRuns: 3_000 },
    );
  });

  it("agrees with JSON.parse on arbitrary text", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'{}[]",:\\ 0123e-.tfnul\u0001\ud800') }), (text) => {
        expect(findJsonSyntaxError(text) === null).toBe(accepts(text));
      }),
      { numRuns: 3_000 },
    );
  });
});
