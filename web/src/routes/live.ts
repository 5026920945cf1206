import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import type { AppDeps } from "../app-deps.ts";
import { LIVE_RETRY_AFTER_SEC, liveClientsFull, windowsJsonOf } from "../live-hub.ts";
import { foreignOrigin, hostOf } from "../request-guard.ts";

/** Server-sent events: `snapshot` first (or the missed `update`s after Last-Event-ID), then `update`s. */
export function liveRoutes(deps: AppDeps): Hono {
  const live = new Hono();
  live.get("/stream", (c) => {
    const lastEventId = c.req.header("Last-Event-ID") ?? c.req.query("lastEventId") ?? null;
    const origin = c.req.header("Origin");
    if (!deps.guard.originAllowed(origin, hostOf(c.req))) {
      deps.metrics.refused.labels("origin").inc();
      return c.json({ error: foreignOrigin(origin ?? "") }, 403);
    }
    // Taken before the response starts, so a burst of connections cannot overshoot the cap.
    const client = deps.hub.admit(lastEventId);
    if (!client) {
      deps.metrics.refused.labels("live_full").inc();
      c.header("Retry-After", String(LIVE_RETRY_AFTER_SEC));
      return c.json({ error: liveClientsFull(deps.hub.maxClients) }, 503);
    }
    c.header("X-Accel-Buffering", "no");
    return streamSSE(c, async (stream) => {
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
