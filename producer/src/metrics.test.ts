import { afterEach, describe, expect, it } from "vitest";
import { ProducerMetrics, serveMetrics } from "./metrics.ts";

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

describe("producer metrics", () => {
  it("counts a run's records at scrape time, by source and outcome, and its end", async () => {
    const m = new ProducerMetrics();
    const counts = { fetched: 10, sent: 8, rejected: 1, failed: 0 };
    const run = { source: "synthetic", counts: () => counts };
    m.started(run);
    const server = await serveMetrics(0, "127.0.0.1", undefined, m);
    if (!server) throw new Error("not served");
    closers.push(server.close);
    const scrape = async () => (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
    let text = await scrape();
    expect(text).toContain('producer_records_total{source="synthetic",outcome="sent"} 8');
    expect(text).toContain('producer_runs_in_progress{source="synthetic"} 1');
    counts.sent = 12;
    m.finished(run, "success", 2);
    text = await scrape();
    expect(text).toContain('producer_records_total{source="synthetic",outcome="sent"} 12');
    expect(text).toContain('producer_runs_total{source="synthetic",status="success"} 1');
    expect(text).toContain('producer_runs_in_progress{source="synthetic"} 0');
    expect(text).toContain("producer_process_resident_memory_bytes");
  });

  it("goes on without an endpoint when the port is taken", async () => {
    const first = await serveMetrics(0, "127.0.0.1", undefined, new ProducerMetrics());
    if (!first) throw new Error("not served");
    closers.push(first.close);
    expect(await serveMetrics(first.port, "127.0.0.1", undefined, new ProducerMetrics())).toBeNull();
  });
});
