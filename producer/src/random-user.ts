import { z } from "zod";

// The Random User API v1.4 user (contract §1), validated once at the edge. The schema accepts every real
// quirk of the API (numeric or string postcodes, null id.value, string coordinates, any script) and is
// lenient about fields the pipeline does not keep, so a user is only refused for what it cannot map.
const numberish = z.union([z.number(), z.string()]);

export const RandomUserSchema = z.object({
  gender: z.string(),
  name: z.object({ title: z.string(), first: z.string(), last: z.string() }),
  location: z.object({
    street: z.object({ number: numberish, name: z.string() }),
    city: z.string(),
    state: z.string(),
    country: z.string(),
    postcode: numberish,
    coordinates: z.object({ latitude: numberish, longitude: numberish }),
    timezone: z.object({ offset: z.string(), description: z.string() }),
  }),
  email: z.string(),
  // Secrets are optional: the recorder strips them (contract §1: never stored) and the mapping never reads them.
  login: z.object({
    uuid: z.string().min(1),
    username: z.string(),
    password: z.string().optional(),
    salt: z.string().optional(),
    md5: z.string().optional(),
    sha1: z.string().optional(),
    sha256: z.string().optional(),
  }),
  dob: z.object({ date: z.string(), age: z.number() }),
  registered: z.object({ date: z.string(), age: z.number() }),
  phone: z.string(),
  cell: z.string(),
  id: z.object({ name: z.string(), value: z.string().nullable() }),
  picture: z.object({ large: z.string(), medium: z.string().optional(), thumbnail: z.string().optional() }),
  nat: z.string(),
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

export type RandomUserPage = z.infer<typeof RandomUserPageSchema>;

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
