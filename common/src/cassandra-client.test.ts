import { type ClientOptions, policies } from "cassandra-driver";
import { describe, expect, it } from "vitest";
import { createCassandraClient } from "./cassandra-client.ts";
import { loadConfig } from "./config.ts";

describe("createCassandraClient", () => {
  it("gives every tier the same contact points and the fast reconnection policy", () => {
    const config = loadConfig({ CASSANDRA_CONTACT_POINT: "127.0.0.1:9042, 127.0.0.2:9042" });
    const client = createCassandraClient(config, { consistency: 6, readTimeoutMs: 2_000 });
    // The options the client was built with (untyped in the driver's declarations).
    const { options } = client as unknown as { options: ClientOptions };
    const reconnection = options.policies?.reconnection;
    expect(reconnection).toBeInstanceOf(policies.reconnection.ExponentialReconnectionPolicy);
    expect(reconnection?.getOptions().get("maxDelay")).toBe(5_000);
    expect(options.contactPoints).toEqual(["127.0.0.1:9042", "127.0.0.2:9042"]);
    expect(options.queryOptions?.consistency).toBe(6);
    expect(options.socketOptions?.readTimeout).toBe(2_000);
  });
});
