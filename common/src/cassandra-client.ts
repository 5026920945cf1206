import { Client, policies } from "cassandra-driver";
import { contactPoints } from "./cassandra-settings.ts";
import type { Config } from "./config.ts";

export interface CassandraClientOptions {
  /** Per-request timeout of the driver. */
  readTimeoutMs?: number;
  /** Consistency (driver code) of every statement that does not set its own. */
  consistency?: number;
}

/**
 * The one way every tier talks to Cassandra: the contact points of CASSANDRA_CONTACT_POINT, heartbeats,
 * and a reconnection policy that comes back within seconds of an outage (the driver's default waits up
 * to 10 minutes between attempts).
 */
export function createCassandraClient(
  config: Pick<Config, "CASSANDRA_CONTACT_POINT" | "CASSANDRA_DC">,
  o: CassandraClientOptions = {},
): Client {
  return new Client({
    contactPoints: contactPoints(config),
    localDataCenter: config.CASSANDRA_DC,
    socketOptions: { readTimeout: o.readTimeoutMs ?? 10_000, connectTimeout: 5_000 },
    pooling: { heartBeatInterval: 5_000 },
    policies: { reconnection: new policies.reconnection.ExponentialReconnectionPolicy(500, 5_000, false) },
    ...(o.consistency === undefined ? {} : { queryOptions: { consistency: o.consistency } }),
  });
}
