// k6 run bench/k6/api.js  — the aggregates API under constant load (same scenario `bun run bench`
// runs with autocannon). BASE_URL defaults to the local web tier.

import { check } from "k6";
import http from "k6/http";

const BASE = __ENV.BASE_URL || "http://127.0.0.1:3000";

export const options = {
  scenarios: {
    aggregates: { executor: "constant-vus", vus: 20, duration: "20s" },
  },
  thresholds: { http_req_failed: ["rate<0.01"], http_req_duration: ["p(99)<250"] },
};

export default function () {
  const to = Date.now();
  const from = to - 3_600_000;
  const group = ["all", "nat", "gender"][__ITER % 3];
  const res = http.get(`${BASE}/api/aggregates?group=${group}&from=${from}&to=${to}`);
  check(res, {
    "status 200": (r) => r.status === 200,
    "has windows": (r) => Array.isArray(r.json("windows")),
  });
}
