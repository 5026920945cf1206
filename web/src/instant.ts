const ISO = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?)?(?:Z|[+-]\d{2}:?\d{2})?$/i;
const HAS_ZONE = /(?:Z|[+-]\d{2}:?\d{2})$/i;
const HAS_TIME = /\d[T ]\d{2}:\d{2}/i;

/**
 * An instant from a URL parameter: epoch milliseconds, or an ISO 8601 date/time. The dashboard shows
 * UTC, so a time without an offset (what a datetime-local field sends) is read as UTC. null when it
 * is neither.
 */
export function parseInstant(text: string | undefined): number | null {
  const t = text?.trim() ?? "";
  if (/^\d{1,15}$/.test(t)) return Number(t);
  if (!ISO.test(t)) return null;
  let iso = t.replace(" ", "T");
  if (!HAS_TIME.test(t)) iso += "T00:00";
  if (!HAS_ZONE.test(t)) iso += "Z";
  const ms = Date.parse(iso);
  return Number.isFinite(ms) && ms >= 0 ? ms : null;
}

/** The form of an instant the History page writes back: ISO 8601 UTC to the second. */
export function isoSeconds(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}
