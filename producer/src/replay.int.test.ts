import { readFileSync } from "node:fs";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import avro from "avsc";
import { afterEach, describe, expect, it } from "vitest";
import type { Config } from "../../common/src/config.ts";
import { parseDeadLetter } from "../../common/src/contracts/dead-letter.ts";
import { userSchema } from "../../common/src/user-schema.ts";
import { decodeWire } from "../../common/src/wire-format.ts";
import { readFixture } from "./fixture-reader.ts";
import { replayFile } from "./replay.ts";
import { cleanupIsolated, fetchSchemaById } from "./testing/cleanup.ts";
import { isolatedConfig } from "./testing/test-config.ts";
import { readTopic } from "./testing/topic-reader.ts";
import { mapUser } from "./user-mapping.ts";

const fixture = (name: string) => new URL(`../../fixtures/${name}`, import.meta.url).pathname;

async function expectedRecords(name: string) {
  const out: { line: number; record: Record<string, unknown> }[] = [];
  for await (const l of readFixture(fixture(name))) {
    if (!l.ok) continue;
    const r = mapUser(l.user, l.eventTime, userSchema(1).type);
    if (r.ok) out.push({ line: l.line, record: { ...r.record } });
  }
  return out;
}

let config: Config | null = null;
afterEach(async () => {
  if (config) await cleanupIsolated(config);
  config = null;
});

describe("replayFile into the real Kafka and registry", () => {
  it.each(["happy.ndjson", "quirks.ndjson", "disorder.ndjson", "late.ndjson"])(
    "publishes every line of %s: keyed by event id, wire format, schema resolvable, decodes to the record",
    async (name) => {
      config = isolatedConfig("replay");
      const expected = await expectedRecords(name);
      const stats = await replayFile(fixture(name), config);
      expect(stats).toMatchObject({
        received: expected.length,
        sent: expected.length,
        rejected: 0,
        failed: 0,
      });

      const messages = await readTopic(config, config.TOPIC_USERS, expected.length);
      expect(messages).toHaveLength(expected.length);
      const writers = new Map<number, avro.Type>();
      const byKey = new Map<string, Record<string, unknown>>();
      for (const m of messages) {
        expect(m.value[0]).toBe(0);
        const { schemaId, payload } = decodeWire(m.value);
        if (!writers.has(schemaId)) {
          writers.set(schemaId, avro.Type.forSchema(JSON.parse(await fetchSchemaById(config, schemaId))));
        }
        const record = writers.get(schemaId)!.fromBuffer(payload) as Record<string, unknown>;
        expect(m.key).toBe(record.event_id);
        expect(m.headers.source).toBe("fixture");
        expect(Number(m.headers.produced_at)).toBeGreaterThan(0);
        byKey.set(m.key!, { ...record });
      }
      expect(writers.size).toBe(1);
      for (const e of expected) expect(byKey.get(e.record.event_id as string)).toEqual(e.record);
      expect(await readTopic(config, config.TOPIC_DLQ, 0, { settleMs: 500 })).toEqual([]);
    },
  );

  it("dead-letters each bad line of malformed.ndjson with its line, stage and reason, and sends the rest", async () => {
    config = isolatedConfig("replay_bad");
    const expected = JSON.parse(readFileSync(fixture("malformed.expected.json"), "utf8")) as {
      good: number;
      bad: { line: number; stage: string; reason: string }[];
    };
    const stats = await replayFile(fixture("malformed.ndjson"), config);
    expect(stats).toMatchObject({ sent: expected.good, rejected: expected.bad.length, failed: 0 });

    const users = await readTopic(config, config.TOPIC_USERS, expected.good);
    expect(users).toHaveLength(expected.good);
    const dlq = await readTopic(config, config.TOPIC_DLQ, expected.bad.length);
    const letters = dlq
      .map((m) => ({ key: m.key, letter: parseDeadLetter(m.value) }))
      .sort((a, b) => (a.letter.line ?? 0) - (b.letter.line ?? 0));
    expect(letters.map((l) => ({ line: l.letter.line, stage: l.letter.stage }))).toEqual(
      expected.bad.map((b) => ({ line: b.line, stage: b.stage })),
    );
    const lines = readFileSync(fixture("malformed.ndjson"), "utf8").split("\n");
    letters.forEach(({ letter }, i) => {
      expect(letter.reason).toContain(expected.bad[i]?.reason);
      expect(letter.source).toBe("fixture");
      expect(letter.payload).toBe(lines[(letter.line ?? 0) - 1]);
    });
    const mapped = letters.filter(
      (l) => l.letter.stage !== "parse" && l.letter.reason.indexOf("login.uuid") < 0,
    );
    for (const l of mapped) expect(l.key).toBe(JSON.parse(l.letter.payload).user.login.uuid);
  });

  it("dead-letters a line over FIXTURE_MAX_LINE_BYTES with its line number, secrets redacted, and goes on", async () => {
    config = isolatedConfig("replay_long", { FIXTURE_MAX_LINE_BYTES: "4096" });
    const [a, b] = readFileSync(fixture("happy.ndjson"), "utf8").split("\n");
    const user = JSON.parse(a ?? "").user;
    const long = JSON.stringify({
      event_time: 1,
      user: { ...user, login: { ...user.login, password: "hunter2secret" }, note: "z".repeat(10_000) },
    });
    const file = join(await mkdtemp(join(tmpdir(), "replay-long-")), "long.ndjson");
    await writeFile(file, `${a}\n${long}\n${b}\n`);
    const stats = await replayFile(file, config);
    expect(stats).toMatchObject({ sent: 2, rejected: 1, failed: 0 });
    const [dead] = await readTopic(config, config.TOPIC_DLQ, 1);
    const letter = parseDeadLetter(dead!.value);
    expect(letter).toMatchObject({ stage: "parse", line: 2, source: "fixture" });
    expect(letter.reason).toMatch(/^line 2: longer than 4096 bytes \(\d+ bytes; FIXTURE_MAX_LINE_BYTES\)/);
    expect(letter.payload).not.toContain("hunter2secret");
    expect(letter.payload.startsWith('{"event_time":1,"user":{')).toBe(true);
  });
});
