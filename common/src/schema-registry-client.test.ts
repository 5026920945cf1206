import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "./config.ts";
import { createRegistryClient, registryCallBoundMs } from "./schema-registry-client.ts";
import { type SilentPeer, startSilentPeer } from "./testing/silent-peer.ts";

let peer: SilentPeer | null = null;
afterEach(async () => {
  await peer?.close();
  peer = null;
});

const configFor = (url: string, timeoutMs: number) =>
  loadConfig({ SCHEMA_REGISTRY_URL: url, SCHEMA_REGISTRY_TIMEOUT_MS: String(timeoutMs) });

async function elapsed(p: Promise<unknown>): Promise<{ ms: number; err: Error }> {
  const started = performance.now();
  const err = await p.then(
    () => new Error("resolved"),
    (e: Error) => e,
  );
  return { ms: performance.now() - started, err };
}

describe("createRegistryClient", () => {
  it("defaults to a 5 s timeout per request and refuses 0 (no timeout at all)", () => {
    expect(loadConfig({}).SCHEMA_REGISTRY_TIMEOUT_MS).toBe(5_000);
    expect(() => loadConfig({ SCHEMA_REGISTRY_TIMEOUT_MS: "0" })).toThrow(/SCHEMA_REGISTRY_TIMEOUT_MS/);
  });

  it("bounds a call: attempts times the timeout plus the waits between them, and a margin", () => {
    const config = configFor("http://127.0.0.1:1", 1_000);
    expect(registryCallBoundMs(config, { retries: 0 })).toBe(1_000 + 250);
    expect(registryCallBoundMs(config, { retries: 2 })).toBe(3 * 1_000 + 500 + 1_000 + 250);
  });

  it("abandons a request a registry accepts and never answers after SCHEMA_REGISTRY_TIMEOUT_MS", async () => {
    peer = await startSilentPeer();
    const client = createRegistryClient(configFor(peer.url, 300), { retries: 0 });
    const { ms, err } = await elapsed(client.getBySubjectAndId("", 1));
    expect(err.message).toMatch(/timeout of 300ms exceeded/);
    expect(ms).toBeGreaterThanOrEqual(250);
    expect(ms).toBeLessThan(5_000);
    expect(peer.connections()).toBe(1);
  });

  it("retries a hung registry at most `retries` times, then fails within the bound", async () => {
    peer = await startSilentPeer();
    const config = configFor(peer.url, 200);
    const client = createRegistryClient(config, { retries: 2 });
    const { ms, err } = await elapsed(client.register("s-value", { schemaType: "AVRO", schema: '"int"' }));
    expect(err.message).toMatch(/timeout of 200ms exceeded|no answer within/);
    expect(ms).toBeLessThanOrEqual(registryCallBoundMs(config, { retries: 2 }) + 2_000);
    expect(peer.connections()).toBeGreaterThanOrEqual(1);
    expect(peer.connections()).toBeLessThanOrEqual(3);
  });

  it("ends a call whose answer trickles in forever (no socket is ever idle long) at the bound", async () => {
    peer = await startSilentPeer({ trickle: true });
    const config = configFor(peer.url, 400);
    const client = createRegistryClient(config, { retries: 0 });
    const { ms, err } = await elapsed(client.getLatestSchemaMetadata("s-value"));
    expect(err.message).toBe(`schema registry ${peer.url}: getLatestSchemaMetadata: no answer within 650 ms`);
    expect(ms).toBeLessThan(5_000);
  });
});
