import type { z } from "zod";

/**
 * Settings read from the environment once, validated at the edge: every problem on a line of its own,
 * under `what` ("configuration", "processor options"), instead of a failure later on.
 */
export function parseSettings<S extends z.ZodType>(
  schema: S,
  env: Record<string, string | undefined>,
  what: string,
): z.output<S> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`invalid ${what}:\n${lines.join("\n")}`);
  }
  return parsed.data;
}
