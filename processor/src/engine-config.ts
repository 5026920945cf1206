import { extraAggregateFields } from "../../common/src/aggregate-fields.ts";
import { type Config, groupByFields } from "../../common/src/config.ts";
import type { CoreConfig } from "./core/index.ts";

/**
 * The windowing core as the pipeline's settings configure it. The live processor and the rebuild both
 * take it from here, so a rebuilt range is computed by the same windows, lateness, groups and fields.
 */
export function coreConfig(config: Config, maxKeysPerPartition: number): CoreConfig {
  return {
    windowSizeMs: config.WINDOW_SIZE_MS,
    windowSlideMs: config.WINDOW_SLIDE_MS,
    allowedLatenessMs: config.ALLOWED_LATENESS_MS,
    idleTimeoutMs: config.IDLE_TIMEOUT_MS,
    groupBy: groupByFields(config),
    extraFields: extraAggregateFields(config),
    maxKeys: maxKeysPerPartition,
  };
}
