// k6 run bench/k6/sse.js — many concurrent SSE subscribers of the live stream, each holding its
// connection for the test and counting the events it receives (needs xk6-sse for a streaming
// client; without it this plain http.get holds the stream until the timeout and counts bytes).

import { check } from "k6";
import http from "k6/http";

const BASE = __ENV.BASE_URL || "http://127.0.0.1:3000";
const CLIENTS = Number(__ENV.CLIENTS || 1000);

export const options = {
  scenarios: { sse: { executor: "per-vu-iterations", vus: CLIENTS, iterations: 1, maxDuration: "60s" } },
};

export default function () {
  const res = http.get(`${BASE}/api/stream`, { timeout: "30s", headers: { Accept: "text/event-stream" } });
  check(res, { "received events": (r) => (r.body || "").includes("data:") });
}
