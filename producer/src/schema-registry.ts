import {
  Compatibility,
  type SchemaRegistryClient,
} from "@confluentinc/schemaregistry/dist/schemaregistry-client";
import type avro from "avsc";
import type { Config } from "../../common/src/config.ts";
import { createRegistryClient } from "../../common/src/schema-registry-client.ts";
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

export { createRegistryClient };

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
  const schema = userSchema(version);
  const { subject, id } = await registerValueSchema(config, schema.text, `user schema v${version}`, client);
  return { subject, id, version, type: schema.type };
}

/** Registers an Avro schema as the value schema of TOPIC_USERS under BACKWARD compatibility. */
export async function registerValueSchema(
  config: Config,
  schemaText: string,
  what: string,
  client: SchemaRegistryClient = createRegistryClient(config),
): Promise<{ subject: string; id: number }> {
  const subject = valueSubject(config.TOPIC_USERS);
  const where = `schema registry ${config.SCHEMA_REGISTRY_URL}`;
  try {
    await client.updateCompatibility(subject, Compatibility.BACKWARD);
    return { subject, id: await client.register(subject, { schemaType: "AVRO", schema: schemaText }) };
  } catch (err) {
    const message = (err as Error).message;
    if ((err as { status?: unknown }).status === 409) {
      throw new Error(
        `${where}: ${what} is not BACKWARD compatible with the schemas already under ${subject}, so the ` +
          `registry refused it (HTTP 409). A new schema must read the old data: add fields with a default, ` +
          `change a type only to one that reads the old values (int → long). Registry says: ${message}`,
        { cause: err },
      );
    }
    throw new Error(`${where}: cannot register ${what} under ${subject}: ${message}`, { cause: err });
  }
}
