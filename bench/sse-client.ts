import { createParser, type EventSourceMessage } from "eventsource-parser";

/**
 * A streaming SSE subscriber for load tests: one fetch per client, parsed incrementally, so a
 * thousand of them fit in one process. Calls onEvent with the receive time of each event.
 */
export function subscribe(
  url: string,
  onEvent: (msg: EventSourceMessage, receivedAt: number) => void,
  signal: AbortSignal,
): Promise<void> {
  return fetch(url, { headers: { Accept: "text/event-stream" }, signal }).then(async (res) => {
    if (!res.ok || !res.body) throw new Error(`SSE ${url}: HTTP ${res.status}`);
    const parser = createParser({ onEvent: (m) => onEvent(m, performance.timeOrigin + performance.now()) });
    const decoder = new TextDecoder();
    const reader = res.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        parser.feed(decoder.decode(value, { stream: true }));
      }
    } catch (e) {
      if (!signal.aborted) throw e;
    }
  });
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}
