import { describe, expect, it } from "vitest";
import { type PlannedService, planUp, servesLocally } from "./up-plan.ts";

const registry = (endpoint: string): PlannedService => ({
  kind: "registry",
  name: "registry",
  setting: "SCHEMA_REGISTRY_URL",
  endpoint,
  localEndpoint: "http://127.0.0.1:8081/apis/ccompat/v7",
  ports: [8081],
});
const kafka = (endpoint: string): PlannedService => ({
  kind: "kafka",
  name: "kafka",
  setting: "KAFKA_BOOTSTRAP",
  endpoint,
  localEndpoint: "127.0.0.1:9092",
  ports: [9092, 9093],
});
const cassandra = (endpoint: string): PlannedService => ({
  kind: "cassandra",
  name: "cassandra",
  setting: "CASSANDRA_CONTACT_POINT",
  endpoint,
  localEndpoint: "127.0.0.1:9042",
  ports: [9042, 7000, 7199],
});
const free = { ready: false, ours: false, heldPorts: [] };

describe("planUp", () => {
  it("leaves a service that answers at its configured address alone, ours or not", () => {
    expect(planUp(registry("http://127.0.0.1:8081"), { ...free, ready: true })).toEqual({
      action: "already-up",
      ours: false,
    });
    expect(planUp(kafka("127.0.0.1:9092"), { ready: true, ours: true, heldPorts: [] })).toEqual({
      action: "already-up",
      ours: true,
    });
  });

  it("starts a service whose ports are free, and waits for one of ours that is still starting", () => {
    expect(planUp(kafka("127.0.0.1:9092"), free)).toEqual({ action: "start" });
    expect(planUp(cassandra("127.0.0.1:9042"), { ...free, ours: true, heldPorts: [9042] })).toEqual({
      action: "wait",
    });
  });

  it("refuses to start over a port another process holds, naming the service, the address and the setting", () => {
    // Docker's Confluent registry on 8081 while the app still points at Apicurio's prefix.
    const step = planUp(registry("http://127.0.0.1:8081/apis/ccompat/v7"), { ...free, heldPorts: [8081] });
    expect(step.action).toBe("refuse");
    const reason = step.action === "refuse" ? step.reason : "";
    expect(reason).toMatch(/^registry: 127\.0\.0\.1:8081 is held by a process this repo did not start/);
    expect(reason).toContain("http://127.0.0.1:8081/apis/ccompat/v7 (SCHEMA_REGISTRY_URL)");
    expect(reason).toContain("answers at http://127.0.0.1:8081");

    const k = planUp(kafka("127.0.0.1:9092"), { ...free, heldPorts: [9093] });
    expect(k).toEqual({
      action: "refuse",
      reason: expect.stringMatching(/^kafka: 127\.0\.0\.1:9093 is held/),
    });
  });

  it("refuses when the configured address is not the one it would start", () => {
    const step = planUp(registry("http://127.0.0.1:8081"), free);
    expect(step).toEqual({
      action: "refuse",
      reason: expect.stringMatching(
        /^registry: nothing answers at http:\/\/127\.0\.0\.1:8081 \(SCHEMA_REGISTRY_URL\), and `stack up` only starts a schema registry at http:\/\/127\.0\.0\.1:8081\/apis\/ccompat\/v7/,
      ),
    });
    expect(planUp(kafka("broker.example:9092"), { ...free, ours: true }).action).toBe("refuse");
  });
});

describe("servesLocally", () => {
  it.each([
    [kafka("127.0.0.1:9092"), true],
    [kafka("localhost:9092"), true],
    [kafka("localhost"), true],
    [kafka("other:9092,127.0.0.1:9092"), true],
    [kafka("127.0.0.1:19092"), false],
    [kafka("kafka:19092"), false],
    [registry("http://127.0.0.1:8081/apis/ccompat/v7/"), true],
    [registry("http://localhost:8081/apis/ccompat/v7"), true],
    [registry("http://127.0.0.1:8081"), false],
    [registry("https://127.0.0.1:8081/apis/ccompat/v7"), false],
    [registry("http://schema-registry:8081/apis/ccompat/v7"), false],
    [cassandra("127.0.0.1"), true],
    [cassandra("127.0.0.1:9042"), true],
    [cassandra("127.0.0.1:9043"), false],
  ])("%o → %s", (s, expected) => {
    expect(servesLocally(s)).toBe(expected);
  });
});
