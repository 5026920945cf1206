// The package index also loads every KMS/encryption rule executor (AWS, Azure, GCP SDKs: over a second of
// start-up); the client module alone is all the pipeline needs.

import { SchemaRegistryClient } from "@confluentinc/schemaregistry/dist/schemaregistry-client";
import { type Backoff, totalBackoff } from "./backoff.ts";
import type { Config } from "./config.ts";
import { answerWithin } from "./timeouts.ts";

export interface RegistryClientOptions {
  /**
   * Attempts after the first one the client makes itself: refused or reset connections, 429 and 5xx
   * answers (axios-retry does not repeat an attempt that used up its timeout).
   */
  retries: number;
}

/** The client's own waits between its attempts (retriesWaitMs, retriesMaxWaitMs), doubling. */
const REGISTRY_BACKOFF: Backoff = { baseMs: 500, maxMs: 2_000 };
/** So that an attempt's own timeout, which says more, is what a plainly hung registry fails with. */
const MARGIN_MS = 250;

/** The longest one call of a client from createRegistryClient() may take before it fails. */
export function registryCallBoundMs(config: Config, { retries }: RegistryClientOptions): number {
  const waits = totalBackoff(REGISTRY_BACKOFF, retries);
  return (retries + 1) * config.SCHEMA_REGISTRY_TIMEOUT_MS + waits + MARGIN_MS;
}

/**
 * A Schema Registry client of which no call can hang: each HTTP attempt is abandoned after
 * SCHEMA_REGISTRY_TIMEOUT_MS without an answer (connect or response), the client retries at most
 * `retries` times, and every call, whatever it does inside (a lock held by a hung call, say), fails after
 * registryCallBoundMs(). Calls the client's methods make among themselves are not bounded twice.
 */
export function createRegistryClient(
  config: Config,
  opts: RegistryClientOptions = { retries: 2 },
): SchemaRegistryClient {
  const client = new SchemaRegistryClient({
    baseURLs: [config.SCHEMA_REGISTRY_URL],
    createAxiosDefaults: { timeout: config.SCHEMA_REGISTRY_TIMEOUT_MS },
    maxRetries: opts.retries,
    retriesWaitMs: REGISTRY_BACKOFF.baseMs,
    retriesMaxWaitMs: REGISTRY_BACKOFF.maxMs,
  });
  const bound = registryCallBoundMs(config, opts);
  return new Proxy(client, {
    get(target, prop, receiver) {
      const member: unknown = Reflect.get(target, prop, receiver);
      if (typeof member !== "function") return member;
      return (...args: unknown[]) => {
        const out: unknown = member.apply(target, args);
        return out instanceof Promise
          ? answerWithin(out, bound, `schema registry ${config.SCHEMA_REGISTRY_URL}: ${String(prop)}`)
          : out;
      };
    },
  });
}
