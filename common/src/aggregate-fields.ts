import type { Config } from "./config.ts";

// AGGREGATE_FIELDS: the numeric fields the processor aggregates per window. "age" is always the first
// (contract §4: count, sumAge, minAge, maxAge, avgAge); the others are aggregated beside it, each with
// its own count, sum, min, max and avg (the core's extraFields), served as `fields` by the API.

/** The value field of the contract. */
const VALUE_FIELD = "age";

const YEAR_MS = 365.2425 * 86_400_000;

/**
 * Numeric fields computed from the record: name → the record fields they read and how. Any other name
 * is a numeric field of the user record itself, read as it is (a field some schema version lacks, or
 * null, counts nowhere: the event is still aggregated).
 */
const DERIVED: Record<
  string,
  { reads: readonly string[]; of: (rec: Readonly<Record<string, unknown>>) => number }
> = {
  // Whole years the account had been registered when the event happened (Random User's registered.age).
  registeredYears: {
    reads: ["registered_at"],
    of: (rec) => {
      const at = rec.registered_at;
      const t = rec.event_time;
      if (typeof at !== "number" || typeof t !== "number") return Number.NaN;
      return Math.floor((t - at) / YEAR_MS);
    },
  },
};

const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** The fields AGGREGATE_FIELDS names, in order ("age" first; checked by the config). */
export function aggregateFields(config: Pick<Config, "AGGREGATE_FIELDS">): string[] {
  return config.AGGREGATE_FIELDS.split(",")
    .map((f) => f.trim())
    .filter((f) => f !== "");
}

/** The fields aggregated beside age. */
export function extraAggregateFields(config: Pick<Config, "AGGREGATE_FIELDS">): string[] {
  return aggregateFields(config).slice(1);
}

/** Why an AGGREGATE_FIELDS value is unusable, or null. */
export function aggregateFieldsProblem(value: string): string | null {
  const fields = value
    .split(",")
    .map((f) => f.trim())
    .filter((f) => f !== "");
  if (fields[0] !== VALUE_FIELD) return `must start with ${VALUE_FIELD} (the contract's sumAge, minAge…)`;
  if (new Set(fields).size !== fields.length) return "names a field twice";
  const bad = fields.find((f) => !FIELD_NAME.test(f));
  return bad === undefined ? null : `"${bad}" is not a field name`;
}

/** The record fields reading these aggregate fields needs (for the decoder's projection). */
export function fieldsRead(fields: readonly string[]): string[] {
  return [...new Set(fields.flatMap((f) => DERIVED[f]?.reads ?? [f]))];
}

/** The value of an aggregate field in a decoded record; NaN when it has none. */
export function numericValue(rec: Readonly<Record<string, unknown>>, field: string): number {
  const derived = DERIVED[field];
  if (derived) return derived.of(rec);
  const v = rec[field];
  return typeof v === "number" ? v : Number.NaN;
}
