import { describe, expect, it } from "vitest";
import {
  SchemaCache,
  SchemaNotFoundError,
  SchemaNotYetFoundError,
  type SchemaSource,
} from "./schema-cache.ts";

const INT = '"int"';

/** A registry that knows the ids in `known` (changeable), with a clock the test moves. */
function world(known: Map<number, string>) {
  let t = 0;
  const asked: number[] = [];
  const source: SchemaSource = {
    async fetch(id) {
      asked.push(id);
      const text = known.get(id);
      if (text === undefined) throw new SchemaNotFoundError(`unknown schema id ${id}`);
      return text;
    },
  };
  const cache = new SchemaCache(source, { notFoundRetryMs: 10_000, notFoundCacheMs: 60_000, now: () => t });
  return {
    cache,
    asked,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

describe("SchemaCache", () => {
  it("asks again for an id the registry answers 404 for, through its window, then dead-letters it", async () => {
    const w = world(new Map([[1, INT]]));
    await expect(w.cache.load([1, 7])).rejects.toThrow(SchemaNotYetFoundError);
    expect(w.cache.get(1)).toBeDefined();
    expect(w.cache.failure(7)).toBeUndefined();
    w.advance(9_999);
    await expect(w.cache.load([7])).rejects.toThrow(
      /no schema id 7 \(yet\): asking again for up to 10000 ms/,
    );
    w.advance(1);
    await w.cache.load([7]);
    expect(w.cache.failure(7)).toBe("unknown schema id 7: the registry answered 404 for 10000 ms");
    expect(w.asked).toEqual([1, 7, 7, 7]);
  });

  it("finds a schema registered within the window", async () => {
    const known = new Map<number, string>();
    const w = world(known);
    await expect(w.cache.load([7])).rejects.toThrow(SchemaNotYetFoundError);
    w.advance(3_000);
    known.set(7, INT);
    await w.cache.load([7]);
    expect(w.cache.get(7)).toBeDefined();
    expect(w.cache.failure(7)).toBeUndefined();
  });

  it("remembers a 404 for the cache time only, not for the process lifetime", async () => {
    const known = new Map<number, string>();
    const w = world(known);
    await expect(w.cache.load([7])).rejects.toThrow(SchemaNotYetFoundError);
    w.advance(10_000);
    await w.cache.load([7]);
    w.advance(59_999);
    expect(w.cache.failure(7)).toMatch(/unknown schema id 7/);
    await w.cache.load([7]);
    expect(w.asked).toEqual([7, 7]);
    w.advance(1);
    expect(w.cache.failure(7)).toBeUndefined();
    known.set(7, INT);
    await w.cache.load([7]);
    expect(w.cache.get(7)).toBeDefined();
  });

  it("records a schema that does not parse as unusable for good, and passes outages on", async () => {
    const w = world(new Map([[3, "{not json"]]));
    await w.cache.load([3]);
    expect(w.cache.failure(3)).toMatch(/^schema id 3 is not a usable Avro schema: /);
    w.advance(1e12);
    expect(w.cache.failure(3)).toMatch(/not a usable Avro schema/);
    const down = new SchemaCache({
      fetch: async () => {
        throw new Error("connect ECONNREFUSED");
      },
    });
    await expect(down.load([1])).rejects.toThrow("connect ECONNREFUSED");
    expect(down.failure(1)).toBeUndefined();
  });
});
