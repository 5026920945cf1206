// k6 run bench/k6/api.ts — the aggregates API under constant load (API_SCENARIO, which `bun run bench`
// also runs, with autocannon). BASE_URL defaults to the local web tier.
import { check } from "k6";
import http from "k6/http";
import type { Options } from "k6/options";
import { API_SCENARIO, k6Thresholds } from "./scenarios.ts";

const BASE = __ENV.BASE_URL || "http://127.0.0.1:3000";

export const options: Options = {
  scenarios: {
    aggregates: { executor: "constant-vus", vus: API_SCENARIO.vus, duration: `${API_SCENARIO.seconds}s` },
  },
  thresholds: { ...k6Thresholds(API_SCENARIO), checks: ["rate>0.99"] },
};

export default function (): void {
  const paths = API_SCENARIO.paths(Date.now());
  const res = http.get(`${BASE}${paths[__ITER % paths.length]}`, { tags: { name: "aggregates" } });
  check(res, {
    "status 200": (r) => r.status === 200,
    "has windows": (r) => Array.isArray(r.json("windows")),
  });
}
