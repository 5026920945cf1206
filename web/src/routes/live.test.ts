import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { connect } from "node:net";
import { serve } from "@hono/node-server";
import { afterEach, describe, expect, it } from "vitest";
import { createApp } from "../app.tsx";
import { LiveHub } from "../live-hub.ts";
import { testWorld } from "../testing/deps.ts";
import type { WindowRow } from "../window-types.ts";

let server: Server | null = null;

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = null;
});

/** One update carrying `n` windows (about 150 bytes each on the wire). */
const batch = (seq: number, n: number): WindowRow[] =>
  Array.from({ length: n }, (_, i) => ({
    windowStart: i * 10_000,
    windowEnd: i * 10_000 + 10_000,
    group: "nat",
    key: `K${i}`,
    partition: 0,
    count: seq,
    sumAge: seq * 30,
    minAge: 30,
    maxAge: 30,
    final: false,
  }));

describe("GET /api/stream on the Node server", () => {
  it("drops a client that stops reading while another keeps up, and the dropped response ends", async () => {
    const hub = new LiveHub({ ringSize: 1000, clientQueueSize: 8, retentionMs: 1e12, epoch: "t" });
    const w = testWorld({ hub });
    const app = createApp(w.deps);
    const port = await new Promise<number>((resolve) => {
      server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info: AddressInfo) =>
        resolve(info.port),
      ) as Server;
    });

    // The slow client: a raw socket that sends the request and then never reads.
    const slow = connect(port, "127.0.0.1");
    let slowEnded = false;
    slow.on("close", () => {
      slowEnded = true;
    });
    slow.write(`GET /api/stream HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAccept: text/event-stream\r\n\r\n`);
    slow.pause();

    const res = await fetch(`http://127.0.0.1:${port}/api/stream`);
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    const ids: string[] = [];
    let buf = "";
    const reading = (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buf += value;
        for (const m of buf.matchAll(/^id: (\S+)$/gm)) if (!ids.includes(m[1]!)) ids.push(m[1]!);
        buf = buf.slice(buf.lastIndexOf("\n") + 1);
        if (ids.length === 301) return;
      }
    })();
    await new Promise((r) => setTimeout(r, 100));
    expect(hub.clientCount).toBe(2);

    for (let i = 1; i <= 300; i++) {
      hub.ingest(batch(i, 400));
      await new Promise((r) => setTimeout(r, 2));
    }
    await reading;
    await reader.cancel();
    expect(ids).toEqual(["t.0", ...Array.from({ length: 300 }, (_, i) => `t.${i + 1}`)]);
    const metrics = await (await app.request("/metrics")).text();
    expect(metrics).toContain('web_live_clients_dropped_total{transport="sse"} 1');
    // The dropped stream is ended on the server even though its socket is still full.
    const sseClients = async () =>
      /web_live_clients\{transport="sse"\} (\d+)/.exec(await (await app.request("/metrics")).text())?.[1];
    await expect.poll(sseClients, { timeout: 10_000 }).toBe("0");
    slow.resume();
    await expect.poll(() => slowEnded, { timeout: 10_000 }).toBe(true);
  });
});
