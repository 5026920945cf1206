import { beforeAll, describe, expect, it } from "vitest";
import { parseDeadLetter } from "../../common/src/contracts/dead-letter.ts";
import { encodeWire } from "../../common/src/wire-format.ts";
import { createRng } from "../../producer/src/rng.ts";
import type { RefEvent } from "./core/reference.ts";
import { readTopic, reference, sendRaw, syntheticMessage, waitForFinal } from "./testing/harness.ts";
import { useTestBed } from "./testing/test-bed.ts";

// (e) Messages that cannot be decoded — wrong magic byte, a schema id the registry does not know, Avro cut
// short — are dead-lettered with the reason (stage "decode"); the good messages around them still count. One
// of ~800 KB is carried cut to its first 512 KiB, with the original size in a header.
describe("processor: undecodable messages", () => {
  const bed = useTestBed("dlq", { TOPIC_PARTITIONS: "1", IDLE_TIMEOUT_MS: "1000", STORE_USERS: "false" });
  const events: RefEvent[] = [];
  const bad: { key: string; value: Buffer; reason: RegExp }[] = [];

  beforeAll(async () => {
    const { config, schema } = bed;
    const rng = createRng(3);
    const base = Date.parse("2026-04-01T00:00:00Z");
    const good: Buffer[] = [];
    for (let i = 0; i < 30; i++) {
      const { event, message } = syntheticMessage(rng, base + i * 700, schema);
      events.push(event);
      good.push(message.value);
    }
    const sample = good[0]!;
    bad.push(
      {
        key: "bad-magic",
        value: Buffer.concat([Buffer.from([1]), sample.subarray(1)]),
        reason: /magic byte 1/,
      },
      {
        key: "bad-id",
        value: encodeWire(2_000_000_000, sample.subarray(5)),
        // Asked again for PROCESSOR_SCHEMA_NOT_FOUND_RETRY_MS (2 s here) before it is dead-lettered.
        reason: /unknown schema id 2000000000: the registry answered 404 for \d{4,} ms/,
      },
      { key: "truncated", value: sample.subarray(0, 40), reason: /undecodable Avro/ },
      { key: "short", value: Buffer.from([0, 0]), reason: /not Confluent wire format/ },
      // Its letter (base64 in JSON) would be over a megabyte: cut, and said so.
      {
        key: "huge",
        value: Buffer.concat([Buffer.from([1]), Buffer.alloc(800_000, 0x41)]),
        reason: /magic byte 1.*payload truncated to its first 524288 of 800001 bytes/,
      },
    );
    const messages = good.map((value, i) => ({ key: `good-${i}`, value, headers: { source: "synthetic" } }));
    // The bad ones in between good ones: the processor must go on past each.
    for (const [n, b] of bad.entries())
      messages.splice(5 + n * 6, 0, { key: b.key, value: b.value, headers: { source: "synthetic" } });
    await sendRaw(config, messages);
  });

  it("dead-letters each with its reason and aggregates the rest", async () => {
    const { config, client } = bed;
    const processor = await bed.start({ options: { PROCESSOR_SCHEMA_NOT_FOUND_RETRY_MS: 2_000 } });
    const expected = reference(events, config);
    expect(await waitForFinal(client, config, expected)).toEqual(expected);
    const status = processor.status();
    expect(status.deadLettered).toBe(bad.length);
    expect(status.processed).toBe(events.length + bad.length);

    const letters = await readTopic(config, config.TOPIC_DLQ, bad.length);
    expect(letters).toHaveLength(bad.length);
    for (const b of bad) {
      const m = letters.find((l) => l.key === b.key);
      expect(m, b.key).toBeDefined();
      const letter = parseDeadLetter(m!.value);
      expect(letter.stage).toBe("decode");
      expect(letter.source).toBe("synthetic");
      expect(letter.reason).toMatch(b.reason);
      const payload = Buffer.from(letter.payload, "base64");
      const truncated = b.value.length > 524_288;
      expect(m!.headers.payload_truncated).toBe(String(truncated));
      expect(m!.headers.payload_bytes).toBe(String(b.value.length));
      expect(payload.equals(truncated ? b.value.subarray(0, 524_288) : b.value)).toBe(true);
    }
    const metrics = await (await fetch(`http://127.0.0.1:${processor.port}/metrics`)).text();
    expect(metrics).toMatch(/processor_dead_letters_total\{stage="decode"\} 5/);
    expect(metrics).toMatch(/processor_dead_letter_payloads_truncated_total 1/);
  });
});
