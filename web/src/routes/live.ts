import { Hono } from "hono";
import type { AppDeps } from "../app-deps.ts";
import { LIVE_RETRY_AFTER_SEC, liveClientsFull, sseFrameOf } from "../live-hub.ts";
import { foreignOrigin, hostOf } from "../request-guard.ts";

const encoder = new TextEncoder();
const RETRY = encoder.encode("retry: 1500\n\n");
const KEEP_ALIVE = encoder.encode(": keep-alive\n\n");

/**
 * Server-sent events: `snapshot` first (or the missed `update`s after Last-Event-ID), then `update`s.
 * The hub writes each message's frame, encoded once, straight into the response stream's queue; the
 * server drains that queue into the socket. A client whose queue reaches WEB_LIVE_CLIENT_QUEUE frames
 * (its socket full: it does not read) is dropped and its response ended, so it reconnects with its
 * Last-Event-ID instead of holding memory or the others back.
 */
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
    const gauge = deps.metrics.liveClients.labels("sse");
    let beat: ReturnType<typeof setInterval> | undefined;
    const body = new ReadableStream<Uint8Array>(
      {
        start(controller) {
          gauge.inc();
          client.onClose(() => {
            clearInterval(beat);
            gauge.dec();
            if (client.dropped) deps.metrics.liveDropped.labels("sse").inc();
            try {
              // A dropped client's response ends after the frames already queued for its socket.
              controller.close();
            } catch {
              // Already cancelled by the server (the browser went away).
            }
          });
          controller.enqueue(RETRY);
          client.attach((m) => {
            controller.enqueue(sseFrameOf(m));
            return (controller.desiredSize ?? 0) >= 0;
          });
          beat = setInterval(() => {
            if ((controller.desiredSize ?? 0) > 0) controller.enqueue(KEEP_ALIVE);
          }, deps.heartbeatMs);
        },
        cancel() {
          client.close();
        },
      },
      new CountQueuingStrategy({ highWaterMark: client.capacity }),
    );
    c.req.raw.signal.addEventListener("abort", () => client.close());
    return c.body(body, 200, {
      "Content-Type": "text/event-stream",
      "Cache-Control": "no-cache",
      Connection: "keep-alive",
      "X-Accel-Buffering": "no",
    });
  });
  return live;
}
