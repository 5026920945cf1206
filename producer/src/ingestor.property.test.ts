import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEAD_LETTER_MAX_PAYLOAD_BYTES, parseDeadLetter } from "../../common/src/contracts/dead-letter.ts";
import { userSchema } from "../../common/src/user-schema.ts";
import { decodeWire } from "../../common/src/wire-format.ts";
import { parseFixtureLine } from "./fixture-format.ts";
import { Ingestor } from "./ingestor.ts";
import type { MessageSink } from "./kafka-producer.ts";
import { createRng } from "./rng.ts";
import { syntheticUser } from "./synthetic-users.ts";

// Arbitrary JSON and arbitrary bytes thrown at the mapping, the redaction and the dead letters, the way a
// replay feeds them (parse, then map or dead-letter): nothing throws, every line gives exactly one message,
// every message is bounded, and a login secret planted anywhere never comes out.
const type = userSchema(1).type;
const NOW = Date.parse("2026-06-01T00:00:00Z");
const LETTER_BOUND = DEAD_LETTER_MAX_PAYLOAD_BYTES + 16 * 1024;

interface Message {
  topic: string;
  key: string | null;
  value: Buffer;
}

/** Offers one fixture line as replayFile does; returns what reached the sink. */
async function ingestLine(text: string): Promise<Message[]> {
  const messages: Message[] = [];
  const sink: MessageSink = {
    produce: (topic, key, value, _headers, onDelivery) => {
      messages.push({ topic, key, value });
      onDelivery(null);
    },
  };
  const ingestor = new Ingestor({
    sink,
    schema: { id: 1, type },
    usersTopic: "users",
    dlqTopic: "dlq",
    source: "fixture",
    eventTimeBounds: { maxFutureSkewMs: 3_600_000, now: () => NOW },
  });
  const line = parseFixtureLine(text, 1);
  if (line.ok) await ingestor.offerUser(line.user, line.eventTime, { text, line: 1 });
  else await ingestor.offerRejected(line.reason, "parse", line.text, 1);
  const stats = await ingestor.drain();
  expect(stats).toMatchObject({ received: 1, failed: 0 });
  expect(stats.sent + stats.rejected).toBe(1);
  return messages;
}

/** Every message is one of the two kinds, bounded, and readable; dead letters say where, never what. */
function checkMessages(messages: Message[]): void {
  expect(messages).toHaveLength(1);
  for (const m of messages) {
    if (m.topic === "users") {
      expect(m.value.length).toBeLessThan(128 * 1024);
      expect(type.isValid(type.fromBuffer(decodeWire(m.value).payload))).toBe(true);
    } else {
      expect(m.topic).toBe("dlq");
      expect(m.value.length).toBeLessThanOrEqual(LETTER_BOUND);
      parseDeadLetter(m.value);
    }
    if (m.key !== null) expect(m.key.length).toBeLessThanOrEqual(128);
  }
}

// A secret shows if any character of it survives: ☃ sits between all of its characters. (Numeric secrets,
// which the API never sends, are in common/src/redact-secrets.test.ts: here, arbitrary event times would
// look like them.)
const SPECIALS = ['"', "\\", " ", ",", "}", "]", "{", "[", ":", "\n", "\u0001", "é", "\u2028", "\ud800"];
const marked = fc
  .array(fc.constantFrom(...SPECIALS), { maxLength: 6 })
  .map((cs) => `☃${cs.map((c) => `${c}☃`).join("")}`);
const secretValue = fc.oneof(
  marked,
  fc.array(marked, { minLength: 1, maxLength: 3 }),
  fc.dictionary(fc.constantFrom("a", "password", "x y"), marked, { minKeys: 1, maxKeys: 2 }),
);
const secretKey = fc.constantFrom("password", "salt", "md5", "sha1", "sha256", "PASSWORD", "Sha256");
const leaks = (text: string) => text.includes("☃");
const everything = (messages: Message[]) =>
  messages.map((m) => `${m.key} ${m.value.toString("utf8")}`).join("\n");

/** `value` with `{[key]: secret}` planted at the node `path` leads to (objects gain the key, arrays the element). */
function plant(value: unknown, path: number[], key: string, secret: unknown): unknown {
  const leaf = { [key]: secret };
  const root = structuredClone(value);
  if (root === null || typeof root !== "object") return leaf;
  let node = root as Record<string, unknown> | unknown[];
  for (const step of path) {
    const children = Object.values(node).filter((c) => c !== null && typeof c === "object");
    if (children.length === 0) break;
    node = children[step % children.length] as Record<string, unknown> | unknown[];
  }
  if (Array.isArray(node)) node.push(leaf);
  else node[key] = secret;
  return root;
}

const noise = fc.jsonValue({ maxDepth: 4, stringUnit: "grapheme" });
const eventTime = fc.oneof(
  fc.integer({ min: 0, max: NOW + 7_200_000 }),
  fc.double(),
  fc.constantFrom(-1, 0.5, 9e15, 2 ** 53, Number.MAX_VALUE),
);
const goodUser = fc.nat().map((seed) => syntheticUser(createRng(seed), NOW));

describe("mapping and redaction, property", () => {
  it("arbitrary JSON as the user, a secret planted anywhere in it: one bounded message, nothing leaks", async () => {
    await fc.assert(
      fc.asyncProperty(
        noise,
        fc.array(fc.nat()),
        secretKey,
        secretValue,
        eventTime,
        async (n, path, key, secret, t) => {
          fc.pre(!leaks(JSON.stringify(n)));
          const user = plant(n, path, key, secret);
          const text = JSON.stringify({ event_time: t, user });
          const messages = await ingestLine(text);
          checkMessages(messages);
          expect(leaks(everything(messages))).toBe(false);
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it("a real user with secrets, arbitrary extra JSON, duplicated logins, cut anywhere: nothing leaks", async () => {
    await fc.assert(
      fc.asyncProperty(
        goodUser,
        noise,
        fc.record({
          password: secretValue,
          salt: secretValue,
          md5: secretValue,
          sha1: secretValue,
          sha256: secretValue,
        }),
        fc.array(fc.tuple(secretKey, secretValue), { maxLength: 3 }),
        fc.constantFrom(0, 2),
        fc.double({ min: 0, max: 1, noNaN: true }),
        eventTime,
        async (u, extra, secrets, shadows, indent, cut, t) => {
          fc.pre(!leaks(JSON.stringify(extra)) && !leaks(JSON.stringify(u)));
          const login = { uuid: u.login.uuid, username: u.login.username, ...secrets };
          const whole = JSON.stringify({ event_time: t, user: { ...u, login, extra } }, null, indent);
          // Shadowed logins in the raw text: JSON.parse keeps the last, the redaction must see them all.
          const shadowed = shadows.map(
            ([k, v]) => `"login":{"uuid":"x",${JSON.stringify(k)}:${JSON.stringify(v)}},`,
          );
          const text = whole.replace('"gender"', `${shadowed.join("")}"gender"`);
          for (const t2 of [text, text.slice(0, Math.floor(cut * text.length)), `${text}garbage`]) {
            const messages = await ingestLine(t2);
            checkMessages(messages);
            expect(leaks(everything(messages))).toBe(false);
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it("arbitrary bytes, alone or around a planted secret: one bounded message, nothing leaks", async () => {
    // Random bytes, or the pieces broken JSON is made of (stray quotes, escapes, an unclosed secret value),
    // before the secret; anything after it.
    const before = fc.oneof(
      fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
      fc
        .array(fc.constantFrom('"', "\\", "{", "[", ":", ",", '"salt":', '"a"', "x", " ", "\u00e9"), {
          maxLength: 12,
        })
        .map((parts) => Buffer.from(parts.join(""))),
    );
    const after = fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b));
    await fc.assert(
      fc.asyncProperty(
        before,
        after,
        secretKey,
        secretValue,
        fc.boolean(),
        async (pre, post, key, secret, plantIt) => {
          const middle = plantIt ? Buffer.from(`"${key}" : ${JSON.stringify(secret)}`) : Buffer.alloc(0);
          const bytes = Buffer.concat([pre, middle, post]);
          fc.pre(plantIt || !leaks(bytes.toString("utf8")));
          fc.pre(!leaks(Buffer.concat([pre, post]).toString("utf8")));
          const messages = await ingestLine(bytes.toString("utf8"));
          checkMessages(messages);
          expect(leaks(everything(messages))).toBe(false);
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it("large hostile text (100–900 kB): the letter stays bounded", async () => {
    const unit = fc.constantFrom('"', "\\", "\u0001", "😀", "é", "{", "[", "a", '"md5":1,', '"password":"');
    await fc.assert(
      fc.asyncProperty(
        fc.array(unit, { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 100_000, max: 900_000 }),
        async (units, size) => {
          const block = units.join("");
          const text = block.repeat(Math.ceil(size / block.length));
          const messages = await ingestLine(text);
          checkMessages(messages);
        },
      ),
      { numRuns: 25 },
    );
  });
});
