import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../common/src/config.ts";
import { registryCallBoundMs } from "../../common/src/schema-registry-client.ts";
import { type SilentPeer, startSilentPeer } from "../../common/src/testing/silent-peer.ts";
import { registerUserSchema } from "./schema-registry.ts";

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
