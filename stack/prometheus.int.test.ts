import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../common/src/config.ts";
import { ProducerMetrics, serveMetrics } from "../producer/src/metrics.ts";
import { stackDirs } from "./paths.ts";
import { prometheusDown, prometheusPid, prometheusUp } from "./prometheus.ts";

// A real Prometheus (Debian's) on a free loopback port and a stack home of its own, so the shared one's
// :9090 is left alone, scraping a producer's /metrics and loading the shipped alert rules.
const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

const dirs = stackDirs({ STACK_HOME: mkdtempSync(join(tmpdir(), "prom-stack-")) });
let closeProducer: (() => Promise<void>) | undefined;

afterAll(async () => {
  await prometheusDown(dirs);
  await closeProducer?.();
});

describe("stack up --with-prometheus", () => {
  it("starts Prometheus, which scrapes the producer's producer_* metrics and loads every alert rule", async () => {
    const metrics = new ProducerMetrics();
    metrics.runs.inc({ source: "synthetic", status: "success" });
    const producer = await serveMetrics(0, "127.0.0.1", undefined, metrics);
    if (!producer) throw new Error("no metrics server");
    closeProducer = producer.close;
    const port = await freePort();
    const out = await prometheusUp(dirs, loadConfig({}), {
      port,
      targets: [
        { job: "producer", targets: [`127.0.0.1:${producer.port}`] },
        { job: "prometheus", targets: [`127.0.0.1:${port}`] },
      ],
    });
    expect(out).toMatch(/^prometheus: up at/);
    expect(prometheusPid(dirs)).toBeGreaterThan(0);
    const api = async (path: string) =>
      (await (await fetch(`http://127.0.0.1:${port}/api/v1/${path}`)).json()) as {
        data: Record<string, unknown>;
      };
    await expect
      .poll(
        async () => {
          const { data } = await api("query?query=producer_runs_total");
          return (data.result as { value: [number, string] }[])[0]?.value[1];
        },
        { timeout: 30_000, interval: 1000 },
      )
      .toBe("1");
    const rules = (await api("rules")).data.groups as { rules: { name: string }[] }[];
    expect(rules.flatMap((g) => g.rules.map((r) => r.name))).toEqual(
      expect.arrayContaining([
        "ProcessorDown",
        "ConsumerLagGrowing",
        "DeadLetterRateHigh",
        "CheckpointTooOld",
      ]),
    );
    // Up again: already up, nothing started twice.
    expect(await prometheusUp(dirs, loadConfig({}), { port })).toMatch(/already up/);
  });
});
