import { beforeAll, describe, expect, it } from "vitest";
import { parseDeadLetter } from "../../common/src/contracts/dead-letter.ts";
import { encodeWire } from "../../common/src/wire-format.ts";
import { createRng } from "../../producer/src/rng.ts";
import type { RefEvent } from "./core/reference.ts";
import {
  readTopic,
  reference,
  sendRaw,
  syntheticMessage,
  waitForFinal,
  waitForUsers,
} from "./testing/harness.ts";
import { useTestBed } from "./testing/test-bed.ts";

// #11: event times out of bounds, sent raw to Kafka (past the producer's own check). One dated 2100 would move
// its partition's watermark there for good; one past the JS Date range (8.64e15 ms) made the users write
// fail "permanent" on every restart, and with STORE_USERS=false overflowed the hour bucket and stalled the
// processor. Each is dead-lettered at the decode edge with its reason; the good records around them count.
describe.each(["true", "false"])("processor: event_time out of bounds (STORE_USERS=%s)", (storeUsers) => {
  const bed = useTestBed("evtime", {
    TOPIC_PARTITIONS: "1",
    IDLE_TIMEOUT_MS: "1000",
    STORE_USERS: storeUsers,
  });
  const events: RefEvent[] = [];
  const bad: { key: string; reason: RegExp }[] = [];

  beforeAll(async () => {
    const { config, schema } = bed;
    const rng = createRng(9);
    const base = Date.parse("2026-04-02T00:00:00Z");
    const wire = (t: number, record: object) =>
      encodeWire(schema.id, schema.type.toBuffer({ ...record, event_time: t }));
    const messages: { key: string; value: Buffer; timestamp?: string; headers: Record<string, string> }[] =
      [];
    for (let i = 0; i < 30; i++) {
      const t = base + i * 700;
      const { record, event } = syntheticMessage(rng, t, schema);
      events.push(event);
      messages.push({ key: `good-${i}`, value: wire(t, record), headers: { source: "synthetic" } });
    }
    const template = events[0]!.fields;
    const ahead =
      /^event_time: \d+ is \d+ ms ahead of the clock, more than the allowed skew of 3600000 ms \(EVENT_TIME_MAX_FUTURE_SKEW_MS\)$/;
    const now = Date.now();
    const poison = [
      { key: "year-2100", t: Date.parse("2100-01-01T00:00:00Z"), reason: ahead },
      { key: "past-js-dates", t: 8_700_000_000_000_000, reason: ahead },
      { key: "near-2^53", t: 9_007_199_254_740_000, reason: ahead },
      { key: "before-epoch", t: -1_000, reason: /^event_time: -1000 is before the Unix epoch$/ },
      // A Kafka timestamp in the future (the broker takes up to an hour ahead) does not widen the bound.
      { key: "forged-timestamp", t: now + 90 * 60_000, ts: now + 50 * 60_000, reason: ahead },
    ];
    for (const [n, p] of poison.entries()) {
      bad.push({ key: p.key, reason: p.reason });
      const message = {
        key: p.key,
        value: wire(p.t, { ...template, event_id: p.key }),
        headers: { source: "raw" },
      };
      messages.splice(3 + n * 5, 0, p.ts === undefined ? message : { ...message, timestamp: String(p.ts) });
    }
    await sendRaw(config, messages);
  });

  it("dead-letters each with its reason; the watermark stays put and the rest counts", async () => {
    const { config, client } = bed;
    const processor = await bed.start();
    const expected = reference(events, config);
    expect(await waitForFinal(client, config, expected)).toEqual(expected);
    if (storeUsers === "true") expect(await waitForUsers(client, config, events.length)).toBe(events.length);
    const status = processor.status();
    expect(status.failure).toBeNull();
    expect(status.deadLettered).toBe(bad.length);
    expect(status.late).toBe(0);
    expect(status.partitions[0]!.watermark).toBeLessThan(Date.parse("2026-04-03T00:00:00Z"));

    const letters = await readTopic(config, config.TOPIC_DLQ, bad.length);
    expect(letters.map((l) => l.key).sort()).toEqual(bad.map((b) => b.key).sort());
    for (const b of bad) {
      const letter = parseDeadLetter(letters.find((l) => l.key === b.key)!.value);
      expect(letter.stage).toBe("decode");
      expect(letter.reason, b.key).toMatch(b.reason);
    }
  });
});
