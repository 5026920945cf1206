import { Hono } from "hono";
import { parseAggregatesQuery } from "../aggregates-query.ts";
import type { AppDeps } from "../app-deps.ts";
import { ResultTooLargeError } from "../ports.ts";
import { isEventId, MAX_EVENT_ID_BYTES } from "./event-id.ts";

export function apiRoutes(deps: AppDeps): Hono {
  const api = new Hono();

  api.get("/aggregates", async (c) => {
    const parsed = parseAggregatesQuery(c.req.query());
    if (!parsed.ok) return c.json({ error: parsed.error }, 400);
    try {
      return c.json({ windows: await deps.history.windows(parsed.query, deps.limits.maxRows) });
    } catch (e) {
      if (e instanceof ResultTooLargeError) return c.json({ error: e.message }, 413);
      throw e;
    }
  });

  api.get("/users/:id", async (c) => {
    const id = c.req.param("id");
    if (!isEventId(id))
      return c.json({ error: `id: at most ${MAX_EVENT_ID_BYTES} bytes, without control characters` }, 400);
    const user = await deps.users.user(id);
    return user ? c.json(user) : c.json({ error: `no user ${id}` }, 404);
  });

  api.get("/users", async (c) => {
    const username = c.req.query("username")?.trim();
    if (!username || username.length > 200)
      return c.json({ error: "username: required, at most 200 characters" }, 400);
    return c.json({ users: await deps.users.usersByUsername(username, deps.limits.maxUsers) });
  });

  api.get("/runs", async (c) =>
    c.json({ runs: await deps.runs.recentRuns(deps.limits.runDays, deps.limits.maxRuns) }),
  );

  api.get("/pipeline", async (c) => c.json(await deps.pipeline.snapshot()));

  api.get("/live/snapshot", (c) => c.json(deps.hub.snapshot()));

  return api;
}
