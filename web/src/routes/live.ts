import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import type { AppDeps } from "../app-deps.ts";
import { windowsJsonOf } from "../live-hub.ts";

/** Server-sent events: `snapshot` first (or the missed `update`s after Last-Event-ID), then `update`s. */
export function liveRoutes(deps: AppDeps): Hono {
  const live = new Hono();
  live.get("/stream", (c) => {
    const lastEventId = c.req.header("Last-Event-ID") ?? c.req.query("lastEventId") ?? null;
    c.header("X-Accel-Buffering", "no");
    return streamSSE(c, async (stream) => {
      const client = deps.hub.connect(lastEventId);
      const gauge = deps.metrics.liveClients.labels("sse");
      gauge.inc();
      const beat = setInterval(() => {
        stream.write(": keep-alive\n\n").catch(() => client.close());
      }, deps.heartbeatMs);
      stream.onAbort(() => client.close());
      // A dropped client may be stuck in a write to a full socket: end the response so the browser
      // reconnects (with Last-Event-ID) instead of holding a dead stream open.
      client.onClose(() => {
        if (client.dropped) stream.abort();
      });
      try {
        await stream.write("retry: 1500\n\n");
        for (;;) {
          const m = await client.next();
          if (!m) break;
          await stream.writeSSE({ id: m.id, event: m.type, data: windowsJsonOf(m) });
        }
        if (client.dropped) deps.metrics.liveDropped.labels("sse").inc();
      } finally {
        clearInterval(beat);
        client.close();
        gauge.dec();
      }
    });
  });
  return live;
}
