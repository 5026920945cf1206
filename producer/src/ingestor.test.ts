import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseDeadLetter } from "../../common/src/contracts/dead-letter.ts";
import { userSchema } from "../../common/src/user-schema.ts";
import { decodeWire } from "../../common/src/wire-format.ts";
import { Ingestor, type IngestorOptions } from "./ingestor.ts";
import type { MessageSink } from "./kafka-producer.ts";

// The ingestor's bookkeeping against an in-memory sink; the real Kafka path is in replay.int.test.ts.
interface Sent {
  topic: string;
  key: string | null;
  value: Buffer;
  headers: Record<string, string>;
  settle: (ok: boolean) => void;
}

function memorySink(autoAck: boolean | ((s: Sent) => boolean)) {
  const sent: Sent[] = [];
  const sink: MessageSink = {
    produce: (topic, key, value, headers, onDelivery) => {
      const s: Sent = {
        topic,
        key,
        value,
        headers: Object.assign({}, ...headers),
        settle: (ok) => onDelivery(ok ? null : new Error("broker said no")),
      };
      sent.push(s);
      if (autoAck !== false) s.settle(autoAck === true ? true : autoAck(s));
    },
  };
  return { sink, sent };
}

const page = JSON.parse(
  readFileSync(new URL("../../fixtures/api/page-good.json", import.meta.url), "utf8"),
) as { results: { login: { uuid: string; password: string } }[] };
const type = userSchema(1).type;

function ingestor(sink: MessageSink, extra: Partial<IngestorOptions> = {}) {
  return new Ingestor({
    sink,
    schema: { id: 77, type },
    usersTopic: "users",
    dlqTopic: "dlq",
    source: "api",
    ...extra,
  });
}

describe("Ingestor", () => {
  it("sends good users keyed by event id, in wire format, with produced_at and source headers", async () => {
    const { sink, sent } = memorySink(true);
    const ing = ingestor(sink);
    for (const u of page.results) await ing.offerUser(u, 1_767_225_600_000);
    const stats = await ing.drain();
    expect(stats).toMatchObject({ received: 10, sent: 10, rejected: 0, failed: 0 });
    expect(sent.map((s) => s.key)).toEqual(page.results.map((u) => u.login.uuid));
    const first = sent[0]!;
    expect(first.topic).toBe("users");
    const wire = decodeWire(first.value);
    expect(wire.schemaId).toBe(77);
    expect(type.fromBuffer(wire.payload)).toMatchObject({
      event_id: page.results[0]?.login.uuid,
      event_time: 1_767_225_600_000,
    });
    expect(first.headers.source).toBe("api");
    expect(first.headers.produced_at).toMatch(/^\d{13}$/);
  });

  it("dead-letters a bad user with its reason, key and redacted payload, and goes on", async () => {
    const { sink, sent } = memorySink(true);
    const rejections: string[] = [];
    const ing = ingestor(sink, { onReject: (r) => rejections.push(r.reason) });
    const bad = { ...page.results[1], dob: { date: "yesterday", age: 3 } };
    await ing.offerUser(page.results[0], 1);
    await ing.offerUser(bad, 2);
    await ing.offerUser(page.results[2], 3);
    expect(await ing.drain()).toMatchObject({ received: 3, sent: 2, rejected: 1, failed: 0 });
    const dlq = sent.filter((s) => s.topic === "dlq");
    expect(dlq).toHaveLength(1);
    expect(dlq[0]?.key).toBe(page.results[1]?.login.uuid);
    const letter = parseDeadLetter(dlq[0]!.value);
    expect(letter).toMatchObject({
      stage: "map",
      source: "api",
      reason: "dob.date: not an ISO 8601 date-time with an offset",
    });
    expect(letter.payload).not.toContain(page.results[1]!.login.password);
    expect(JSON.parse(letter.payload).login.uuid).toBe(page.results[1]?.login.uuid);
    expect(rejections).toEqual([letter.reason]);
  });

  it("dead-letters parse rejections with their line", async () => {
    const { sink, sent } = memorySink(true);
    const ing = ingestor(sink, { source: "fixture" });
    await ing.offerRejected("line 9: not JSON (x)", "parse", "{oops", 9);
    expect(await ing.drain()).toMatchObject({ received: 1, rejected: 1 });
    expect(parseDeadLetter(sent[0]!.value)).toMatchObject({
      line: 9,
      stage: "parse",
      payload: "{oops",
      source: "fixture",
    });
  });

  it("caps a dead letter's payload at maxDeadLetterPayloadBytes, and its headers say so", async () => {
    const { sink, sent } = memorySink(true);
    const ing = ingestor(sink, { source: "fixture" });
    await ing.offerRejected("line 1: not JSON", "parse", '"'.repeat(700_000), 1);
    await ing.offerRejected("line 2: not JSON", "parse", "{oops", 2);
    await ing.drain();
    const [big, small] = sent;
    expect(big!.value.length).toBeLessThan(512 * 1024 + 1_000);
    expect(big!.headers).toMatchObject({
      payload_bytes: "700000",
      payload_truncated: "true",
      source: "fixture",
    });
    expect(parseDeadLetter(big!.value).reason).toBe(
      "line 1: not JSON [payload truncated to its first 262144 of 700000 bytes]",
    );
    expect(small!.headers).toMatchObject({ payload_bytes: "5", payload_truncated: "false" });
  });

  it("refuses an event time beyond the configured skew before it reaches Kafka", async () => {
    const { sink, sent } = memorySink(true);
    const now = 1_767_225_600_000;
    const ing = ingestor(sink, { eventTimeBounds: { maxFutureSkewMs: 1_000, now: () => now } });
    await ing.offerUser(page.results[0], now + 1_000);
    await ing.offerUser(page.results[1], now + 1_001);
    expect(await ing.drain()).toMatchObject({ sent: 1, rejected: 1 });
    expect(parseDeadLetter(sent[1]!.value).reason).toMatch(/^event_time: 1767225601001 is 1001 ms ahead/);
  });

  it("dead-letters an API user nested too deep to serialize, saying its payload was not kept", async () => {
    const { sink, sent } = memorySink(true);
    const ing = ingestor(sink);
    let deep: unknown = {};
    for (let i = 0; i < 200_000; i++) deep = { a: deep };
    await ing.offerUser({ ...page.results[0], name: deep }, 1);
    expect(await ing.drain()).toMatchObject({ rejected: 1, failed: 0 });
    const letter = parseDeadLetter(sent[0]!.value);
    expect(letter.reason).toMatch(/\[payload not kept: nested too deep to write\]$/);
    expect(letter.payload).toBe("");
  });

  it("counts what Kafka never acknowledges as failed, keeping sent + rejected + failed = received", async () => {
    const { sink } = memorySink((s) => s.key !== page.results[4]?.login.uuid);
    const failures: string[] = [];
    const ing = ingestor(sink, { onFailure: (e) => failures.push(e.message) });
    for (const u of page.results) await ing.offerUser(u, 1);
    await ing.offerRejected("bad", "parse", "x");
    const stats = await ing.drain();
    expect(stats).toMatchObject({ received: 11, sent: 9, rejected: 1, failed: 1 });
    expect(failures).toEqual(["broker said no"]);
    expect(ing.firstError?.message).toBe("broker said no");
  });

  it("waits while maxInFlight records are unacknowledged", async () => {
    const { sink, sent } = memorySink(false);
    const ing = ingestor(sink, { maxInFlight: 3 });
    let offered = 0;
    const offering = (async () => {
      for (const u of page.results.slice(0, 5)) {
        await ing.offerUser(u, 1);
        offered++;
      }
    })();
    await new Promise((r) => setTimeout(r, 20));
    expect(offered).toBe(2);
    expect(sent).toHaveLength(3);
    sent[0]!.settle(true);
    await new Promise((r) => setTimeout(r, 20));
    expect(sent).toHaveLength(4);
    for (const s of sent.slice(1)) s.settle(true);
    await new Promise((r) => setTimeout(r, 20));
    sent[4]?.settle(true);
    await offering;
    expect(await ing.drain()).toMatchObject({ received: 5, sent: 5 });
  });
});
