import { describe, expect, it } from "vitest";
import { describeReset, resetAll } from "./reset.ts";

describe("resetAll", () => {
  it("attempts every service after a failure and reports each outcome", async () => {
    const calls: string[] = [];
    const outcomes = await resetAll([
      {
        name: "kafka",
        endpoint: "127.0.0.1:9092",
        reset: async () => {
          calls.push("kafka");
          throw new Error("kafka connect: no answer within 10000 ms");
        },
      },
      {
        name: "registry",
        endpoint: "http://127.0.0.1:8081",
        reset: async () => {
          calls.push("registry");
          return ["subject users_created-value"];
        },
      },
      {
        name: "cassandra",
        endpoint: "127.0.0.1:9042",
        reset: async () => {
          calls.push("cassandra");
          return [];
        },
      },
    ]);
    expect(calls).toEqual(["kafka", "registry", "cassandra"]);
    expect(outcomes.map(describeReset)).toEqual([
      "kafka: reset FAILED at 127.0.0.1:9092: kafka connect: no answer within 10000 ms",
      "registry: removed subject users_created-value",
      "cassandra: nothing to remove",
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([false, true, true]);
  });
});
