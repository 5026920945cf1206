import { describe, expect, it } from "vitest";
import { loadConfig } from "../../common/src/config.ts";
import { WindowEngine } from "./core/index.ts";
import { coreConfig } from "./engine-config.ts";

describe("coreConfig", () => {
  it("configures the core from the pipeline's settings", () => {
    const config = loadConfig({
      WINDOW_SIZE_MS: "30000",
      WINDOW_SLIDE_MS: "10000",
      ALLOWED_LATENESS_MS: "5000",
      IDLE_TIMEOUT_MS: "2000",
      GROUP_BY: "country,nat",
      AGGREGATE_FIELDS: "age,registeredYears",
    });
    expect(coreConfig(config, 500)).toEqual({
      windowSizeMs: 30_000,
      windowSlideMs: 10_000,
      allowedLatenessMs: 5_000,
      idleTimeoutMs: 2_000,
      groupBy: ["country", "nat"],
      extraFields: ["registeredYears"],
      maxKeys: 500,
    });
  });

  it("is a configuration the core accepts with the defaults", () => {
    const engine = new WindowEngine(coreConfig(loadConfig({}), 10_000));
    expect(engine.config.groupBy).toEqual(["nat", "gender"]);
  });
});
