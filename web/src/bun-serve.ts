import type { Hono } from "hono";

// The part of Bun's global that serving the app needs; the repository is typed against Node's types.
interface BunServer {
  readonly port: number;
  stop(closeActiveConnections?: boolean): unknown;
}

interface BunGlobal {
  serve(options: {
    fetch(request: Request): Response | Promise<Response>;
    port: number;
    hostname: string;
    idleTimeout: number;
  }): BunServer;
}

/** Serves the web-standard app with Bun's own HTTP server; throws when not running under Bun. */
export function serveWithBun(app: Hono, port: number, hostname: string): BunServer {
  const bun = (globalThis as { Bun?: BunGlobal }).Bun;
  if (!bun) throw new Error("this entry runs under Bun: `bun web/src/bun-main.ts`");
  // Bun closes a connection idle for 10 s by default; SSE streams send a keep-alive every 15 s.
  return bun.serve({ fetch: app.fetch, port, hostname, idleTimeout: 60 });
}
