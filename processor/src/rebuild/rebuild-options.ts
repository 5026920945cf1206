import { z } from "zod";
import { parseSettings } from "../../../common/src/env-settings.ts";

const int = (def: number, min = 0) => z.coerce.number().int().min(min).default(def);

/** `bun run rebuild` tuning, from REBUILD_* environment variables (.env.example; docs/rebuild.md). */
export const RebuildOptionsSchema = z.object({
  /** Records per read from Kafka. */
  REBUILD_BATCH_SIZE: int(500, 1),
  /**
   * How often a partition's progress (offset and the core's snapshot, once its rows so far are durable) is
   * stored: a rebuild killed resumes from there, so at most this much reading is done again.
   */
  REBUILD_PROGRESS_INTERVAL_MS: int(5_000, 10),
  /** Rows waiting for Cassandra above which reading waits for them. */
  REBUILD_MAX_PENDING_WRITES: int(5_000, 1),
});

export type RebuildOptions = z.infer<typeof RebuildOptionsSchema>;

export function loadRebuildOptions(
  env: Record<string, string | undefined> = process.env,
  overrides: Partial<RebuildOptions> = {},
): RebuildOptions {
  return { ...parseSettings(RebuildOptionsSchema, env, "rebuild options"), ...overrides };
}
