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

async function drain(c: HubClient, n: number): Promise<HubMessage[]> {
  const out: HubMessage[] = [];
  for (let i = 0; i < n; i++) {
    const m = await c.next();
    if (m) out.push(m);
  }
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
  it("merges partitions into window totals and sends a snapshot then updates", async () => {
    const h = hub();
    h.ingest([row(0, 0, 2), row(0, 1, 3)]);
    const c = h.connect();
    h.ingest([row(0, 1, 4, true)]);
    const [snap, upd] = await drain(c, 2);
    expect(snap).toMatchObject({ id: "e1.1", type: "snapshot", windows: [{ count: 5, final: false }] });
    expect(upd).toMatchObject({
      id: "e1.2",
      type: "update",
      windows: [{ count: 6, sumAge: 240, final: false }],
    });
  });

  it("resumes after Last-Event-ID from the ring without gaps or repeats", async () => {
    const h = hub();
    for (let i = 0; i < 3; i++) h.ingest([row(i * 10_000, 0, 1)]);
    const c = h.connect("e1.1");
    const msgs = await drain(c, 2);
    expect(msgs.map((m) => m.id)).toEqual(["e1.2", "e1.3"]);
    expect(msgs.map((m) => m.windows[0]?.windowStart)).toEqual([10_000, 20_000]);
    h.ingest([row(30_000, 0, 1)]);
    expect((await c.next())?.id).toBe("e1.4");
  });

  it("sends a snapshot when the id is from another epoch, in the future, or older than the ring", async () => {
    const h = hub();
    for (let i = 0; i < 8; i++) h.ingest([row(i * 10_000, 0, 1)]);
    for (const id of ["e0.3", "e1.99", "e1.2", "garbage", null]) {
      const m = await h.connect(id).next();
      expect(m?.type).toBe("snapshot");
      expect(m?.id).toBe("e1.8");
    }
    expect((await drain(h.connect("e1.4"), 4)).map((m) => m.id)).toEqual(["e1.5", "e1.6", "e1.7", "e1.8"]);
  });

  it("sends a snapshot instead of more missed updates than the client queue holds", async () => {
    const h = hub({ ringSize: 10, clientQueueSize: 2 });
    for (let i = 0; i < 6; i++) h.ingest([row(i * 10_000, 0, 1)]);
    const c = h.connect("e1.2");
    expect(await c.next()).toMatchObject({ type: "snapshot", id: "e1.6" });
    expect(c.dropped).toBe(false);
    expect((await drain(h.connect("e1.4"), 2)).map((m) => m.id)).toEqual(["e1.5", "e1.6"]);
  });

  it("drops a slow client without holding back the others", async () => {
    const h = hub({ clientQueueSize: 2 });
    h.ingest([row(0, 0, 1)]);
    const slow = h.connect("e1.1");
    const fast = h.connect("e1.1");
    const received: string[] = [];
    const reader = (async () => {
      for (;;) {
        const m = await fast.next();
        if (!m) return;
        received.push(m.id);
        if (received.length === 5) fast.close();
      }
    })();
    for (let i = 1; i <= 5; i++) {
      h.ingest([row(0, 0, 1 + i)]);
      await Promise.resolve();
    }
    await reader;
    expect(received).toEqual(["e1.2", "e1.3", "e1.4", "e1.5", "e1.6"]);
    expect(slow.dropped).toBe(true);
    expect(fast.dropped).toBe(false);
    expect(await slow.next()).toBeNull();
    expect(h.clientCount).toBe(0);
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
