import { describe, expect, it } from "vitest";
import { createApp } from "./app.tsx";
import { parseLetterRef, payloadForDisplay, toDeadLetterView } from "./dead-letters.ts";
import { TEST_TOPICS, testWorld } from "./testing/deps.ts";

const bytes = (v: unknown) => new TextEncoder().encode(typeof v === "string" ? v : JSON.stringify(v));
const base = { topic: "dlq", partition: 1, offset: 7, timestamp: 1_700_000_000_000, key: "k", headers: {} };

describe("a dead letter as the console shows it", () => {
  it("redacts login secrets again (a letter from an older producer may still hold them)", () => {
    const payload = JSON.stringify({ login: { uuid: "u1", password: "hunter2", sha256: "abc" } });
    const v = toDeadLetterView({
      ...base,
      value: bytes({ reason: "r", stage: "map", source: "api", payload, at: 5 }),
    });
    expect(v.origin).toBe("producer");
    expect(payloadForDisplay(v)).toContain("u1");
    expect(payloadForDisplay(v)).not.toContain("hunter2");
    expect(payloadForDisplay(v)).not.toContain("abc");
  });

  it("names the processor's letters and where the original message is", () => {
    const v = toDeadLetterView({
      ...base,
      headers: { source_partition: "3", source_offset: "42", payload_truncated: "false" },
      value: bytes({ reason: "unknown schema id 9", stage: "decode", source: "api", payload: "AAAA", at: 5 }),
    });
    expect(v).toMatchObject({ origin: "processor", sourceRef: "partition 3 · offset 42" });
    expect(payloadForDisplay(v)).toBe("AAAA");
  });

  it("shows a message that is not a letter as invalid, with why", () => {
    expect(toDeadLetterView({ ...base, value: bytes("{oops") }).invalid).toMatch(/^not JSON/);
    expect(toDeadLetterView({ ...base, value: bytes({ stage: "nope" }) }).invalid).toMatch(
      /^not a dead letter/,
    );
    expect(toDeadLetterView({ ...base, value: null }).invalid).toMatch(/empty/);
  });

  it("reads partition:offset references and nothing else", () => {
    expect(parseLetterRef("2:15")).toEqual({ partition: 2, offset: 15 });
    for (const bad of ["", "2", "a:1", "1:-1", "1:2:3"]) expect(parseLetterRef(bad)).toBeNull();
  });
});

describe("the dead-letter routes", () => {
  it("list, open and re-drive (admin only), counting what was re-driven", async () => {
    const w = testWorld({ adminToken: "s3cret" });
    const letter = w.topics.append(TEST_TOPICS.dlq, {
      partition: 0,
      timestamp: 1,
      key: null,
      headers: { run_id: "r1" },
      value: bytes({ reason: "bad nat", stage: "map", source: "api", payload: "{}", at: 1 }),
    });
    const app = createApp(w.deps);
    const list = (await (await app.request("/api/dead-letters")).json()) as {
      letters: { reason?: string }[];
    };
    expect(list.letters).toHaveLength(1);
    expect(await (await app.request("/dead-letters")).text()).toContain("bad nat");
    expect((await app.request(`/dead-letters/0/${letter.offset}`)).status).toBe(200);
    expect((await app.request("/dead-letters/0/99")).status).toBe(404);

    const form = new URLSearchParams([["letters", "0:0"]]);
    expect((await app.request("/api/dead-letters/redrive", { method: "POST", body: form })).status).toBe(401);
    const res = await app.request("/api/dead-letters/redrive", {
      method: "POST",
      body: form,
      headers: { Authorization: "Bearer s3cret" },
    });
    expect(await res.json()).toMatchObject({ sent: 1 });
    expect(w.redriver.calls).toEqual([[{ partition: 0, offset: 0 }]]);
    const none = await app.request("/api/dead-letters/redrive", {
      method: "POST",
      body: new URLSearchParams(),
      headers: { Authorization: "Bearer s3cret" },
    });
    expect(none.status).toBe(400);
    const metrics = await (await app.request("/metrics")).text();
    expect(metrics).toContain('web_dead_letters_redriven_total{outcome="sent"} 1');
  });
});
