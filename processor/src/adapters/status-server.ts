import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/** GET /status of docs/internal-contracts.md, plus a few fields the tests and the bench read. */
export interface ProcessorStatus {
  instance: string;
  group: string;
  assigned: number[];
  watermark: number | null;
  partitions: {
    partition: number;
    nextOffset: number;
    watermark: number | null;
    idle: boolean;
    /** Records between the partition's end and nextOffset; null before the first fetch. */
    lag: number | null;
    /** nextOffset of the last durable checkpoint. */
    checkpointedOffset: number | null;
    openWindows: number;
    /** The windowing core's counters of the partition (kept in its checkpoints, so over every owner). */
    partlyLate: number;
    refused: number;
  }[];
  processed: number;
  late: number;
  /** Hopping windows: events aggregated into their open windows only (some of theirs were final). */
  partlyLate: number;
  /** Events the core refused for want of capacity (dead-lettered, so also in deadLettered). */
  refused: number;
  deadLettered: number;
  eventsPerSec: number;
  sinkLatencyMs: { p50: number | null; p99: number | null };
  /** Messages per consumed batch, over the recent batches; `limit` is PROCESSOR_BATCH_SIZE. */
  batchSize: {
    last: number | null;
    p50: number | null;
    p99: number | null;
    max: number | null;
    limit: number;
  };
  startedAt: number;
  /** Consumption paused by backpressure (Cassandra not keeping up or down). */
  paused: boolean;
  pendingWrites: number;
  /** Why the processor stopped on its own (it exits non-zero); null while it runs. */
  failure: string | null;
}

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
