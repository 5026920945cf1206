import { z } from "zod";

// The Random User API v1.4 user (contract §1), validated once at the edge. The schema accepts every real
// quirk of the API (numeric or string postcodes, null id.value, string coordinates, any script) and is
// lenient about fields the pipeline does not keep, so a user is only refused for what it cannot map, or for
// a value outside the bounds below: what the API sends fits them with a wide margin, and without them one
// producer could grow every key dictionary, snapshot and row of the pipeline at will.

/** Longest text the record keeps from a field; the API's longest (picture URLs, timezone names) are ~50. */
export const MAX_TEXT_CHARS = 1_024;
/** Longest login.uuid: it becomes the event id, the Kafka key and the users table's key; the API's are 36. */
export const MAX_EVENT_ID_CHARS = 128;
/** The genders Random User v1.4 sends (and its `gender=` filter takes): a group-by key, so a closed set. */
export const GENDERS = ["female", "male"] as const;

const text = z.string().max(MAX_TEXT_CHARS);
const numberish = z.union([z.number(), text]);

export const RandomUserSchema = z.object({
  gender: z.enum(GENDERS, { error: `not one of ${GENDERS.join(", ")} (what Random User v1.4 sends)` }),
  name: z.object({ title: text, first: text, last: text }),
  location: z.object({
    street: z.object({ number: numberish, name: text }),
    city: text,
    state: text,
    country: text,
    postcode: numberish,
    coordinates: z.object({ latitude: numberish, longitude: numberish }),
    timezone: z.object({ offset: text, description: text }),
  }),
  email: text,
  // Secrets are optional: the recorder strips them (contract §1: never stored) and the mapping never reads them.
  login: z.object({
    uuid: z.string().min(1).max(MAX_EVENT_ID_CHARS),
    username: text,
    password: z.string().optional(),
    salt: z.string().optional(),
    md5: z.string().optional(),
    sha1: z.string().optional(),
    sha256: z.string().optional(),
  }),
  dob: z.object({ date: text, age: z.number() }),
  registered: z.object({ date: text, age: z.number() }),
  phone: text,
  cell: text,
  id: z.object({ name: text, value: text.nullable() }),
  picture: z.object({ large: text, medium: z.string().optional(), thumbnail: z.string().optional() }),
  // A group-by key: an ISO 3166-1 alpha-2 code, so at most 676 of them (the API sends 21, NATIONALITIES).
  nat: z.string().regex(/^[A-Z]{2}$/, "not two uppercase ASCII letters (ISO 3166-1 alpha-2)"),
});

export type RandomUser = z.infer<typeof RandomUserSchema>;

/** A page of the API. Users stay unknown here so that one bad user does not cost the page. */
export const RandomUserPageSchema = z.object({
  results: z.array(z.unknown()),
  info: z
    .object({
      seed: z.string().optional(),
      results: z.number().optional(),
      page: z.number().optional(),
      version: z.string().optional(),
    })
    .optional(),
});

/** The nationalities the API serves (v1.4). */
export const NATIONALITIES = [
  "AU",
  "BR",
  "CA",
  "CH",
  "DE",
  "DK",
  "ES",
  "FI",
  "FR",
  "GB",
  "IE",
  "IN",
  "IR",
  "MX",
  "NL",
  "NO",
  "NZ",
  "RS",
  "TR",
  "UA",
  "US",
] as const;
export type Nationality = (typeof NATIONALITIES)[number];

export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length ? i.path.join(".") : "(root)"}: ${i.message}`).join("; ");
}
