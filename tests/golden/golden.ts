import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { aggregateFields, extraAggregateFields, numericValue } from "../../common/src/aggregate-fields.ts";
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
export const fixturesDir = join(repoRoot, "fixtures");

/** A window as the API serves it (contract §6), without its `final` flag. */
export type GoldenWindow = Omit<Window, "final">;

export interface Golden {
  fixture: string;
  /** The configuration beside the default it was computed under (GOLDEN_VARIANTS); absent: the default. */
  variant?: string;
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
  /** Hopping only: events aggregated into their open windows, skipping their final ones. */
  partlyLateEvents?: number;
  window: {
    sizeMs: number;
    slideMs: number;
    allowedLatenessMs: number;
    groups: string[];
    /** AGGREGATE_FIELDS, when more than age. */
    fields?: string[];
  };
  windows: GoldenWindow[];
}

/**
 * Configurations other than the default that some fixtures are also held to (issue #16): a group-by
 * other than nat,gender, over hopping windows (slide < size, so every event counts in size/slide
 * windows and a late one can be partly late). Each gives one more golden file per fixture named here,
 * fixtures/<fixture>.<name>.golden.json; `bun run golden check` runs the processor under it.
 */
export const GOLDEN_VARIANTS: readonly {
  name: string;
  fixtures: readonly string[];
  env: Record<string, string>;
}[] = [
  {
    name: "country-city-hopping",
    fixtures: ["happy.ndjson", "late.ndjson"],
    env: {
      GROUP_BY: "country,nat,city",
      WINDOW_SIZE_MS: "30000",
      WINDOW_SLIDE_MS: "10000",
      // And a numeric field beside age: whole years since registration, at each event.
      AGGREGATE_FIELDS: "age,registeredYears",
    },
  },
];

export const goldenPath = (fixture: string, variant?: string) =>
  fixture.replace(/\.ndjson$/, variant ? `.${variant}.golden.json` : ".golden.json");

/** One golden file to hold a fixture to: the default configuration, or a variant's. */
export interface GoldenCase {
  fixture: string;
  variant: string | undefined;
  /** Settings over the base config the golden is computed and checked with. */
  env: Record<string, string>;
  path: string;
}

/** Every golden file of these fixtures (all of fixtures/*.ndjson by default), the default's first. */
export function goldenCases(fixtures: string[] = fixtureFiles()): GoldenCase[] {
  return fixtures.flatMap((fixture) => [
    { fixture, variant: undefined, env: {}, path: goldenPath(fixture) },
    ...GOLDEN_VARIANTS.filter((v) => v.fixtures.includes(basename(fixture))).map((v) => ({
      fixture,
      variant: v.name,
      env: v.env,
      path: goldenPath(fixture, v.name),
    })),
  ]);
}

/**
 * The settings a golden was computed under, for the processor that checks it: window, lateness and
 * group-by come from the golden itself, so a golden file says what it holds the pipeline to.
 */
export function goldenSettings(golden: Golden): Record<string, string> {
  return {
    TOPIC_PARTITIONS: String(golden.partitions),
    WINDOW_SIZE_MS: String(golden.window.sizeMs),
    WINDOW_SLIDE_MS: String(golden.window.slideMs),
    ALLOWED_LATENESS_MS: String(golden.window.allowedLatenessMs),
    GROUP_BY: golden.window.groups.filter((g) => g !== "all").join(","),
    AGGREGATE_FIELDS: (golden.window.fields ?? ["age"]).join(","),
  };
}

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
  location?: { country?: unknown; city?: unknown; state?: unknown };
  registered?: { date?: unknown };
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
    extraFields: extraAggregateFields(config),
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
  ...(r.fields === undefined ? {} : { fields: { ...r.fields } }),
});

export function computeGolden(fixture: string, config: Config, variant?: string): Golden {
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
    const registeredAt = typeof u.registered?.date === "string" ? Date.parse(u.registered.date) : Number.NaN;
    // The derived fields by their definition (aggregate-fields.ts), from the raw values.
    const raw = { event_time: parsed.eventTime, registered_at: registeredAt };
    const extra = Object.fromEntries(extraAggregateFields(config).map((f) => [f, numericValue(raw, f)]));
    ops.push({
      kind: "event",
      partition: partitionOf(mapped.record.event_id, config.TOPIC_PARTITIONS),
      eventTime: parsed.eventTime,
      fields: {
        ...extra,
        age: u.dob?.age,
        nat: u.nat,
        gender: u.gender,
        country: u.location?.country,
        city: u.location?.city,
        state: u.location?.state,
      },
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
    ...(variant ? { variant } : {}),
    events: ops.length,
    maxDisorderMs,
    partitions: config.TOPIC_PARTITIONS,
    lateEvents: streaming.late.length,
    ...(rc.windowSlideMs !== rc.windowSizeMs ? { partlyLateEvents: streaming.partlyLate.length } : {}),
    window: {
      sizeMs: rc.windowSizeMs,
      slideMs: rc.windowSlideMs ?? rc.windowSizeMs,
      allowedLatenessMs: rc.allowedLatenessMs,
      groups: ["all", ...rc.groupBy],
      ...(aggregateFields(config).length > 1 ? { fields: aggregateFields(config) } : {}),
    },
    windows: rows.map(toGolden),
  };
}

/** Differences between expected and actual windows, as readable lines (empty when equal). */
export function diffWindows(expected: GoldenWindow[], actual: GoldenWindow[]): string[] {
  const id = (w: GoldenWindow) => `${w.group}/${w.key}@${w.windowStart}`;
  const show = (w: GoldenWindow) =>
    `count ${w.count} sum ${w.sumAge} min ${w.minAge} max ${w.maxAge}${Object.entries(w.fields ?? {})
      .map(([name, f]) => ` ${name} ${f.count}/${f.sum}/${f.min}/${f.max}`)
      .join("")}`;
  const byId = new Map(actual.map((w) => [id(w), w]));
  const out: string[] = [];
  for (const e of expected) {
    const a = byId.get(id(e));
    byId.delete(id(e));
    if (!a) out.push(`missing ${id(e)}: expected ${show(e)}`);
    else if (
      show(a) !== show(e) ||
      Math.abs(a.avgAge - e.avgAge) > 1e-9 ||
      Object.entries(e.fields ?? {}).some(
        ([name, f]) => Math.abs((a.fields?.[name]?.avg ?? Number.NaN) - f.avg) > 1e-9,
      )
    ) {
      out.push(`differs ${id(e)}: expected ${show(e)}, got ${show(a)}`);
    }
  }
  for (const [k, a] of byId) out.push(`unexpected ${k}: ${show(a)}`);
  return out;
}
