import { describe, expect, it } from "vitest";
import { Liveness } from "./liveness.ts";

function at() {
  let t = 1_000_000;
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

describe("Liveness", () => {
  it("is healthy while the loop turns, unhealthy once it has not turned for the bound", () => {
    const c = at();
    const l = new Liveness({ unhealthyAfterMs: 30_000, now: c.now });
    c.advance(29_999);
    expect(l.unhealthy()).toBeNull();
    l.turned();
    c.advance(29_999);
    expect(l.unhealthy()).toBeNull();
    c.advance(1);
    expect(l.unhealthy()).toBe("processing loop stalled: no turn for 30 s");
    l.turned();
    expect(l.unhealthy()).toBeNull();
  });

  it("turns unhealthy once every attempt to reach a dependency failed for the bound, with the last error", () => {
    const c = at();
    const l = new Liveness({ unhealthyAfterMs: 10_000, now: c.now });
    l.missed("schema registry", new Error("timeout of 5000ms exceeded"));
    c.advance(9_000);
    l.turned();
    l.missed("schema registry", new Error("connect ECONNREFUSED 127.0.0.1:8081"));
    expect(l.unhealthy()).toBeNull();
    c.advance(1_000);
    l.turned();
    expect(l.unhealthy()).toBe("schema registry unreachable for 10 s: connect ECONNREFUSED 127.0.0.1:8081");
    l.reached("schema registry");
    expect(l.unhealthy()).toBeNull();
  });

  it("starts an outage anew after an answer: failures apart do not add up", () => {
    const c = at();
    const l = new Liveness({ unhealthyAfterMs: 10_000, now: c.now });
    l.missed("Cassandra", new Error("OperationTimedOut"));
    c.advance(8_000);
    l.reached("Cassandra");
    l.missed("Cassandra", new Error("OperationTimedOut"));
    c.advance(8_000);
    l.turned();
    expect(l.unhealthy()).toBeNull();
    c.advance(2_000);
    l.turned();
    expect(l.unhealthy()).toBe("Cassandra unreachable for 10 s: OperationTimedOut");
  });
});
