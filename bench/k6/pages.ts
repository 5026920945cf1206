// k6 run bench/k6/pages.ts — every dashboard page rendered on the server, under load (PAGES_SCENARIO,
// which `bun run bench` also runs, with autocannon).
import { check } from "k6";
import http from "k6/http";
import type { Options } from "k6/options";
import { k6Thresholds, PAGES_SCENARIO } from "./scenarios.ts";

const BASE = __ENV.BASE_URL || "http://127.0.0.1:3000";

export const options: Options = {
  scenarios: {
    pages: { executor: "constant-vus", vus: PAGES_SCENARIO.vus, duration: `${PAGES_SCENARIO.seconds}s` },
  },
  thresholds: { ...k6Thresholds(PAGES_SCENARIO), checks: ["rate>0.99"] },
};

export default function (): void {
  const paths = PAGES_SCENARIO.paths(Date.now());
  const path = paths[__ITER % paths.length] ?? "/";
  const res = http.get(BASE + path, { tags: { name: path } });
  check(res, {
    "status 200": (r) => r.status === 200,
    "is HTML": (r) => String(r.headers["Content-Type"] ?? "").includes("text/html"),
  });
}
