import { z } from "zod";
import { ConfigSchema } from "../../common/src/config.ts";
import { parseSettings } from "../../common/src/env-settings.ts";

const int = (def: number) => z.coerce.number().int().nonnegative().default(def);
// Where 0 would not switch a feature off but break it: no live windows kept, every client dropped on
// its first update, every history request refused.
const positive = (def: number) =>
  z.coerce.number().int().positive("must be a positive integer (0 is not a valid size)").default(def);

/** The shared settings plus the web tier's own, validated once at start. */
const WebConfigSchema = ConfigSchema.extend({
  WEB_LIVE_LOOKBACK_MS: positive(600_000),
  WEB_LIVE_RING: positive(2_000),
  WEB_LIVE_CLIENT_QUEUE: positive(256),
  WEB_MAX_ROWS: positive(200_000),
  // A processor that lags more than this behind could still add rows to an hour the cache holds.
  // 0 caches an hour as soon as it ended with only final windows.
  WEB_HISTORY_SETTLE_MS: int(900_000),
  // 0 turns the history cache off.
  WEB_HISTORY_CACHE_WINDOWS: int(500_000),
  // How long the web tier waits at start for Cassandra and Kafka to accept connections; 0: not at all.
  WEB_START_TIMEOUT_MS: int(60_000),
  // Host names the server answers for (request-guard.ts); empty: localhost, 127.0.0.1, [::1] and WEB_HOST.
  WEB_ALLOWED_HOSTS: z.string().default(""),
  // Origins besides the server's own whose pages may open the live streams (SSE and WebSocket).
  WEB_ALLOWED_ORIGINS: z.string().default(""),
  // Live clients (SSE and WebSocket together) served at once; one more gets 503 + Retry-After.
  WEB_LIVE_MAX_CLIENTS: positive(500),
  // History queries (/api/aggregates) running at once, waiting at most, and the longest wait for a turn.
  WEB_QUERY_CONCURRENCY: positive(4),
  WEB_QUERY_QUEUE: int(16),
  WEB_QUERY_MAX_WAIT_MS: positive(10_000),
});

export type WebConfig = z.infer<typeof WebConfigSchema>;

export function loadWebConfig(env: Record<string, string | undefined> = process.env): WebConfig {
  return parseSettings(WebConfigSchema, env, "configuration");
}
