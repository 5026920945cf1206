// JSON.parse's error messages quote the input around the bad token ("Unexpected token 'h', "…hunter2…" is
// not valid JSON"), and some give no position at all. A reason that is stored (dead letters, logs, the run
// history) must give where the text is broken and never what it says, so the position is found here, by a
// scanner of our own that keeps its nesting in an array: no depth makes it recurse.

export interface JsonSyntaxError {
  /** What is wrong, in words that never quote the input. */
  problem: string;
  /** Index (UTF-16 code unit) of the first character that cannot be JSON there. */
  offset: number;
}

export type JsonParse = { ok: true; value: unknown } | { ok: false; reason: string };

/** JSON.parse, with a failure described by position only: `not JSON: <problem> at [line L, ]column C (byte offset B)`. */
export function parseJson(text: string): JsonParse {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    // The scanner and V8 agree on what JSON is; were they ever to differ, the reason stays position-only.
    const error = findJsonSyntaxError(text) ?? { problem: "not accepted by JSON.parse", offset: 0 };
    return { ok: false, reason: `not JSON: ${error.problem} at ${describePosition(text, error.offset)}` };
  }
}

/**
 * `line L, column C (byte offset B)` of a UTF-16 index, counting lines and columns from 1 and bytes in UTF-8;
 * without the line in a text of one line (an NDJSON line, whose number its reader gives).
 */
export function describePosition(text: string, offset: number): string {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf("\n"); i >= 0 && i < offset; i = text.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  const bytes = Buffer.byteLength(text.slice(0, offset));
  const column = `column ${offset - lineStart + 1} (byte offset ${bytes})`;
  return text.includes("\n") ? `line ${line}, ${column}` : column;
}

enum Expect {
  /** A value: the whole text, an array element, an object member's value. */
  Value,
  /** Just after `[`: a value or `]`. */
  ValueOrClose,
  /** Just after `{`: a key or `}`. */
  KeyOrClose,
  /** After `,` in an object. */
  Key,
  Colon,
  /** After a value inside a container: `,` or its closing bracket. */
  CommaOrClose,
  /** After the top-level value: only whitespace. */
  End,
}

const isWhitespace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isHex = (c: number) => isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);

/** The first syntax error of `text` as RFC 8259 JSON, or null when it is JSON. */
export function findJsonSyntaxError(text: string): JsonSyntaxError | null {
  const open: number[] = [];
  let expect = Expect.Value;
  let i = 0;
  const fail = (problem: string, at = i): JsonSyntaxError => ({ problem, offset: at });
  const afterValue = () => (open.length === 0 ? Expect.End : Expect.CommaOrClose);
  while (true) {
    while (i < text.length && isWhitespace(text.charCodeAt(i))) i++;
    if (i >= text.length) return expect === Expect.End ? null : fail("unexpected end of the text");
    const c = text.charCodeAt(i);
    switch (expect) {
      case Expect.End:
        return fail("unexpected character after the value");
      case Expect.Colon:
        if (c !== 0x3a) return fail("expected ':' after an object key");
        i++;
        expect = Expect.Value;
        continue;
      case Expect.CommaOrClose: {
        const top = open[open.length - 1];
        if (c === 0x2c) {
          i++;
          expect = top === 0x7b ? Expect.Key : Expect.Value;
        } else if ((c === 0x7d && top === 0x7b) || (c === 0x5d && top === 0x5b)) {
          i++;
          open.pop();
          expect = afterValue();
        } else {
          return fail(top === 0x7b ? "expected ',' or '}' in an object" : "expected ',' or ']' in an array");
        }
        continue;
      }
      case Expect.Key:
      case Expect.KeyOrClose: {
        if (c === 0x7d && expect === Expect.KeyOrClose) {
          i++;
          open.pop();
          expect = afterValue();
          continue;
        }
        if (c !== 0x22) return fail("expected a string key in an object");
        const end = scanString(text, i);
        if (typeof end !== "number") return end;
        i = end;
        expect = Expect.Colon;
        continue;
      }
      case Expect.Value:
      case Expect.ValueOrClose: {
        if (c === 0x5d && expect === Expect.ValueOrClose) {
          i++;
          open.pop();
          expect = afterValue();
          continue;
        }
        if (c === 0x7b || c === 0x5b) {
          open.push(c);
          i++;
          expect = c === 0x7b ? Expect.KeyOrClose : Expect.ValueOrClose;
          continue;
        }
        const end = c === 0x22 ? scanString(text, i) : scanScalar(text, i);
        if (typeof end !== "number") return end;
        i = end;
        expect = afterValue();
      }
    }
  }
}

/** The index after the string starting at `start` (its opening quote), or its error. */
function scanString(text: string, start: number): number | JsonSyntaxError {
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) return i + 1;
    if (c < 0x20) return { problem: "control character inside a string", offset: i };
    if (c !== 0x5c) continue;
    const e = text[i + 1];
    if (e === "u") {
      for (let k = 2; k < 6; k++) {
        if (!isHex(text.charCodeAt(i + k))) return { problem: "bad \\u escape inside a string", offset: i };
      }
      i += 5;
    } else if (e !== undefined && '"\\/bfnrt'.includes(e)) {
      i++;
    } else {
      return { problem: "bad escape inside a string", offset: i };
    }
  }
  return { problem: "unterminated string", offset: start };
}

/** The index after the number or literal starting at `start`, or its error. */
function scanScalar(text: string, start: number): number | JsonSyntaxError {
  for (const literal of ["true", "false", "null"]) {
    if (text.startsWith(literal, start)) return start + literal.length;
  }
  let i = start;
  const digits = () => {
    const from = i;
    while (isDigit(text.charCodeAt(i))) i++;
    return i - from;
  };
  const bad: JsonSyntaxError = { problem: "unexpected character where a value should be", offset: start };
  if (text.charCodeAt(i) === 0x2d) i++;
  if (text.charCodeAt(i) === 0x30) i++;
  else if (digits() === 0) return i === start ? bad : { problem: "bad number", offset: start };
  if (text.charCodeAt(i) === 0x2e) {
    i++;
    if (digits() === 0) return { problem: "bad number", offset: start };
  }
  const e = text.charCodeAt(i);
  if (e === 0x65 || e === 0x45) {
    i++;
    const sign = text.charCodeAt(i);
    if (sign === 0x2b || sign === 0x2d) i++;
    if (digits() === 0) return { problem: "bad number", offset: start };
  }
  return i;
}
