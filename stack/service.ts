/** One process of the local stack, as `stack/cli.ts` drives it. */
export interface Service {
  /** What it is: picks the messages and the reset; several nodes of a cluster share it. */
  kind: "kafka" | "registry" | "cassandra";
  /** Its own name (pid and log files, `up kafka-2`): the kind, or kind-<n> for a cluster's node. */
  name: string;
  /** The configuration variable clients read its address from. */
  setting: "KAFKA_BOOTSTRAP" | "SCHEMA_REGISTRY_URL" | "CASSANDRA_CONTACT_POINT";
  /** The configured address (host:port or URL): what `ready()` checks and `status` reports. */
  endpoint: string;
  /** The address of the process `up` starts, which may differ from a configured outside service. */
  localEndpoint: string;
  /** The loopback host its ports are on. */
  host: string;
  /** The ports that process listens on (JMX's on 127.0.0.1, whatever the host). */
  ports: readonly number[];
  /** Another service that must answer before this one starts (a cluster's seed node). */
  startAfter?: string;
  /** Resolves artifacts, writes config, formats storage: everything before the first start. */
  prepare(): void;
  start(): void;
  /** Resolves true once the service really answers a client request at `endpoint`. */
  ready(): Promise<boolean>;
  /** Removes the project's data from a running service (topics, keyspace, subjects); throws on failure. */
  reset(): Promise<string[]>;
}
