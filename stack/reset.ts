import type { Service } from "./service.ts";

export type ResetOutcome =
  | { service: Service["name"]; endpoint: string; ok: true; removed: string[] }
  | { service: Service["name"]; endpoint: string; ok: false; error: string };

/** Resets every service even when an earlier one fails, so one outage does not hide the others' state. */
export async function resetAll(
  services: readonly Pick<Service, "name" | "endpoint" | "reset">[],
): Promise<ResetOutcome[]> {
  const outcomes: ResetOutcome[] = [];
  for (const s of services) {
    try {
      outcomes.push({ service: s.name, endpoint: s.endpoint, ok: true, removed: await s.reset() });
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      outcomes.push({ service: s.name, endpoint: s.endpoint, ok: false, error });
    }
  }
  return outcomes;
}

export function describeReset(o: ResetOutcome): string {
  if (!o.ok) return `${o.service}: reset FAILED at ${o.endpoint}: ${o.error}`;
  return `${o.service}: ${o.removed.length ? `removed ${o.removed.join(", ")}` : "nothing to remove"}`;
}
