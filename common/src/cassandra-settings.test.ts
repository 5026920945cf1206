import { types } from "cassandra-driver";
import { describe, expect, it } from "vitest";
import { consistencyCode, contactPoints, keyspaceReplication } from "./cassandra-settings.ts";
import { loadConfig } from "./config.ts";

describe("Cassandra settings", () => {
  it("keeps the single-node keyspace of before when no replication is configured", () => {
    expect(keyspaceReplication(loadConfig({}))).toBe("{'class': 'SimpleStrategy', 'replication_factor': 1}");
  });

  it("replicates per data centre with NetworkTopologyStrategy", () => {
    const config = loadConfig({ CASSANDRA_REPLICATION: "dc1:3, dc2:2" });
    expect(keyspaceReplication(config)).toBe("{'class': 'NetworkTopologyStrategy', 'dc1': 3, 'dc2': 2}");
  });

  it("refuses a replication setting that is not dc:factor", () => {
    expect(() => loadConfig({ CASSANDRA_REPLICATION: "dc1=3" })).toThrow(/CASSANDRA_REPLICATION/);
    expect(() => loadConfig({ CASSANDRA_REPLICATION: "dc1:0" })).toThrow(/CASSANDRA_REPLICATION/);
    expect(() => loadConfig({ CASSANDRA_REPLICATION: "x'y:3" })).toThrow(/CASSANDRA_REPLICATION/);
  });

  it("maps each consistency level to the driver's code, LOCAL_ONE by default", () => {
    const config = loadConfig({ CASSANDRA_CONSISTENCY_CHECKPOINTS: "LOCAL_QUORUM" });
    expect(consistencyCode(config.CASSANDRA_CONSISTENCY_USERS)).toBe(types.consistencies.localOne);
    expect(consistencyCode(config.CASSANDRA_CONSISTENCY_CHECKPOINTS)).toBe(types.consistencies.localQuorum);
    expect(() => loadConfig({ CASSANDRA_CONSISTENCY_WINDOWS: "MOSTLY" })).toThrow();
  });

  it("reads a list of contact points", () => {
    expect(contactPoints({ CASSANDRA_CONTACT_POINT: "127.0.0.2:9042,127.0.0.3:9042" })).toEqual([
      "127.0.0.2:9042",
      "127.0.0.3:9042",
    ]);
  });
});
