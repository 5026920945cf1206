import { describe, expect, it } from "vitest";
import { loadWebConfig } from "./web-config.ts";

describe("web configuration", () => {
  it("has the documented defaults", () => {
    expect(loadWebConfig({})).toMatchObject({
      WEB_LIVE_LOOKBACK_MS: 600_000,
      WEB_LIVE_RING: 2_000,
      WEB_LIVE_CLIENT_QUEUE: 256,
      WEB_MAX_ROWS: 200_000,
      WEB_HISTORY_SETTLE_MS: 900_000,
      WEB_HISTORY_CACHE_WINDOWS: 500_000,
      WEB_ALLOWED_HOSTS: "",
      WEB_ALLOWED_ORIGINS: "",
      WEB_LIVE_MAX_CLIENTS: 500,
      WEB_QUERY_CONCURRENCY: 4,
      WEB_QUERY_QUEUE: 16,
      WEB_QUERY_MAX_WAIT_MS: 10_000,
    });
  });

  it.each(["WEB_LIVE_LOOKBACK_MS", "WEB_LIVE_RING", "WEB_LIVE_CLIENT_QUEUE", "WEB_MAX_ROWS"])(
    "refuses %s=0 with an error naming it",
    (name) => {
      expect(() => loadWebConfig({ [name]: "0" })).toThrow(new RegExp(`${name}: must be a positive integer`));
    },
  );

  it("accepts 0 where it means off: no settling delay, no history cache", () => {
    expect(loadWebConfig({ WEB_HISTORY_SETTLE_MS: "0", WEB_HISTORY_CACHE_WINDOWS: "0" })).toMatchObject({
      WEB_HISTORY_SETTLE_MS: 0,
      WEB_HISTORY_CACHE_WINDOWS: 0,
    });
  });

  it("refuses negative and fractional values", () => {
    expect(() => loadWebConfig({ WEB_LIVE_RING: "-1" })).toThrow(/WEB_LIVE_RING/);
    expect(() => loadWebConfig({ WEB_MAX_ROWS: "1.5" })).toThrow(/WEB_MAX_ROWS/);
  });
});
