import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer } from "ws";
import { LIVE_RETRY_AFTER_SEC, type LiveHub, liveClientsFull, messageJsonOf } from "../live-hub.ts";
import type { WebMetrics } from "../metrics.ts";
import { foreignOrigin, misdirected, type RequestGuard } from "../request-guard.ts";

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
  guard: RequestGuard,
  opts: WsGatewayOptions,
): WebSocketServer {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Node hands the raw socket over without an error listener: a peer resetting it while it is
    // refused would otherwise throw out of the server.
    const refuse = (status: string, reason = "", headers: Record<string, string> = {}) => {
      socket.on("error", () => undefined);
      const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`);
      const head = `HTTP/1.1 ${status}\r\nConnection: close\r\n${extra.join("")}`;
      const body = reason === "" ? "" : `${reason}\n`;
      socket.end(
        `${head}Content-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
        () => socket.destroy(),
      );
    };
    const url = parseUrl(req.url ?? "/", "http://localhost");
    if (!url) return refuse("400 Bad Request");
    if (url.pathname !== opts.path) return refuse("404 Not Found");
    // The same checks as the HTTP routes (request-guard.ts): a host this server is not known by (DNS
    // rebinding), then a page of a foreign origin, may not read the stream with the visitor's network
    // position; `Origin: null` and malformed origins are foreign too.
    const host = req.headers.host;
    if (!guard.hostAllowed(host)) {
      metrics.refused.labels("host").inc();
      return refuse("421 Misdirected Request", misdirected(host));
    }
    const origin = req.headers.origin;
    if (!guard.originAllowed(origin, host)) {
      metrics.refused.labels("origin").inc();
      return refuse("403 Forbidden", foreignOrigin(origin ?? ""));
    }
    // handleUpgrade calls back synchronously once the handshake is valid: no other client gets in between.
    if (hub.clientCount >= hub.maxClients) {
      metrics.refused.labels("live_full").inc();
      return refuse("503 Service Unavailable", liveClientsFull(hub.maxClients), {
        "Retry-After": String(LIVE_RETRY_AFTER_SEC),
      });
    }
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
      client.onClose(() => {
        clearInterval(ping);
        gauge.dec();
        if (client.dropped) {
          metrics.liveDropped.labels("ws").inc();
          ws.close(1013, "too slow; reconnect with lastEventId");
        }
      });
      // Sent in the hub's turn, the frame serialized once for every client; a client whose socket buffer
      // holds more than maxBuffered bytes is dropped.
      client.attach((m) => {
        ws.send(messageJsonOf(m));
        return ws.bufferedAmount <= opts.maxBuffered;
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
