import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

export interface WebMetrics {
  registry: Registry;
  httpDuration: Histogram<"method" | "route" | "status">;
  liveClients: Gauge<"transport">;
  liveDropped: Counter<"transport">;
  liveRows: Counter;
  liveInvalid: Counter;
  liveBatches: Counter;
  redriven: Counter<"outcome">;
  refused: Counter<"reason">;
  e2eDelivered: Histogram;
}

/** A registry per app instance, so tests and the server never share or double-register metrics. */
export function createWebMetrics(withDefaults = true): WebMetrics {
  const registry = new Registry();
  if (withDefaults) collectDefaultMetrics({ register: registry, prefix: "web_" });
  return {
    registry,
    httpDuration: new Histogram({
      name: "web_http_request_duration_seconds",
      help: "HTTP request duration by route template",
      labelNames: ["method", "route", "status"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    liveClients: new Gauge({
      name: "web_live_clients",
      help: "Connected live clients",
      labelNames: ["transport"],
      registers: [registry],
    }),
    liveDropped: new Counter({
      name: "web_live_clients_dropped_total",
      help: "Live clients dropped because they fell behind",
      labelNames: ["transport"],
      registers: [registry],
    }),
    liveRows: new Counter({
      name: "web_live_rows_total",
      help: "Window rows received from the aggregates topic",
      registers: [registry],
    }),
    liveInvalid: new Counter({
      name: "web_live_invalid_messages_total",
      help: "Aggregates-topic messages that failed validation and were skipped",
      registers: [registry],
    }),
    liveBatches: new Counter({
      name: "web_live_updates_total",
      help: "Hub updates fanned out to clients",
      registers: [registry],
    }),
    e2eDelivered: new Histogram({
      name: "web_e2e_delivered_seconds",
      help: "End-to-end latency, produced (the oldest sampled event of a window update) to fanned out to the connected browsers' live streams",
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers: [registry],
    }),
    redriven: new Counter({
      name: "web_dead_letters_redriven_total",
      help: "Dead letters re-driven from the console, by outcome (sent, rejected again, failed, skipped)",
      labelNames: ["outcome"],
      registers: [registry],
    }),
    refused: new Counter({
      name: "web_requests_refused_total",
      help: "Requests refused: host (421), origin (403), live_full and query_busy (503)",
      labelNames: ["reason"],
      registers: [registry],
    }),
  };
}
