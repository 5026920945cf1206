import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer } from "ws";
import { type LiveHub, messageJsonOf } from "../live-hub.ts";
import type { WebMetrics } from "../metrics.ts";

export interface WsGatewayOptions {
  path: string;
  /** Bytes a socket may have unsent before the client counts as too slow and is closed. */
  maxBuffered: number;
  pingMs: number;
}

/**
 * The WebSocket twin of GET /api/stream, on the Node server: same hub, same messages
 * ({id, type, windows}), resume with ?lastEventId=.
 */
export function attachWsGateway(
  server: Server,
  hub: LiveHub,
  metrics: WebMetrics,
  opts: WsGatewayOptions,
): WebSocketServer {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Node hands the raw socket over without an error listener: a peer resetting it while it is
    // refused would otherwise throw out of the server.
    const refuse = (status: string) => {
      socket.on("error", () => undefined);
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`, () =>
        socket.destroy(),
      );
    };
    const url = parseUrl(req.url ?? "/", "http://localhost");
    if (!url) return refuse("400 Bad Request");
    if (url.pathname !== opts.path) return refuse("404 Not Found");
    // Same-origin only: a foreign page must not read the stream with the visitor's network position.
    // `Origin: null` (sandboxed frames, file: pages) and malformed origins are foreign too.
    const origin = req.headers.origin;
    if (origin !== undefined && parseUrl(origin)?.host !== req.headers.host) return refuse("403 Forbidden");
    wss.handleUpgrade(req, socket, head, (ws) => {
      const client = hub.connect(url.searchParams.get("lastEventId"));
      const gauge = metrics.liveClients.labels("ws");
      gauge.inc();
      let alive = true;
      const ping = setInterval(() => {
        if (!alive) {
          ws.terminate();
          return;
        }
        alive = false;
        ws.ping();
      }, opts.pingMs);
      ws.on("pong", () => {
        alive = true;
      });
      ws.on("close", () => client.close());
      ws.on("error", () => client.close());
      (async () => {
        for (;;) {
          const m = await client.next();
          if (!m) break;
          if (ws.bufferedAmount > opts.maxBuffered) {
            client.dropped = true;
            break;
          }
          ws.send(messageJsonOf(m));
        }
        if (client.dropped) {
          metrics.liveDropped.labels("ws").inc();
          ws.close(1013, "too slow; reconnect with lastEventId");
        }
      })().finally(() => {
        clearInterval(ping);
        client.close();
        gauge.dec();
      });
    });
  });
  return wss;
}

function parseUrl(text: string, base?: string): URL | null {
  try {
    return new URL(text, base);
  } catch {
    return null;
  }
}
