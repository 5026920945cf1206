import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../../common/src/config.ts";
import { type SilentPeer, startSilentPeer } from "../../../common/src/testing/silent-peer.ts";
import { registrySource } from "./schema-registry.ts";

describe("registrySource", () => {
  let peer: SilentPeer | null = null;
  afterEach(async () => {
    await peer?.close();
    peer = null;
  });

  it("fails one fetch from a registry that never answers after SCHEMA_REGISTRY_TIMEOUT_MS, naming it", async () => {
    peer = await startSilentPeer();
    const config = loadConfig({ SCHEMA_REGISTRY_URL: peer.url, SCHEMA_REGISTRY_TIMEOUT_MS: "300" });
    const started = performance.now();
    await expect(registrySource(config).fetch(5)).rejects.toThrow(
      `schema registry ${peer.url}: schema id 5: timeout of 300ms exceeded`,
    );
    expect(performance.now() - started).toBeLessThan(5_000);
    // The processor retries with its own backoff (and judges its health by each attempt): one attempt here.
    expect(peer.connections()).toBe(1);
  });
});
