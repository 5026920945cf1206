import { describe, expect, it } from "vitest";
import { type HubClient, type HubMessage, LiveHub, messageJsonOf, windowsJsonOf } from "./live-hub.ts";
import type { WindowRow } from "./window-types.ts";

const row = (windowStart: number, partition: number, count: number, final = false): WindowRow => ({
  windowStart,
  windowEnd: windowStart + 10_000,
  group: "all",
  key: "*",
  partition,
  count,
  sumAge: count * 40,
  minAge: 40,
  maxAge: 40,
  final,
});

const hub = (over: Partial<ConstructorParameters<typeof LiveHub>[0]> = {}) =>
  new LiveHub({ ringSize: 4, clientQueueSize: 8, retentionMs: 60_000, epoch: "e1", ...over });

/** What a client receives through a transport that always takes it. */
function received(c: HubClient): HubMessage[] {
  const out: HubMessage[] = [];
  c.attach((m) => out.push(m) > 0);
  return out;
}

describe("serialized hub messages", () => {
  it("equal JSON.stringify of the windows and of the whole message, and are reused", () => {
    const m: HubMessage = {
      id: "e.1",
      type: "update",
      windows: [
        {
          windowStart: 0,
          windowEnd: 10_000,
          group: "nat",
          key: 'I"R<',
          count: 2,
          sumAge: 70,
          minAge: 30,
          maxAge: 40,
          avgAge: 35,
          final: false,
        },
      ],
    };
    expect(windowsJsonOf(m)).toBe(JSON.stringify(m.windows));
    expect(JSON.parse(messageJsonOf(m))).toEqual(m);
    expect(windowsJsonOf(m)).toBe(windowsJsonOf(m));
  });
});

describe("LiveHub", () => {
  it("merges partitions into window totals and sends a snapshot then updates", () => {
    const h = hub();
    h.ingest([row(0, 0, 2), row(0, 1, 3)]);
    const msgs = received(h.connect());
    h.ingest([row(0, 1, 4, true)]);
    const [snap, upd] = msgs;
    expect(snap).toMatchObject({ id: "e1.1", type: "snapshot", windows: [{ count: 5, final: false }] });
    expect(upd).toMatchObject({
      id: "e1.2",
      type: "update",
      windows: [{ count: 6, sumAge: 240, final: false }],
    });
  });

  it("resumes after Last-Event-ID from the ring without gaps or repeats", () => {
    const h = hub();
    for (let i = 0; i < 3; i++) h.ingest([row(i * 10_000, 0, 1)]);
    const msgs = received(h.connect("e1.1"));
    expect(msgs.map((m) => m.id)).toEqual(["e1.2", "e1.3"]);
    expect(msgs.map((m) => m.windows[0]?.windowStart)).toEqual([10_000, 20_000]);
    h.ingest([row(30_000, 0, 1)]);
    expect(msgs[2]?.id).toBe("e1.4");
  });

  it("sends a snapshot when the id is from another epoch, in the future, or older than the ring", () => {
    const h = hub();
    for (let i = 0; i < 8; i++) h.ingest([row(i * 10_000, 0, 1)]);
    for (const id of ["e0.3", "e1.99", "e1.2", "garbage", null]) {
      const [m, ...more] = received(h.connect(id));
      expect(m?.type).toBe("snapshot");
      expect(m?.id).toBe("e1.8");
      expect(more).toEqual([]);
    }
    expect(received(h.connect("e1.4")).map((m) => m.id)).toEqual(["e1.5", "e1.6", "e1.7", "e1.8"]);
  });

  it("sends a snapshot instead of more missed updates than the client queue holds", () => {
    const h = hub({ ringSize: 10, clientQueueSize: 2 });
    for (let i = 0; i < 6; i++) h.ingest([row(i * 10_000, 0, 1)]);
    const c = h.connect("e1.2");
    expect(received(c)).toMatchObject([{ type: "snapshot", id: "e1.6" }]);
    expect(c.dropped).toBe(false);
    expect(received(h.connect("e1.4")).map((m) => m.id)).toEqual(["e1.5", "e1.6"]);
  });

  it("drops a slow client without holding back the others", () => {
    const h = hub({ clientQueueSize: 2 });
    h.ingest([row(0, 0, 1)]);
    // Not reading: its transport not attached yet, messages wait in its queue of 2.
    const unattached = h.connect("e1.1");
    // Attached, but its transport refuses from the third message on (a full socket).
    let taken = 0;
    const backedUp = h.connect("e1.1");
    backedUp.attach(() => ++taken <= 2);
    const fast = h.connect("e1.1");
    const msgs = received(fast);
    for (let i = 1; i <= 5; i++) h.ingest([row(0, 0, 1 + i)]);
    expect(msgs.map((m) => m.id)).toEqual(["e1.2", "e1.3", "e1.4", "e1.5", "e1.6"]);
    expect([unattached.dropped, backedUp.dropped, fast.dropped]).toEqual([true, true, false]);
    expect(taken).toBe(3);
    expect(h.clientCount).toBe(1);
    fast.close();
    expect(h.clientCount).toBe(0);
  });

  it("hands a client the messages that waited before its transport was attached, in order", () => {
    const h = hub();
    h.ingest([row(0, 0, 1)]);
    const c = h.connect();
    h.ingest([row(0, 0, 2)]);
    const closed: boolean[] = [];
    c.onClose(() => closed.push(true));
    expect(received(c).map((m) => [m.type, m.id])).toEqual([
      ["snapshot", "e1.1"],
      ["update", "e1.2"],
    ]);
    c.close();
    c.onClose(() => closed.push(true));
    expect(closed).toEqual([true, true]);
  });

  it("skips unchanged rows and forgets windows past the retention", async () => {
    const h = hub({ retentionMs: 20_000 });
    h.ingest([row(0, 0, 1)]);
    h.ingest([row(0, 0, 1)]);
    expect(h.lastId).toBe("e1.1");
    h.ingest([row(30_000, 0, 1), row(0, 1, 5)]);
    expect(h.snapshot().windows.map((w) => w.windowStart)).toEqual([30_000]);
  });
});
