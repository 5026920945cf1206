import { describe, expect, it } from "vitest";
import { loadConfig } from "../common/src/config.ts";
import { cassandraYaml } from "./cassandra.ts";
import { serverProperties } from "./kafka.ts";
import { evenTokens, topology } from "./topology.ts";

const cluster = {
  STACK_NODES: "3",
  KAFKA_BOOTSTRAP: "127.0.0.2:9092,127.0.0.3:9092,127.0.0.4:9092",
  CASSANDRA_CONTACT_POINT: "127.0.0.2:9042,127.0.0.3:9042,127.0.0.4:9042",
  SCHEMA_REGISTRY_URL: "http://127.0.0.2:8081/apis/ccompat/v7",
  STACK_CASSANDRA_JMX_PORT: "7299",
};

describe("stack topology", () => {
  it("is the single-node stack of before on 127.0.0.1 by default", () => {
    const t = topology(loadConfig({}));
    expect(t.kafka).toEqual([{ name: "kafka", id: 1, host: "127.0.0.1", port: 9092, controllerPort: 9093 }]);
    expect(t.voters).toBe("1@127.0.0.1:9093");
    expect(t.cassandra.map((c) => [c.name, c.host, c.nativePort, c.storagePort, c.jmxPort])).toEqual([
      ["cassandra", "127.0.0.1", 9042, 7000, 7199],
    ]);
    expect(t.cassandra[0]?.initialToken).toBeUndefined();
    expect(t.registry).toEqual({ host: "127.0.0.1", port: 8081 });
  });

  it("puts a cluster's nodes on the listed loopback addresses, one KRaft quorum, distinct JMX ports", () => {
    const t = topology(loadConfig(cluster));
    expect(t.kafka.map((k) => `${k.name}@${k.host}:${k.port}`)).toEqual([
      "kafka-1@127.0.0.2:9092",
      "kafka-2@127.0.0.3:9092",
      "kafka-3@127.0.0.4:9092",
    ]);
    expect(t.voters).toBe("1@127.0.0.2:9093,2@127.0.0.3:9093,3@127.0.0.4:9093");
    expect(t.cassandra.map((c) => [c.name, c.host, c.jmxPort, c.seed])).toEqual([
      ["cassandra-1", "127.0.0.2", 7299, "127.0.0.2:7000"],
      ["cassandra-2", "127.0.0.3", 7399, "127.0.0.2:7000"],
      ["cassandra-3", "127.0.0.4", 7499, "127.0.0.2:7000"],
    ]);
    expect(t.registry).toEqual({ host: "127.0.0.2", port: 8081 });
  });

  it("refuses addresses that do not fit the node count, are not loopback or share a host", () => {
    expect(() => topology(loadConfig({ ...cluster, STACK_NODES: "2" }))).toThrow(/names 3 address/);
    expect(() =>
      topology(loadConfig({ ...cluster, KAFKA_BOOTSTRAP: "10.0.0.1:9092,127.0.0.3:9092,127.0.0.4:9092" })),
    ).toThrow(/loopback/);
    expect(() =>
      topology(loadConfig({ ...cluster, KAFKA_BOOTSTRAP: "127.0.0.2:9092,127.0.0.2:9093,127.0.0.4:9092" })),
    ).toThrow(/address of its own/);
    expect(() =>
      topology(
        loadConfig({ ...cluster, CASSANDRA_CONTACT_POINT: "127.0.0.2:9042,127.0.0.3:9043,127.0.0.4:9042" }),
      ),
    ).toThrow(/same port/);
  });

  it("spreads the tokens evenly over Murmur3's range", () => {
    expect(evenTokens(3)).toEqual(["-9223372036854775808", "-3074457345618258603", "3074457345618258602"]);
  });

  it("writes each node's own listeners and the cluster's replication of internal topics", () => {
    const t = topology(loadConfig(cluster));
    const props = serverProperties(t.kafka[1]!, t, "/x");
    expect(props).toContain("node.id=2\n");
    expect(props).toContain("listeners=PLAINTEXT://127.0.0.3:9092,CONTROLLER://127.0.0.3:9093\n");
    expect(props).toContain("controller.quorum.voters=1@127.0.0.2:9093,2@127.0.0.3:9093,3@127.0.0.4:9093\n");
    expect(props).toContain("offsets.topic.replication.factor=3\n");
    expect(props).toContain("transaction.state.log.min.isr=2\n");
    const yaml = cassandraYaml(t.cassandra[2]!, "/h", "c", true);
    expect(yaml).toContain("listen_address: 127.0.0.4\n");
    expect(yaml).toContain("initial_token: 3074457345618258602\nauto_bootstrap: false\n");
    expect(yaml).toContain('seeds: "127.0.0.2:7000"');
    const single = topology(loadConfig({}));
    expect(serverProperties(single.kafka[0]!, single, "/x")).toContain(
      "offsets.topic.replication.factor=1\n",
    );
    expect(cassandraYaml(single.cassandra[0]!, "/h", "c", false)).not.toContain("initial_token");
  });
});
