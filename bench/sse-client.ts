import { Agent, get } from "node:http";
import { createParser, type EventSourceMessage } from "eventsource-parser";

// Each subscriber its own connection, as each browser has.
const agent = new Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY });

/**
 * A streaming SSE subscriber for load tests: one node:http request per client, parsed incrementally.
 * node:http rather than fetch: a thousand of undici's web-stream bodies cost the client process more
 * than the server it measures, so the delays were the client's own queueing. Calls onEvent with the
 * receive time of each event; resolves when the signal aborts or the server ends the stream.
 */
export function subscribe(
  url: string,
  onEvent: (msg: EventSourceMessage, receivedAt: number) => void,
  signal: AbortSignal,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = get(url, { agent, headers: { Accept: "text/event-stream" }, signal }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        reject(new Error(`SSE ${url}: HTTP ${res.statusCode}`));
        return;
      }
      const parser = createParser({
        onEvent: (m) => onEvent(m, performance.timeOrigin + performance.now()),
      });
      res.setEncoding("utf8");
      res.on("data", (text: string) => parser.feed(text));
      res.on("end", () => resolve());
      res.on("error", (e) => (signal.aborted ? resolve() : reject(e)));
    });
    req.on("error", (e) => (signal.aborted ? resolve() : reject(e)));
  });
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}
