import avro from "avsc";

/** A registry schema that is definitely not usable: the message is dead-lettered, not retried. */
export class UnknownSchemaError extends Error {}

/**
 * The registry has no schema under the id (HTTP 404). It may still come: a registry follower that has not
 * caught up, a registry restored while producers kept sending. Asked again for a bounded window.
 */
export class SchemaNotFoundError extends Error {}

/** Thrown by SchemaCache.load() while ids the registry answers 404 for are still within their window. */
export class SchemaNotYetFoundError extends Error {}

export interface SchemaSource {
  /**
   * The Avro schema text registered under `id`; throws SchemaNotFoundError when the registry has none,
   * UnknownSchemaError when it has one no Avro reader can use, anything else when it cannot be asked.
   */
  fetch(id: number): Promise<string>;
}

/** Tells `report` whether each fetch reached the registry (an answer, 404 included) or not, and since when. */
export function reportingSource(
  source: SchemaSource,
  report: { reached(): void; missed(err: unknown, startedAt: number): void },
  now: () => number = Date.now,
): SchemaSource {
  return {
    async fetch(id) {
      const startedAt = now();
      try {
        const text = await source.fetch(id);
        report.reached();
        return text;
      } catch (err) {
        if (err instanceof SchemaNotFoundError || err instanceof UnknownSchemaError) report.reached();
        else report.missed(err, startedAt);
        throw err;
      }
    },
  };
}

export interface SchemaCacheOptions {
  /** How long an id the registry answers 404 for is asked again before its records are dead-lettered. */
  notFoundRetryMs: number;
  /** How long, after that, the id's records are dead-lettered without asking (then the registry is asked again). */
  notFoundCacheMs: number;
  now?: () => number;
}

const DEFAULTS: SchemaCacheOptions = { notFoundRetryMs: 10_000, notFoundCacheMs: 60_000 };

/**
 * Writer schemas by registry id, each fetched once. An id the registry does not know is asked again for
 * notFoundRetryMs (load() throws meanwhile, so the batch waits for it), then remembered as unusable for
 * notFoundCacheMs only: a schema registered later is found. A schema that does not parse is unusable for good.
 */
export class SchemaCache {
  private readonly types = new Map<number, avro.Type>();
  private readonly unusable = new Map<number, { reason: string; until: number }>();
  /** Ids the registry answered 404 for, with the time of the first such answer of the current window. */
  private readonly missingSince = new Map<number, number>();
  private readonly opts: SchemaCacheOptions;

  constructor(
    private readonly source: SchemaSource,
    opts: Partial<SchemaCacheOptions> = {},
  ) {
    this.opts = { ...DEFAULTS, ...opts };
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  get(id: number): avro.Type | undefined {
    return this.types.get(id);
  }

  /** Why `id` cannot be used, while a fetch proved it (and, for a 404, its window has passed). */
  failure(id: number): string | undefined {
    const f = this.unusable.get(id);
    if (f === undefined) return undefined;
    if (this.now() < f.until) return f.reason;
    this.unusable.delete(id);
    return undefined;
  }

  /**
   * Fetches the ids not known yet. Registry outages throw (the caller retries the batch), and so do ids
   * still within their 404 window (SchemaNotYetFoundError); a schema that does not exist past its window,
   * or does not parse, is recorded as a failure.
   */
  async load(ids: Iterable<number>): Promise<void> {
    const waiting: number[] = [];
    for (const id of ids) {
      if (this.types.has(id) || this.failure(id) !== undefined) continue;
      let text: string;
      try {
        text = await this.source.fetch(id);
      } catch (err) {
        if (err instanceof UnknownSchemaError) {
          this.unusable.set(id, { reason: err.message, until: Number.POSITIVE_INFINITY });
        } else if (err instanceof SchemaNotFoundError) {
          if (!this.notFound(id, err.message)) waiting.push(id);
        } else {
          throw err;
        }
        continue;
      }
      this.missingSince.delete(id);
      try {
        this.types.set(id, avro.Type.forSchema(JSON.parse(text)));
      } catch (err) {
        this.unusable.set(id, {
          reason: `schema id ${id} is not a usable Avro schema: ${(err as Error).message}`,
          until: Number.POSITIVE_INFINITY,
        });
      }
    }
    if (waiting.length > 0) {
      throw new SchemaNotYetFoundError(
        `the registry has no schema id ${waiting.join(", ")} (yet): asking again for up to ` +
          `${this.opts.notFoundRetryMs} ms before dead-lettering the records that use it`,
      );
    }
  }

  /** Records a 404 for `id`; true once its window has passed (the id is then unusable for a while). */
  private notFound(id: number, message: string): boolean {
    const now = this.now();
    const since = this.missingSince.get(id) ?? now;
    this.missingSince.set(id, since);
    if (now - since < this.opts.notFoundRetryMs) return false;
    this.missingSince.delete(id);
    this.unusable.set(id, {
      reason: `${message}: the registry answered 404 for ${now - since} ms`,
      until: now + this.opts.notFoundCacheMs,
    });
    return true;
  }
}
