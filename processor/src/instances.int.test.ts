import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { liveness, readHeartbeats } from "../../common/src/instance-registry.ts";
import { CassandraStore as WebStore } from "../../web/src/adapters/cassandra-store.ts";
import { HttpProcessorStatus } from "../../web/src/adapters/processor-status-http.ts";
import { ProcessorFleet } from "../../web/src/processor-fleet.ts";
import { PROCESSOR_NODE_FLAGS } from "./node-flags.ts";
import { cassandraClient, configEnv, waitFor } from "./testing/harness.ts";
import { useTestBed } from "./testing/test-bed.ts";

// `bun run processor --instances 2`: two processes in one group, each registered with its partitions; the
// web tier's fleet finds both through the registry alone; a killed one is restarted and shown as gone;
// SIGTERM stops both, and their last heartbeat says so.
describe("processor: --instances N and the instance registry", () => {
  const bed = useTestBed("instances", { TOPIC_PARTITIONS: "4" });

  it("registers every instance, discovers them, shows a killed one as gone and stops them all", async () => {
    const { config, client } = bed;
    const parent = spawn(
      process.execPath,
      [...PROCESSOR_NODE_FLAGS, "--import", "tsx", "processor/src/main.ts", "--instances", "2"],
      {
        cwd: new URL("../..", import.meta.url).pathname,
        env: { ...process.env, ...configEnv(config), PROCESSOR_HEARTBEAT_INTERVAL_MS: "500" },
        stdio: ["ignore", "ignore", "inherit"],
      },
    );
    const exited = new Promise<number | null>((resolve) => parent.once("exit", (code) => resolve(code)));
    try {
      const ks = config.CASSANDRA_KEYSPACE;
      const group = config.CONSUMER_GROUP;
      const running = (beats: Awaited<ReturnType<typeof readHeartbeats>>) =>
        beats.filter((b) => liveness(b, Date.now()) === "running");
      const covered = (beats: Awaited<ReturnType<typeof readHeartbeats>>) => {
        const live = running(beats);
        const parts = live.flatMap((b) => b.assigned).sort();
        return live.length === 2 && live.every((b) => b.assigned.length > 0) && parts.join() === "0,1,2,3";
      };
      const heartbeats = () => readHeartbeats(client, ks, group).catch(() => []);
      const first = await waitFor("two instances sharing the 4 partitions", heartbeats, covered, 120_000);
      expect(new Set(first.map((b) => b.address)).size).toBe(2);

      const web = cassandraClient(config);
      await web.connect();
      try {
        const fleet = new ProcessorFleet({
          registry: new WebStore(web, ks),
          group,
          statusAt: (address) => new HttpProcessorStatus(`http://${address}/status`),
        });
        const found = await fleet.instances();
        expect(found.map((i) => i.instance).sort()).toEqual(first.map((b) => b.instance).sort());
        expect(found.every((i) => i.status !== null && i.status.group === group)).toBe(true);

        const victim = running(first)[0]!;
        process.kill(victim.pid, "SIGKILL");
        const after = await waitFor(
          "the killed instance gone and a restarted one holding its partitions",
          heartbeats,
          (beats) =>
            beats.some((b) => b.instance === victim.instance && liveness(b, Date.now()) === "gone") &&
            covered(beats),
          120_000,
        );
        expect(running(after).some((b) => b.instance === victim.instance)).toBe(false);
        const seen = await fleet.instances();
        expect(seen.find((i) => i.instance === victim.instance)?.liveness).toBe("gone");
      } finally {
        await web.shutdown();
      }

      parent.kill("SIGTERM");
      expect(await exited).toBe(0);
      const last = await heartbeats();
      const live = last.filter((b) => liveness(b, Date.now()) !== "gone");
      expect(live.length).toBe(2);
      expect(live.every((b) => b.status === "stopped")).toBe(true);
    } finally {
      if (parent.exitCode === null) parent.kill("SIGKILL");
    }
  });
});
