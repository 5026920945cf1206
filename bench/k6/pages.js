// k6 run bench/k6/pages.js — every dashboard page rendered on the server, under load.

import { check } from "k6";
import http from "k6/http";

const BASE = __ENV.BASE_URL || "http://127.0.0.1:3000";
const PAGES = ["/", "/history", "/users", "/pipeline", "/ingestion"];

export const options = {
  scenarios: { pages: { executor: "constant-vus", vus: 10, duration: "20s" } },
  thresholds: { http_req_failed: ["rate<0.01"], http_req_duration: ["p(95)<300"] },
};

export default function () {
  const res = http.get(BASE + PAGES[__ITER % PAGES.length]);
  check(res, { "status 200": (r) => r.status === 200 });
}
