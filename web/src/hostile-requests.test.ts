import http, { type IncomingHttpHeaders, type Server } from "node:http";
import { type AddressInfo, connect as tcpConnect } from "node:net";
import { serve } from "@hono/node-server";
import { afterEach, describe, expect, it } from "vitest";
import { attachWsGateway } from "./adapters/ws-gateway.ts";
import { createApp } from "./app.tsx";
import { LiveHub } from "./live-hub.ts";
import { QueryGate } from "./query-gate.ts";
import { type TestWorld, testWorld } from "./testing/deps.ts";

// What a hostile page or client can send the web tier, on a real Node server with the WebSocket gateway
// (in-memory stores, loopback only): DNS-rebinding Hosts (421), foreign Origins on the live streams
// (403), a flood of live clients (503 + Retry-After past WEB_LIVE_MAX_CLIENTS) and of history queries
// (503 + Retry-After past the running and waiting bound).

let server: Server | null = null;
const open: { close(): void }[] = [];

afterEach(async () => {
  for (const c of open.splice(0)) c.close();
  server?.closeAllConnections();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = null;
});

async function start(world: TestWorld): Promise<number> {
  const app = createApp(world.deps);
  const port = await new Promise<number>((resolve) => {
    server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info: AddressInfo) =>
      resolve(info.port),
    ) as Server;
  });
  attachWsGateway(server!, world.deps.hub, world.deps.metrics, world.deps.guard, {
    path: "/ws",
    maxBuffered: 1 << 20,
    pingMs: 30_000,
  });
  return port;
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * GET with exactly these headers (fetch would not send another Host). An event stream that opens is
 * kept open (registered for afterEach) and answered without its body.
 */
function get(port: number, path: string, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: "127.0.0.1", port, path, headers, agent: false }, (res) => {
      if (res.statusCode === 200 && String(res.headers["content-type"]).startsWith("text/event-stream")) {
        open.push({ close: () => res.destroy() });
        resolve({ status: 200, headers: res.headers, body: "" });
        return;
      }
      let body = "";
      res.on("data", (d: Buffer) => {
        body += d.toString();
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
  });
}

/** A WebSocket upgrade written by hand (any Host, any Origin); the whole refusal, or "101" once open. */
function upgrade(port: number, headers: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect(port, "127.0.0.1", () => {
      socket.write(
        [
          "GET /ws HTTP/1.1",
          "Upgrade: websocket",
          "Connection: Upgrade",
          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
          "Sec-WebSocket-Version: 13",
          ...headers,
          "",
          "",
        ].join("\r\n"),
      );
    });
    let got = "";
    socket.on("data", (d) => {
      got += d.toString();
      if (got.startsWith("HTTP/1.1 101")) {
        open.push({ close: () => socket.destroy() });
        resolve("101");
      }
    });
    socket.on("error", reject);
    socket.on("close", () => resolve(got));
  });
}

const json = (a: Answer) => JSON.parse(a.body) as { error: string };

describe("hostile requests against the web tier", () => {
  it("answers 421 to every rebinding Host, for pages, the API and both live streams", async () => {
    const w = testWorld();
    const port = await start(w);
    for (const host of [
      "evil.example",
      `evil.example:${port}`,
      `127.0.0.1.nip.example:${port}`,
      `localhost.evil.example:${port}`,
    ]) {
      const api = await get(port, "/api/users/u1", { Host: host });
      expect(api.status, host).toBe(421);
      expect(api.headers["content-type"]).toMatch(/application\/json/);
      expect(json(api).error).toBe(
        `misdirected request: this server does not answer for host ${JSON.stringify(host)} (WEB_ALLOWED_HOSTS)`,
      );
      const page = await get(port, "/users", { Host: host });
      expect(page.status).toBe(421);
      expect(page.headers["content-type"]).toMatch(/text\/plain/);
      const sse = await get(port, "/api/stream", { Host: host, Origin: `http://${host}` });
      expect(sse.status).toBe(421);
      const ws = await upgrade(port, [`Host: ${host}`, `Origin: http://${host}`]);
      expect(ws.split("\r\n")[0]).toBe("HTTP/1.1 421 Misdirected Request");
      expect(ws).toContain(`this server does not answer for host ${JSON.stringify(host)}`);
    }
    // The names it is known by still work; probes and scrapers get /healthz and /metrics whatever the Host.
    expect((await get(port, "/api/users/u1", { Host: `localhost:${port}` })).status).toBe(404);
    expect((await get(port, "/healthz", { Host: "10.1.2.3:3000" })).status).toBe(200);
    expect((await get(port, "/metrics", { Host: "10.1.2.3:3000" })).body).toMatch(
      /web_requests_refused_total\{reason="host"\} 16/,
    );
  });

  it("answers 403 to a foreign Origin on the event stream and the WebSocket, and serves its own", async () => {
    const w = testWorld();
    const port = await start(w);
    const host = `127.0.0.1:${port}`;
    for (const origin of ["https://evil.example", "null", `http://localhost:${port + 1}`, "file://"]) {
      const sse = await get(port, "/api/stream", { Host: host, Origin: origin });
      expect(sse.status, origin).toBe(403);
      expect(json(sse).error).toBe(
        `origin ${JSON.stringify(origin)} may not open live streams here (WEB_ALLOWED_ORIGINS)`,
      );
      const ws = await upgrade(port, [`Host: ${host}`, `Origin: ${origin}`]);
      expect(ws.split("\r\n")[0], origin).toBe("HTTP/1.1 403 Forbidden");
    }
    expect((await get(port, "/api/stream", { Host: host, Origin: `http://${host}` })).status).toBe(200);
    expect(await upgrade(port, [`Host: ${host}`, `Origin: http://${host}`])).toBe("101");
    expect(w.deps.hub.clientCount).toBe(2);
  });

  it("admits at most WEB_LIVE_MAX_CLIENTS live clients in a flood, then 503 + Retry-After; a freed place is taken", async () => {
    const hub = new LiveHub({
      ringSize: 10,
      clientQueueSize: 10,
      retentionMs: 1e12,
      epoch: "t",
      maxClients: 20,
    });
    const w = testWorld({ hub });
    const port = await start(w);
    const host = `127.0.0.1:${port}`;
    const flood = await Promise.all([
      ...Array.from({ length: 25 }, () => get(port, "/api/stream", { Host: host })),
      ...Array.from({ length: 25 }, () => upgrade(port, [`Host: ${host}`])),
    ]);
    const sse = flood.slice(0, 25) as Answer[];
    const ws = flood.slice(25) as string[];
    const admitted = sse.filter((a) => a.status === 200).length + ws.filter((a) => a === "101").length;
    expect(admitted).toBe(20);
    expect(hub.clientCount).toBe(20);
    for (const a of sse.filter((x) => x.status !== 200)) {
      expect(a.status).toBe(503);
      expect(a.headers["retry-after"]).toBe("5");
      expect(json(a).error).toBe("too many live clients (20, WEB_LIVE_MAX_CLIENTS): try again in 5 s");
    }
    for (const a of ws.filter((x) => x !== "101")) {
      expect(a.split("\r\n")[0]).toBe("HTTP/1.1 503 Service Unavailable");
      expect(a).toContain("Retry-After: 5\r\n");
    }
    open.shift()!.close();
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (hub.clientCount < 20) {
          clearInterval(poll);
          resolve();
        }
      }, 10);
    });
    expect(await upgrade(port, [`Host: ${host}`])).toBe("101");
  });

  it("bounds concurrent history queries: past the running and waiting ones, 503 + Retry-After at once", async () => {
    const queries = new QueryGate({ concurrency: 2, queue: 2, maxWaitMs: 10_000 });
    const w = testWorld({ queries });
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    const read = w.aggregates.windowRows.bind(w.aggregates);
    w.aggregates.windowRows = async (q, max) => {
      await held;
      return read(q, max);
    };
    const port = await start(w);
    const host = `127.0.0.1:${port}`;
    const answers: Answer[] = [];
    const asked = Array.from({ length: 7 }, (_, i) =>
      get(port, `/api/aggregates?group=nat&from=0&to=${1000 + i}`, { Host: host }).then((a) => {
        answers.push(a);
        return a;
      }),
    );
    // Two run (held), two wait: the other three are answered at once.
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (answers.length === 3) {
          clearInterval(poll);
          resolve();
        }
      }, 10);
    });
    expect(queries.active).toBe(2);
    expect(queries.queued).toBe(2);
    for (const a of answers) {
      expect(a.status).toBe(503);
      expect(a.headers["retry-after"]).toBe("1");
      expect(json(a).error).toBe(
        "too many history queries at once (2 running, 2 waiting); try again shortly",
      );
    }
    release();
    const all = await Promise.all(asked);
    expect(all.filter((a) => a.status === 200)).toHaveLength(4);
  });
});
