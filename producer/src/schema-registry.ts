// The package index also loads every KMS/encryption rule executor (AWS, Azure, GCP SDKs: over a second of
// start-up); the client module alone is all the producer needs.
import { Compatibility, SchemaRegistryClient } from "@confluentinc/schemaregistry/dist/schemaregistry-client";
import type avro from "avsc";
import type { Config } from "../../common/src/config.ts";
import { type UserSchemaVersion, userSchema } from "../../common/src/user-schema.ts";

export interface RegisteredSchema {
  subject: string;
  id: number;
  version: UserSchemaVersion;
  type: avro.Type;
}

/** TopicNameStrategy: the value schema of topic T lives under subject "T-value". */
export function valueSubject(topic: string): string {
  return `${topic}-value`;
}

export function createRegistryClient(config: Config): SchemaRegistryClient {
  return new SchemaRegistryClient({ baseURLs: [config.SCHEMA_REGISTRY_URL], maxRetries: 3 });
}

/**
 * Puts the subject under BACKWARD compatibility, then registers the user schema (idempotent: the same schema
 * gets its existing id). The compatibility is set first so that the very first registration is already
 * checked against nothing looser. An incompatible schema is refused by the registry (HTTP 409).
 */
export async function registerUserSchema(
  config: Config,
  version: UserSchemaVersion = 1,
  client: SchemaRegistryClient = createRegistryClient(config),
): Promise<RegisteredSchema> {
  const subject = valueSubject(config.TOPIC_USERS);
  const schema = userSchema(version);
  try {
    await client.updateCompatibility(subject, Compatibility.BACKWARD);
    const id = await client.register(subject, { schemaType: "AVRO", schema: schema.text });
    return { subject, id, version, type: schema.type };
  } catch (err) {
    throw new Error(
      `schema registry ${config.SCHEMA_REGISTRY_URL}: cannot register user schema v${version} under ${subject}: ${
        (err as Error).message
      }`,
      { cause: err },
    );
  }
}
