import { NATIONALITIES } from "../../../producer/src/random-user.ts";
import type { WindowRow } from "../window-types.ts";

// Test support, not used by the product: deterministic window rows shaped like the processor's output
// (every group, per source partition), for the dashboard end-to-end test and its screenshots.
const NATS = NATIONALITIES;

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4_294_967_296;
  };
}

/** Values of the group-by fields the rows carry; any other field gets `<field> 1`…`<field> 12`. */
export const GROUP_VALUES: Record<string, readonly string[]> = {
  nat: NATS,
  country: [
    "Brazil",
    "Canada",
    "Denmark",
    "France",
    "Germany",
    "India",
    "Norway",
    "Spain",
    "Turkey",
    "Ukraine",
  ],
  city: [
    "Aarhus",
    "Bergen",
    "Curitiba",
    "Istanbul",
    "Lyon",
    "Madrid",
    "Mumbai",
    "Odesa",
    "Toronto",
    "Zürich",
  ],
};

function drawValue(field: string, next: () => number): string {
  if (field === "gender") return next() < 0.5 ? "female" : "male";
  const values = GROUP_VALUES[field] ?? Array.from({ length: 12 }, (_, i) => `${field} ${i + 1}`);
  return values[Math.floor(next() * next() * values.length)] ?? values[0]!;
}

export function syntheticWindowRows(
  windowStart: number,
  windowMs: number,
  partitions: number,
  final: boolean,
  groupBy: readonly string[] = ["nat", "gender"],
): WindowRow[] {
  const next = rng(windowStart / windowMs);
  const rows = new Map<string, WindowRow>();
  const add = (group: string, key: string, partition: number, age: number) => {
    const id = `${group}|${key}|${partition}`;
    const r = rows.get(id);
    if (r) {
      r.count += 1;
      r.sumAge += age;
      r.minAge = Math.min(r.minAge, age);
      r.maxAge = Math.max(r.maxAge, age);
    } else {
      rows.set(id, {
        windowStart,
        windowEnd: windowStart + windowMs,
        group,
        key,
        partition,
        count: 1,
        sumAge: age,
        minAge: age,
        maxAge: age,
        final,
      });
    }
  };
  // A slow wave in the rate, so the charts show movement rather than noise.
  const rate = 10 + 5 * Math.sin(windowStart / (windowMs * 9));
  for (let p = 0; p < partitions; p++) {
    const n = Math.max(1, Math.round(rate + next() * 6));
    for (let i = 0; i < n; i++) {
      const age = 18 + Math.floor(next() * next() * 70);
      add("all", "*", p, age);
      for (const field of groupBy) add(field, drawValue(field, next), p, age);
    }
  }
  return [...rows.values()];
}
