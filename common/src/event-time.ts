// The one rule for which event times the pipeline accepts, applied by the producer's map stage and
// again at the processor's decode edge: a single record dated in the future would otherwise move its
// partition's watermark there for good, and every later event would be late.

/** EVENT_TIME_MAX_FUTURE_SKEW_MS's default: one hour, as Kafka's log.message.timestamp.after.max.ms. */
export const DEFAULT_MAX_FUTURE_SKEW_MS = 3_600_000;

/** Oldest accepted event time: the Unix epoch; `event_time` is when a producer received the record. */
const MIN_EVENT_TIME_MS = 0;

/** Newest time any store can hold: Cassandra's int hour bucket (2^31 - 1 hours) and JS dates both fit. */
export const MAX_STORABLE_TIME_MS = 2_147_483_647 * 3_600_000 - 1;

export type EventTimeCheck = { ok: true } | { ok: false; reason: string };

/**
 * Accepts an epoch-ms integer from the epoch up to `maxFutureSkewMs` ahead of `nowMs` (the same
 * idea as Kafka's `log.message.timestamp.after.max.ms`). The reason names the bound, never input text
 * beyond the number itself.
 */
export function checkEventTime(eventTime: number, nowMs: number, maxFutureSkewMs: number): EventTimeCheck {
  if (!Number.isSafeInteger(eventTime)) {
    return { ok: false, reason: `event_time: ${String(eventTime)} is not an epoch-ms integer` };
  }
  if (eventTime < MIN_EVENT_TIME_MS) {
    return { ok: false, reason: `event_time: ${eventTime} is before the Unix epoch` };
  }
  const limit = Math.min(nowMs + maxFutureSkewMs, MAX_STORABLE_TIME_MS);
  if (eventTime > limit) {
    const ahead = eventTime - nowMs;
    return {
      ok: false,
      reason: `event_time: ${eventTime} is ${ahead} ms ahead of the clock, more than the allowed skew of ${maxFutureSkewMs} ms (EVENT_TIME_MAX_FUTURE_SKEW_MS)`,
    };
  }
  return { ok: true };
}
