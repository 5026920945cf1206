import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../common/src/config.ts";
import { registryCallBoundMs } from "../../common/src/schema-registry-client.ts";
import { type SilentPeer, startSilentPeer } from "../../common/src/testing/silent-peer.ts";
import { incompatibilities, registerUserSchema } from "./schema-registry.ts";

let peer: SilentPeer | null = null;
afterEach(async () => {
  await peer?.close();
  peer = null;
});

describe("registerUserSchema", () => {
  it("fails within its bound, naming the registry, when the registry accepts and never answers", async () => {
    peer = await startSilentPeer();
    const config = loadConfig({ SCHEMA_REGISTRY_URL: peer.url, SCHEMA_REGISTRY_TIMEOUT_MS: "200" });
    const started = performance.now();
    const err = await registerUserSchema(config, 1).catch((e: Error) => e);
    const ms = performance.now() - started;
    expect((err as Error).message).toMatch(
      new RegExp(`^schema registry ${peer.url}: cannot register user schema v1 under users_created-value: `),
    );
    // axios-retry retries network errors and 5xx, but not an attempt that used up its timeout.
    expect(peer.connections()).toBe(1);
    expect(ms).toBeLessThan(registryCallBoundMs(config, { retries: 2 }) + 2_000);
  });
});

describe("incompatibilities", () => {
  const schema = JSON.stringify({
    type: "record",
    name: "U",
    fields: [
      { name: "age", type: "string" },
      { name: "loyalty_tier", type: "string" },
      { name: "note", type: ["null", "string"], default: null },
    ],
  });
  const apicurio = (causes: string) =>
    `io.apicurio.registry.rules.RuleViolationException: Incompatible artifact: s-value [AVRO], num of incompatible diffs: {2}, list of diff types: [${causes}] Causes: ${causes}; Error code: 409`;

  it("names the field each of Apicurio's causes points at", () => {
    expect(
      incompatibilities(
        apicurio(
          "reader type: STRING not compatible with writer type: INT at /fields/0/type, loyalty_tier at /fields/1",
        ),
        schema,
      ),
    ).toEqual([
      "field age: reader type: STRING not compatible with writer type: INT",
      'field loyalty_tier ("string") is new and has no default, so the records already written have no value for it',
    ]);
  });

  it("keeps a cause it cannot place as the registry said it, and says nothing without causes", () => {
    expect(incompatibilities(apicurio("something else at /fields/9"), schema)).toEqual([
      "something else at /fields/9",
    ]);
    expect(incompatibilities("Schema being registered is incompatible", schema)).toEqual([]);
  });
});
