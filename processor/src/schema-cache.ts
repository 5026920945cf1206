import { RestError } from "@confluentinc/schemaregistry/dist/rest-error";
// The package index also loads every KMS rule executor (seconds of start-up); the client module is enough.
import { SchemaRegistryClient } from "@confluentinc/schemaregistry/dist/schemaregistry-client";
import avro from "avsc";
import type { Config } from "../../common/src/config.ts";

/** A registry schema that is definitely not usable: the message is dead-lettered, not retried. */
export class UnknownSchemaError extends Error {}

export interface SchemaSource {
  /** The Avro schema text registered under `id`; throws UnknownSchemaError when the registry has none. */
  fetch(id: number): Promise<string>;
}

export function registrySource(config: Config): SchemaSource {
  const client = new SchemaRegistryClient({ baseURLs: [config.SCHEMA_REGISTRY_URL], maxRetries: 3 });
  return {
    async fetch(id) {
      try {
        const info = await client.getBySubjectAndId("", id);
        if (info.schemaType !== undefined && info.schemaType !== "AVRO") {
          throw new UnknownSchemaError(`schema id ${id} is ${info.schemaType}, not AVRO`);
        }
        return info.schema;
      } catch (err) {
        if (err instanceof RestError && err.status === 404) {
          throw new UnknownSchemaError(`unknown schema id ${id}`);
        }
        throw err;
      }
    },
  };
}

/** Writer schemas by registry id, each fetched once; ids the registry does not know are remembered too. */
export class SchemaCache {
  private readonly types = new Map<number, avro.Type>();
  private readonly unknown = new Map<number, string>();

  constructor(private readonly source: SchemaSource) {}

  get(id: number): avro.Type | undefined {
    return this.types.get(id);
  }

  /** Why `id` cannot be used, once a fetch proved it. */
  failure(id: number): string | undefined {
    return this.unknown.get(id);
  }

  /**
   * Fetches the ids not seen yet. Registry outages throw (the caller retries the batch); a schema that
   * does not exist or does not parse is recorded as a failure.
   */
  async load(ids: Iterable<number>): Promise<void> {
    for (const id of ids) {
      if (this.types.has(id) || this.unknown.has(id)) continue;
      let text: string;
      try {
        text = await this.source.fetch(id);
      } catch (err) {
        if (!(err instanceof UnknownSchemaError)) throw err;
        this.unknown.set(id, err.message);
        continue;
      }
      try {
        this.types.set(id, avro.Type.forSchema(JSON.parse(text)));
      } catch (err) {
        this.unknown.set(id, `schema id ${id} is not a usable Avro schema: ${(err as Error).message}`);
      }
    }
  }
}
