import { type Context, Hono } from "hono";
import { API_SCHEDULE } from "../../../common/src/ingestion-schedule.ts";
import { parseAggregatesQuery } from "../aggregates-query.ts";
import type { AppDeps } from "../app-deps.ts";
import { openApiDocument } from "../openapi.ts";
import { ScheduleCard } from "../pages/ingestion.tsx";
import { ResultTooLargeError } from "../ports.ts";
import { GateBusyError } from "../query-gate.ts";
import { isEventId, MAX_EVENT_ID_BYTES } from "./event-id.ts";
import { isRunId, scheduleView } from "./schedule.ts";

export function apiRoutes(deps: AppDeps): Hono {
  const api = new Hono();

  api.get("/aggregates", async (c) => {
    const parsed = parseAggregatesQuery(c.req.query(), await deps.groups.list());
    if (!parsed.ok) return c.json({ error: parsed.error }, 400);
    const { query } = parsed;
    try {
      return c.json({
        windows: await deps.queries.run(() => deps.history.windows(query, deps.limits.maxRows)),
      });
    } catch (e) {
      if (e instanceof ResultTooLargeError) return c.json({ error: e.message }, 413);
      if (e instanceof GateBusyError) {
        deps.metrics.refused.labels("query_busy").inc();
        c.header("Retry-After", String(e.retryAfterSec));
        return c.json({ error: e.message }, 503);
      }
      throw e;
    }
  });

  api.get("/groups", async (c) => c.json({ groups: await deps.groups.list() }));

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

  api.get("/runs/:id", async (c) => {
    const id = c.req.param("id");
    const run = isRunId(id) ? await deps.runs.run(id) : null;
    return run ? c.json(run) : c.json({ error: `no run ${id}` }, 404);
  });

  api.get("/ingestion/schedule", async (c) => c.json(await deps.schedule.schedule(API_SCHEDULE)));

  // The admin middleware (app.tsx) lets these through only with the token. The scheduler acts on its next
  // poll of the control row (within SCHEDULE_POLL_MS); the answer says what was asked, not what ran.
  const act = (what: string, op: () => Promise<void>) => async (c: Context) => {
    await op();
    if (c.req.header("HX-Request") === "true")
      return c.html(<ScheduleCard {...(await scheduleView(deps, what))} />);
    return c.json({ ok: true, message: what, schedule: await deps.schedule.schedule(API_SCHEDULE) }, 202);
  };
  api.post(
    "/ingestion/schedule/trigger",
    act("run requested: the scheduler starts it within a second", () =>
      deps.schedule.requestTrigger(API_SCHEDULE, "web console"),
    ),
  );
  api.post(
    "/ingestion/schedule/pause",
    act("schedule paused: no scheduled run starts until resumed", () =>
      deps.schedule.setPaused(API_SCHEDULE, true, "web console"),
    ),
  );
  api.post(
    "/ingestion/schedule/resume",
    act("schedule resumed", () => deps.schedule.setPaused(API_SCHEDULE, false, "web console")),
  );

  api.get("/latency", async (c) => {
    const p = (await deps.pipeline.snapshot()).processor;
    return c.json({
      at: Date.now(),
      processed: p?.e2eMs?.processed ?? null,
      emitted: p?.e2eMs?.emitted ?? null,
      delivered: deps.delivery.quantiles(),
    });
  });

  api.get("/pipeline", async (c) => c.json(await deps.pipeline.snapshot()));

  api.get("/live/snapshot", (c) => c.json(deps.hub.snapshot()));

  api.get("/openapi.json", (c) => c.json(openApiDocument()));

  return api;
}
