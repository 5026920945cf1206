// A seeded PRNG (mulberry32): the synthetic source and the fixture generator must be reproducible from a
// seed, which Math.random cannot be. Only web-standard APIs (globalThis.crypto), like the mapping.
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  int(minInclusive: number, maxInclusive: number): number;
  pick<T>(items: readonly T[]): T;
  hex(length: number): string;
  uuid(): string;
}

export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  const hex = (length: number): string => {
    let out = "";
    while (out.length < length)
      out += Math.floor(next() * 0x10000)
        .toString(16)
        .padStart(4, "0");
    return out.slice(0, length);
  };
  return {
    next,
    int,
    pick: <T>(items: readonly T[]): T => {
      if (items.length === 0) throw new Error("pick from an empty list");
      return items[Math.floor(next() * items.length)] as T;
    },
    hex,
    uuid: () => {
      const h = hex(32);
      const variant = "89ab"[int(0, 3)];
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
    },
  };
}

/**
 * For a run given no seed: the fields come from a random seed, the event ids from crypto.randomUUID(). A
 * 32-bit seed cannot keep ids apart across runs (mulberry32's seeds are offsets into one 2^32 cycle, so two
 * long runs overlap), and a repeated id would be upserted in the users table but counted again in the windows.
 */
export function createUnseededRng(): Rng {
  const [seed = 0] = crypto.getRandomValues(new Uint32Array(1));
  return { ...createRng(seed), uuid: () => crypto.randomUUID() };
}
