import { basename } from "node:path";
import {
  Compatibility,
  type SchemaRegistryClient,
} from "@confluentinc/schemaregistry/dist/schemaregistry-client";
import type avro from "avsc";
import type { Config } from "../../common/src/config.ts";
import { createRegistryClient } from "../../common/src/schema-registry-client.ts";
import { type UserSchemaVersion, userSchema, userSchemaFromFile } from "../../common/src/user-schema.ts";

export interface RegisteredSchema {
  subject: string;
  id: number;
  /** The project's version, or null for a schema file of the user's own. */
  version: UserSchemaVersion | null;
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

/** Registers a user schema file of one's own (the producer's --schema-file) like a project version. */
export async function registerUserSchemaFile(
  config: Config,
  path: string,
  client: SchemaRegistryClient = createRegistryClient(config),
): Promise<RegisteredSchema> {
  const schema = userSchemaFromFile(path);
  const { subject, id } = await registerValueSchema(
    config,
    schema.text,
    `user schema file ${basename(path)}`,
    client,
  );
  return { subject, id, version: null, type: schema.type };
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
      const what_ = incompatibilities(message, schemaText);
      throw new Error(
        `${where}: ${what} is not BACKWARD compatible with the schemas already under ${subject} ` +
          `(compatibility BACKWARD), so the registry refused it (HTTP 409)` +
          `${what_.length > 0 ? `; incompatible: ${what_.join("; ")}` : ""}. A new schema must read the ` +
          `old data: add fields with a default, change a type only to one that reads the old values ` +
          `(int → long). Registry says: ${message}`,
        { cause: err },
      );
    }
    throw new Error(`${where}: cannot register ${what} under ${subject}: ${message}`, { cause: err });
  }
}

/**
 * What a 409 answer says is incompatible, each cause with the field it points at named: Apicurio lists
 * causes as "<what> at /fields/<n>[/…]" (n indexes the refused schema's fields), Confluent's registry as
 * sentences naming the field. A cause that is only a path is a field added without a default.
 */
export function incompatibilities(registryMessage: string, schemaText: string): string[] {
  const m = /Causes: (.*?)(?:; Error code: \d+)?$/s.exec(registryMessage);
  if (!m) return [];
  let fields: { name?: unknown; type?: unknown; default?: unknown }[] = [];
  try {
    const parsed = JSON.parse(schemaText) as { fields?: unknown };
    if (Array.isArray(parsed.fields)) fields = parsed.fields as typeof fields;
  } catch {
    // The registry parsed it; a text we cannot is only left without field names.
  }
  return m[1]!
    .split(/,\s*(?=[^,]* at \/)/)
    .map((cause) => cause.trim())
    .filter((cause) => cause.length > 0)
    .map((cause) => {
      const at = / ?\bat (\/fields\/(\d+)\S*)$/.exec(cause);
      const field = at ? fields[Number(at[2])] : undefined;
      if (!at || !field || typeof field.name !== "string") return cause;
      const detail = cause.slice(0, at.index).trim();
      if (detail === field.name && !("default" in field)) {
        return `field ${field.name} (${JSON.stringify(field.type)}) is new and has no default, so the records already written have no value for it`;
      }
      return `field ${field.name}: ${detail}`;
    });
}
