// The API's login secrets (contract §1: never stored, logged or shown), removed from text that is stored:
// dead letters above all. The text is scanned as it was received, never parsed into an object first, so
// nothing can hide from the scan: a duplicated key (JSON.parse keeps only the last), a key spelled with
// escapes ("pass\u0077ord"), any nesting depth, text that is cut off or not JSON at all.

const SECRET_KEYS: ReadonlySet<string> = new Set(["password", "salt", "md5", "sha1", "sha256"]);

/** Whether an object key names a login secret; any case, since redacting too much costs nothing. */
export const isSecretKey = (key: string): boolean => SECRET_KEYS.has(key.toLowerCase());

const REDACTED = '"[redacted]"';

/** Longest key, escapes included, worth decoding: each secret key is 6 characters at most, 6 × `\uXXXX` = 36. */
const MAX_KEY_SOURCE_CHARS = 40;

/**
 * The text with the value after every secret key replaced by `"[redacted]"`, whatever the value's type, up
 * to the end of the text when the value is cut off there. Everything else is kept byte for byte. Every
 * double quote, those inside redacted values included, is tried as the start of a key, so a key is found
 * even where the text around it is broken and string boundaries cannot be trusted. Linear in the text's
 * length.
 */
export function redactSecrets(text: string): string {
  let out = "";
  let copied = 0;
  for (let quote = text.indexOf('"'); quote >= 0; quote = text.indexOf('"', quote + 1)) {
    const valueStart = secretValueStart(text, quote);
    if (valueStart < 0 || valueStart >= text.length) continue;
    if (valueStart >= copied) {
      const end = endOfValue(text, valueStart);
      out += text.slice(copied, valueStart) + REDACTED;
      copied = end;
    } else if (text[valueStart] !== "{" && text[valueStart] !== "[") {
      // A key inside text already redacted: in broken text a string may end where JSON would not, and the
      // value after such a key can reach past what was redacted.
      copied = Math.max(copied, endOfValue(text, valueStart));
    } else {
      // The same with a container value: finding its end would rescan what was redacted (quadratic over
      // nested secrets), so everything to the end of the text is redacted instead.
      copied = text.length;
    }
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/** If a secret key starts at the quote at `quote` and a colon follows it: where its value starts; else -1. */
function secretValueStart(text: string, quote: number): number {
  let key = "";
  let i = quote + 1;
  const limit = Math.min(text.length, quote + 1 + MAX_KEY_SOURCE_CHARS);
  for (; i < limit; i++) {
    const c = text[i];
    if (c === '"') break;
    if (c !== "\\") {
      key += c;
      continue;
    }
    const e = text[i + 1];
    if (e === "u") {
      const hex = text.slice(i + 2, i + 6);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) return -1;
      key += String.fromCharCode(Number.parseInt(hex, 16));
      i += 5;
    } else {
      key += e === undefined ? "" : (ESCAPES[e] ?? e);
      i++;
    }
  }
  if (text[i] !== '"' || !isSecretKey(key)) return -1;
  i = skipSpace(text, i + 1);
  if (text[i] !== ":") return -1;
  return skipSpace(text, i + 1);
}

const ESCAPES: Record<string, string> = { b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };

function skipSpace(text: string, from: number): number {
  let i = from;
  while (i < text.length && /\s/.test(text[i] ?? "")) i++;
  return i;
}

const SCALAR_END = /[,}\]\s]/g;

/** Where the JSON value starting at `i` ends (exclusive); the end of the text when it is cut off. */
function endOfValue(text: string, i: number): number {
  const first = text[i];
  if (first === '"') return endOfString(text, i);
  if (first === "{" || first === "[") {
    let depth = 0;
    for (let j = i; j < text.length; j++) {
      const c = text[j];
      if (c === '"') j = endOfString(text, j) - 1;
      else if (c === "{" || c === "[") depth++;
      else if ((c === "}" || c === "]") && --depth === 0) return j + 1;
    }
    return text.length;
  }
  // A number, true/false/null, or anything malformed: up to the next delimiter.
  SCALAR_END.lastIndex = i;
  return SCALAR_END.exec(text)?.index ?? text.length;
}

function endOfString(text: string, openingQuote: number): number {
  for (let j = openingQuote + 1; j < text.length; j++) {
    if (text[j] === "\\") j++;
    else if (text[j] === '"') return j + 1;
  }
  return text.length;
}
