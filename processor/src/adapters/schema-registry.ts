import { RestError } from "@confluentinc/schemaregistry/dist/rest-error";
import type { Config } from "../../../common/src/config.ts";
import { createRegistryClient } from "../../../common/src/schema-registry-client.ts";
import { SchemaNotFoundError, type SchemaSource, UnknownSchemaError } from "../schema-cache.ts";

/**
 * Schemas from the registry. The client does not retry (the processor does, with its own backoff, and
 * judges its health by each attempt): one fetch takes at most SCHEMA_REGISTRY_TIMEOUT_MS.
 */
export function registrySource(config: Config): SchemaSource {
  const client = createRegistryClient(config, { retries: 0 });
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
          throw new SchemaNotFoundError(`unknown schema id ${id}`);
        }
        if (err instanceof UnknownSchemaError) throw err;
        throw new Error(
          `schema registry ${config.SCHEMA_REGISTRY_URL}: schema id ${id}: ${(err as Error).message}`,
          { cause: err },
        );
      }
    },
  };
}
