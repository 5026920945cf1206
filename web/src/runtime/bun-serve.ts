import type { Server } from "bun";
import type { Hono } from "hono";

/** Serves the web-standard app with Bun's own HTTP server; throws when not running under Bun. */
export function serveWithBun(app: Hono, port: number, hostname: string): Server<undefined> {
  if (typeof Bun === "undefined") throw new Error("this entry runs under Bun: `bun web/src/runtime/bun.ts`");
  // Bun closes a connection idle for 10 s by default; SSE streams send a keep-alive every 15 s.
  return Bun.serve({ fetch: app.fetch, port, hostname, idleTimeout: 60 });
}
