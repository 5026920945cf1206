import type { Server } from "node:http";
import { type AddressInfo, connect as tcpConnect } from "node:net";
import { serve } from "@hono/node-server";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { createApp } from "../app.tsx";
import type { HubMessage } from "../live-hub.ts";
import { testWorld } from "../testing/deps.ts";
import type { WindowRow } from "../window-types.ts";
import { attachWsGateway } from "./ws-gateway.ts";

const row = (windowStart: number, count: number): WindowRow => ({
  windowStart,
  windowEnd: windowStart + 10_000,
  group: "all",
  key: "*",
  partition: 0,
  count,
  sumAge: count * 40,
  minAge: 40,
  maxAge: 40,
  final: true,
});

let server: Server | null = null;

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = null;
});

async function start() {
  const w = testWorld();
  const app = createApp(w.deps);
  const port = await new Promise<number>((resolve) => {
    server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info: AddressInfo) =>
      resolve(info.port),
    ) as Server;
  });
  if (!server) throw new Error("no server");
  attachWsGateway(server, w.deps.hub, w.deps.metrics, w.deps.guard, {
    path: "/ws",
    maxBuffered: 1 << 20,
    pingMs: 30_000,
  });
  return { w, port };
}

function connect(url: string, n: number, headers: Record<string, string> = {}): Promise<HubMessage[]> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    const got: HubMessage[] = [];
    ws.on("message", (data) => {
      got.push(JSON.parse(String(data)) as HubMessage);
      if (got.length === n) {
        ws.close();
        resolve(got);
      }
    });
    ws.on("error", reject);
    ws.on("unexpected-response", (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
}

/** Sends a hand-written upgrade request (what a browser library would refuse to send) and returns the status line. */
function rawUpgrade(port: number, target: string, extra: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect(port, "127.0.0.1", () => {
      socket.write(
        [
          `GET ${target} HTTP/1.1`,
          `Host: 127.0.0.1:${port}`,
          "Upgrade: websocket",
          "Connection: Upgrade",
          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
          "Sec-WebSocket-Version: 13",
          ...extra,
          "",
          "",
        ].join("\r\n"),
      );
    });
    let got = "";
    socket.on("data", (d) => {
      got += d.toString();
    });
    socket.on("error", reject);
    socket.on("close", () => resolve(got.split("\r\n")[0] ?? ""));
  });
}

describe("WebSocket gateway", () => {
  it("sends a snapshot, then updates, and resumes after lastEventId", async () => {
    const { w, port } = await start();
    w.deps.hub.ingest([row(0, 1)]);
    const pending = connect(`ws://127.0.0.1:${port}/ws`, 2);
    setTimeout(() => w.deps.hub.ingest([row(10_000, 2)]), 100);
    const [snap, upd] = await pending;
    expect(snap).toMatchObject({ id: "t.1", type: "snapshot", windows: [{ count: 1 }] });
    expect(upd).toMatchObject({ id: "t.2", type: "update", windows: [{ windowStart: 10_000, count: 2 }] });
    w.deps.hub.ingest([row(20_000, 3)]);
    const [resumed] = await connect(`ws://127.0.0.1:${port}/ws?lastEventId=t.2`, 1);
    expect(resumed).toMatchObject({ id: "t.3", type: "update", windows: [{ windowStart: 20_000 }] });
  });

  it("refuses other paths and foreign origins", async () => {
    const { port } = await start();
    await expect(connect(`ws://127.0.0.1:${port}/elsewhere`, 1)).rejects.toThrow();
    await expect(connect(`ws://127.0.0.1:${port}/ws`, 1, { Origin: "https://evil.example" })).rejects.toThrow(
      /403/,
    );
  });

  it("answers 403 to `Origin: null` and malformed origins, 400 to a malformed target, and keeps serving", async () => {
    const { w, port } = await start();
    for (const origin of ["null", "http://[", "::", "not a url"])
      expect(await rawUpgrade(port, "/ws", [`Origin: ${origin}`]), origin).toBe("HTTP/1.1 403 Forbidden");
    expect(await rawUpgrade(port, "//", [])).toBe("HTTP/1.1 400 Bad Request");
    expect(await rawUpgrade(port, "/elsewhere", [])).toBe("HTTP/1.1 404 Not Found");
    w.deps.hub.ingest([row(0, 1)]);
    const [snap] = await connect(`ws://127.0.0.1:${port}/ws`, 1, { Origin: `http://127.0.0.1:${port}` });
    expect(snap).toMatchObject({ type: "snapshot", windows: [{ count: 1 }] });
  });
});
