import { createRng } from "./rng.ts";
import { syntheticUser } from "./synthetic-users.ts";

export interface FixtureGeneratorOptions {
  count: number;
  seed: number;
  /** event_time of the first base tick, epoch ms. */
  startMs: number;
  /** Mean gap between consecutive events' base times. */
  spacingMs: number;
  /** Each event lags its base time by up to this much: the stream's disorder is at most disorderMs. */
  disorderMs: number;
  /**
   * Every lateEvery-th event (0 = none) lags its base by lateMs instead: at least lateMs - disorderMs - 2·spacingMs
   * behind the largest time before it, so lateMs > L + W + disorderMs makes it late for any window alignment.
   */
  lateEvery: number;
  lateMs: number;
}

export interface GeneratedEvent {
  eventTime: number;
  user: ReturnType<typeof syntheticUser>;
  late: boolean;
}

/**
 * Seeded fixture events. Base times rise by a random gap (mean spacingMs) and each event lags its base by a
 * uniform draw in [0, disorderMs], so no event is more than disorderMs behind the largest time before it.
 */
export function* generateFixtureEvents(o: FixtureGeneratorOptions): Generator<GeneratedEvent> {
  const rng = createRng(o.seed);
  let base = o.startMs;
  for (let i = 1; i <= o.count; i++) {
    base += rng.int(0, 2 * o.spacingMs);
    const late = o.lateEvery > 0 && i % o.lateEvery === 0;
    const lag = late ? o.lateMs : rng.int(0, o.disorderMs);
    const eventTime = base - lag;
    yield { eventTime, user: syntheticUser(rng, eventTime), late };
  }
}
