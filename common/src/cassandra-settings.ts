import { types } from "cassandra-driver";
import type { Config, ConsistencyLevel } from "./config.ts";

// How every process reaches and replicates Cassandra, from the config: one node by default, a cluster
// with the profile of stack/cluster.env (or a production deployment's own settings).

/** CASSANDRA_CONTACT_POINT as a list: a cluster names several, so a start never depends on one node. */
export function contactPoints(config: Pick<Config, "CASSANDRA_CONTACT_POINT">): string[] {
  return config.CASSANDRA_CONTACT_POINT.split(",")
    .map((c) => c.trim())
    .filter((c) => c !== "");
}

/** The replication map of CREATE KEYSPACE (CQL), from CASSANDRA_REPLICATION. */
export function keyspaceReplication(config: Pick<Config, "CASSANDRA_REPLICATION">): string {
  const dcs = config.CASSANDRA_REPLICATION.split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "")
    .map((part) => {
      const [dc, factor] = part.split(":").map((x) => x.trim());
      return { dc: dc!, factor: Number(factor) };
    });
  if (dcs.length === 0) return "{'class': 'SimpleStrategy', 'replication_factor': 1}";
  const entries = dcs.map((d) => `'${d.dc}': ${d.factor}`).join(", ");
  return `{'class': 'NetworkTopologyStrategy', ${entries}}`;
}

const CODES: Record<ConsistencyLevel, number> = {
  ANY: types.consistencies.any,
  ONE: types.consistencies.one,
  TWO: types.consistencies.two,
  THREE: types.consistencies.three,
  QUORUM: types.consistencies.quorum,
  ALL: types.consistencies.all,
  LOCAL_QUORUM: types.consistencies.localQuorum,
  EACH_QUORUM: types.consistencies.eachQuorum,
  LOCAL_ONE: types.consistencies.localOne,
};

/** The driver's code of a configured consistency level. */
export function consistencyCode(level: ConsistencyLevel): number {
  return CODES[level];
}
