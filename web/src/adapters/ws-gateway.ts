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
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname !== opts.path) {
      socket.destroy();
      return;
    }
    // Same-origin only: a foreign page must not read the stream with the visitor's network position.
    const origin = req.headers.origin;
    if (origin && new URL(origin).host !== req.headers.host) {
      socket.write("HTTP/1.1 403 Forbidden\r\n\r\n");
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const client = hub.connect(url.searchParams.get("lastEventId"));
      const gauge = metrics.liveClients.labels("ws");
      gauge.inc();
      let alive = true;
      const ping = setInterval(() => {
        if (!alive) ws.terminate();
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
