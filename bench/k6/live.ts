// k6 run bench/k6/live.ts — LIVE_SCENARIO: many subscribers of the live windows held open at once.
// k6's HTTP client has no streaming body (a request cut at its timeout keeps nothing), so an SSE
// subscriber cannot be measured with k6/http; k6 users measure a stream over WebSocket instead. The
// web tier's /ws is the SSE stream's twin (same hub, same messages: {id, type, windows}), so this
// subscribes there with k6/websockets, times the first message (the snapshot) and counts updates.
// `bun run bench` measures the SSE stream itself (bench/sse-client.ts) with the same client count.
import { check } from "k6";
import { Counter, Trend } from "k6/metrics";
import type { Options } from "k6/options";
import { setTimeout } from "k6/timers";
import { WebSocket } from "k6/websockets";
import { LIVE_SCENARIO } from "./scenarios.ts";

const BASE = (__ENV.BASE_URL || "http://127.0.0.1:3000").replace(/^http/, "ws");
const firstMessage = new Trend("live_first_message_ms", true);
const updates = new Counter("live_updates");
const snapshots = new Counter("live_snapshots");

export const options: Options = {
  scenarios: {
    live: {
      executor: "per-vu-iterations",
      vus: LIVE_SCENARIO.clients,
      iterations: 1,
      maxDuration: `${LIVE_SCENARIO.holdSeconds + 30}s`,
    },
  },
  thresholds: {
    live_first_message_ms: [`p(95)<${LIVE_SCENARIO.firstMessageP95Ms}`],
    live_snapshots: [`count>=${LIVE_SCENARIO.clients}`],
    checks: ["rate>0.99"],
  },
};

export default function (): void {
  const opened = Date.now();
  let first = true;
  const ws = new WebSocket(`${BASE}/ws`);
  ws.onmessage = (e) => {
    const msg = JSON.parse(String(e?.data)) as { type?: string; windows?: unknown };
    if (first) {
      first = false;
      firstMessage.add(Date.now() - opened);
      check(msg, {
        "first message is the snapshot": (m) => m.type === "snapshot" && Array.isArray(m.windows),
      });
    }
    if (msg.type === "snapshot") snapshots.add(1);
    else if (msg.type === "update") updates.add(1);
  };
  ws.onerror = () => check(null, { "no socket error": () => false });
  setTimeout(() => ws.close(), LIVE_SCENARIO.holdSeconds * 1000);
}
