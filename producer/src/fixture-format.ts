import { z } from "zod";
import { parseJson } from "../../common/src/json-syntax.ts";
import { isSecretKey } from "../../common/src/redact-secrets.ts";
import { describeIssues } from "./random-user.ts";

// The fixture line of contract §2: {"event_time": <epoch ms>, "user": <User>}. The user and the event time's
// bounds (common/src/event-time.ts) are checked later, by the mapping, so that a bad user or time is a "map"
// rejection and a line that is not an event a "parse" one.
const FixtureLineSchema = z.object({
  event_time: z.number(),
  user: z.unknown().refine((u) => u !== undefined, "user is missing"),
});

export type FixtureLine =
  | { ok: true; line: number; eventTime: number; user: unknown; text: string }
  | { ok: false; line: number; reason: string; text: string };

export function parseFixtureLine(text: string, line: number): FixtureLine {
  const json = parseJson(text);
  if (!json.ok) return { ok: false, line, text, reason: `line ${line}: ${json.reason}` };
  const parsed = FixtureLineSchema.safeParse(json.value);
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

/** A user without its login secrets, which the contract forbids storing (a fixture is stored). */
export function withoutSecrets(user: unknown): unknown {
  if (user === null || typeof user !== "object" || Array.isArray(user)) return user;
  const login = (user as { login?: unknown }).login;
  if (login === null || typeof login !== "object" || Array.isArray(login)) return user;
  const kept = Object.fromEntries(Object.entries(login).filter(([k]) => !isSecretKey(k)));
  return { ...user, login: kept };
}

export function formatFixtureLine(eventTime: number, user: unknown): string {
  return JSON.stringify({ event_time: eventTime, user: withoutSecrets(user) });
}
