import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { ProcessorStatus } from "../../../common/src/contracts/processor-status.ts";

export interface StatusRoutes {
  status(): ProcessorStatus;
  /** null while healthy, else why not. */
  unhealthy(): string | null;
  metrics(): Promise<string>;
  contentType: string;
}

export interface StatusServer {
  port: number;
  close(): Promise<void>;
}

/**
 * /status (JSON), /metrics (Prometheus) and /healthz (503 with the reason while unhealthy) on `host`:`port`
 * (0: any free port).
 */
export function serveStatus(host: string, port: number, routes: StatusRoutes): Promise<StatusServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET") {
      res.writeHead(405, { allow: "GET" }).end();
      return;
    }
    if (path === "/status") {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(routes.status()));
    } else if (path === "/metrics") {
      routes.metrics().then(
        (text) => res.writeHead(200, { "content-type": routes.contentType }).end(text),
        (err: Error) => res.writeHead(500, { "content-type": "text/plain" }).end(err.message),
      );
    } else if (path === "/healthz") {
      const reason = routes.unhealthy();
      if (reason === null) res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
      else
        res.writeHead(503, { "content-type": "application/json" }).end(JSON.stringify({ ok: false, reason }));
    } else {
      res.writeHead(404, { "content-type": "application/json" }).end('{"error":"not found"}');
    }
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
