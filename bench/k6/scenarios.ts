// The web tier's load scenarios, defined once: the k6 scripts beside this file (`k6 run
// bench/k6/api.ts`) and the bench's own runner (bench/sections/web.ts, autocannon) both read them, so a
// figure from either tool is for the same load, judged by the same thresholds. Plain TypeScript with
// no runtime imports: k6 and Node load it alike.

export interface HttpScenario {
  /** Concurrent virtual users (k6) / connections (autocannon), each sending its next request on an answer. */
  vus: number;
  seconds: number;
  /** The request paths, cycled in order. */
  paths: (now: number) => string[];
  /** percentile: one autocannon reports too (it has p97.5 and p99, not p95). */
  thresholds: { failedRate: number; percentile: 97.5 | 99; maxMs: number };
}

const HOUR = 3_600_000;
const GROUPS = ["all", "nat", "gender"] as const;

export const API_SCENARIO: HttpScenario = {
  vus: 20,
  seconds: 20,
  paths: (now) => GROUPS.map((g) => `/api/aggregates?group=${g}&from=${now - HOUR}&to=${now}`),
  thresholds: { failedRate: 0.01, percentile: 99, maxMs: 250 },
};

export const PAGES_SCENARIO: HttpScenario = {
  vus: 10,
  seconds: 20,
  paths: () => ["/", "/history", "/users", "/pipeline", "/ingestion"],
  thresholds: { failedRate: 0.01, percentile: 97.5, maxMs: 300 },
};

export const LIVE_SCENARIO = {
  /** Subscribers held open at once, each for holdSeconds. */
  clients: 100,
  holdSeconds: 20,
  /** Every subscriber gets its first message (the snapshot) within this, at p95. */
  firstMessageP95Ms: 1_000,
};

/** k6's threshold expressions for an HTTP scenario. */
export function k6Thresholds(s: HttpScenario): Record<string, string[]> {
  return {
    http_req_failed: [`rate<${s.thresholds.failedRate}`],
    http_req_duration: [`p(${s.thresholds.percentile})<${s.thresholds.maxMs}`],
  };
}
