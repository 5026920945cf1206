import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import type { Config } from "../../common/src/config.ts";
import { partitionOf } from "../../common/src/partitioner.ts";
import { userSchema } from "../../common/src/user-schema.ts";
import {
  batchReference,
  type RefConfig,
  type RefOp,
  type RefRow,
  streamingReference,
  sumPartitions,
} from "../../processor/src/core/reference.ts";
import { parseFixtureLine } from "../../producer/src/fixture-format.ts";
import { mapUser } from "../../producer/src/user-mapping.ts";
import { repoRoot } from "../../stack/paths.ts";
import type { Window } from "../../web/src/window-types.ts";

// Golden aggregates of the committed fixtures, computed only by the core's deliberately simple
// reference: the producer decides which lines are sent (that is its contract, tested on its own);
// the values aggregated are read straight from the raw JSON.
const fixturesDir = join(repoRoot, "fixtures");

/** A window as the API serves it (contract §6), without its `final` flag. */
export type GoldenWindow = Omit<Window, "final">;

export interface Golden {
  fixture: string;
  /** Events sent to Kafka (lines the producer accepts). */
  events: number;
  /** Largest event-time step backwards in file order, ms. */
  maxDisorderMs: number;
  /**
   * Partitions of the users topic the fixture is replayed into. Each event goes to the partition
   * its key picks (common/src/partitioner.ts) and lateness is decided per partition, by its records
   * in file order (contract §4): so the late events, and the windows, are the same on every replay.
   */
  partitions: number;
  lateEvents: number;
  window: { sizeMs: number; slideMs: number; allowedLatenessMs: number; groups: string[] };
  windows: GoldenWindow[];
}

export const goldenPath = (fixture: string) => fixture.replace(/\.ndjson$/, ".golden.json");

export function fixtureFiles(): string[] {
  return readdirSync(fixturesDir)
    .filter((f) => f.endsWith(".ndjson"))
    .sort()
    .map((f) => join(fixturesDir, f));
}

interface RawUser {
  dob?: { age?: unknown };
  nat?: unknown;
  gender?: unknown;
}

function refConfig(config: Config): RefConfig {
  return {
    windowSizeMs: config.WINDOW_SIZE_MS,
    windowSlideMs: config.WINDOW_SLIDE_MS || config.WINDOW_SIZE_MS,
    allowedLatenessMs: config.ALLOWED_LATENESS_MS,
    idleTimeoutMs: config.IDLE_TIMEOUT_MS,
    groupBy: config.GROUP_BY.split(",")
      .map((g) => g.trim())
      .filter(Boolean),
  };
}

/** A reference row as the API serves it (without `final`). */
export const toGolden = (r: RefRow): GoldenWindow => ({
  windowStart: r.windowStart,
  windowEnd: r.windowEnd,
  group: r.group,
  key: r.key,
  count: r.count,
  sumAge: r.sum,
  minAge: r.min,
  maxAge: r.max,
  avgAge: r.sum / r.count,
});

export function computeGolden(fixture: string, config: Config): Golden {
  const type = userSchema(1).type;
  const ops: RefOp[] = [];
  let maxSeen = Number.NEGATIVE_INFINITY;
  let maxDisorderMs = 0;
  const lines = readFileSync(fixture, "utf8").split("\n");
  lines.forEach((text, i) => {
    if (text.trim() === "") return;
    const parsed = parseFixtureLine(text, i + 1);
    if (!parsed.ok) return;
    const mapped = mapUser(parsed.user, parsed.eventTime, type);
    if (!mapped.ok) return;
    const u = parsed.user as RawUser;
    maxDisorderMs = Math.max(maxDisorderMs, maxSeen - parsed.eventTime);
    maxSeen = Math.max(maxSeen, parsed.eventTime);
    ops.push({
      kind: "event",
      partition: partitionOf(mapped.record.event_id, config.TOPIC_PARTITIONS),
      eventTime: parsed.eventTime,
      fields: { age: u.dob?.age, nat: u.nat, gender: u.gender },
    });
  });
  const rc = refConfig(config);
  const partitions = Array.from({ length: config.TOPIC_PARTITIONS }, (_, p) => p);
  const streaming = streamingReference(ops, rc, partitions, 0);
  const rows = sumPartitions([...streaming.finals, ...streaming.open]);
  const withinLateness = maxDisorderMs <= config.ALLOWED_LATENESS_MS;
  if (withinLateness) {
    const batch = batchReference(
      ops.flatMap((o) => (o.kind === "event" ? [o] : [])),
      rc,
    );
    if (JSON.stringify(batch) !== JSON.stringify(rows)) {
      throw new Error(`${basename(fixture)}: the streaming and batch references disagree`);
    }
  }
  return {
    fixture: basename(fixture),
    events: ops.length,
    maxDisorderMs,
    partitions: config.TOPIC_PARTITIONS,
    lateEvents: streaming.late.length,
    window: {
      sizeMs: rc.windowSizeMs,
      slideMs: rc.windowSlideMs ?? rc.windowSizeMs,
      allowedLatenessMs: rc.allowedLatenessMs,
      groups: ["all", ...rc.groupBy],
    },
    windows: rows.map(toGolden),
  };
}

/** Differences between expected and actual windows, as readable lines (empty when equal). */
export function diffWindows(expected: GoldenWindow[], actual: GoldenWindow[]): string[] {
  const id = (w: GoldenWindow) => `${w.group}/${w.key}@${w.windowStart}`;
  const show = (w: GoldenWindow) => `count ${w.count} sum ${w.sumAge} min ${w.minAge} max ${w.maxAge}`;
  const byId = new Map(actual.map((w) => [id(w), w]));
  const out: string[] = [];
  for (const e of expected) {
    const a = byId.get(id(e));
    byId.delete(id(e));
    if (!a) out.push(`missing ${id(e)}: expected ${show(e)}`);
    else if (show(a) !== show(e) || Math.abs(a.avgAge - e.avgAge) > 1e-9) {
      out.push(`differs ${id(e)}: expected ${show(e)}, got ${show(a)}`);
    }
  }
  for (const [k, a] of byId) out.push(`unexpected ${k}: ${show(a)}`);
  return out;
}
