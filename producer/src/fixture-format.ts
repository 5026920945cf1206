import { z } from "zod";
import { describeIssues } from "./random-user.ts";

// The fixture line of contract §2: {"event_time": <epoch ms>, "user": <User>}. The user itself is validated
// later, by the mapping, so that a bad user is a "map" rejection and a bad line a "parse" one.
const FixtureLineSchema = z.object({
  event_time: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  user: z.unknown().refine((u) => u !== undefined, "user is missing"),
});

export type FixtureLine =
  | { ok: true; line: number; eventTime: number; user: unknown; text: string }
  | { ok: false; line: number; reason: string; text: string };

export function parseFixtureLine(text: string, line: number): FixtureLine {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { ok: false, line, text, reason: `line ${line}: not JSON (${(err as Error).message})` };
  }
  const parsed = FixtureLineSchema.safeParse(json);
  if (!parsed.success) {
    return {
      ok: false,
      line,
      text,
      reason: `line ${line}: not a fixture event (${describeIssues(parsed.error)})`,
    };
  }
  return { ok: true, line, text, eventTime: parsed.data.event_time, user: parsed.data.user };
}

const LOGIN_SECRETS = new Set(["password", "salt", "md5", "sha1", "sha256"]);

/** A user without its login secrets, which the contract forbids storing (a fixture is stored). */
export function withoutSecrets(user: unknown): unknown {
  if (user === null || typeof user !== "object" || Array.isArray(user)) return user;
  const login = (user as { login?: unknown }).login;
  if (login === null || typeof login !== "object" || Array.isArray(login)) return user;
  const kept = Object.fromEntries(Object.entries(login).filter(([k]) => !LOGIN_SECRETS.has(k)));
  return { ...user, login: kept };
}

export function formatFixtureLine(eventTime: number, user: unknown): string {
  return JSON.stringify({ event_time: eventTime, user: withoutSecrets(user) });
}
