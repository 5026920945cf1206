import { type Context, Hono } from "hono";
import type { AppDeps } from "../app-deps.ts";
import { type DeadLetterView, toDeadLetterView } from "../dead-letters.ts";
import { parseInstant } from "../instant.ts";
import { DeadLetterTable } from "../pages/dead-letters.tsx";
import { type HistoryForm, HistoryPage, RANGES } from "../pages/history.tsx";
import { IngestionLive, IngestionPage, ScheduleCard } from "../pages/ingestion.tsx";
import { NotFoundPage } from "../pages/not-found.tsx";
import { OverviewPage } from "../pages/overview.tsx";
import { HealthStrip, PipelineLive, PipelinePage } from "../pages/pipeline.tsx";
import { RunPage } from "../pages/run.tsx";
import { UserDetailPage, UserNotFoundPage } from "../pages/user-detail.tsx";
import { UserResults, UsersPage } from "../pages/users.tsx";
import type { User } from "../ports.ts";
import { KafkaUnavailableError } from "../ports.ts";
import { isEventId } from "./event-id.ts";
import { isRunId, scheduleView } from "./schedule.ts";

const pick = <T extends string>(v: string | undefined, allowed: readonly T[], def: T): T =>
  allowed.includes(v as T) ? (v as T) : def;

/**
 * Whether htmx asked for just the live part of a page. A history restore (the back button after the
 * Users search pushed its URL, on a cache miss) swaps the answer into <body>, so it gets the whole
 * page; and since one URL answers two ways, caches are told the answer varies with HX-Request.
 */
function wantsFragment(c: Context): boolean {
  c.header("Vary", "HX-Request");
  return c.req.header("HX-Request") === "true" && c.req.header("HX-History-Restore-Request") !== "true";
}

/** Messages of the dead-letter topic a run page reads at most, over the run's time span. */
const MAX_RUN_LETTERS = 500;

export function pageRoutes(deps: AppDeps): Hono {
  const pages = new Hono();
  const html = (node: unknown) => `<!doctype html>${String(node)}`;

  pages.get("/", async (c) => {
    const transport = pick(c.req.query("transport"), ["sse", "ws"], "sse");
    const groups = await deps.groups.list();
    return c.html(
      html(<OverviewPage windowSizeMs={deps.windowSizeMs} transport={transport} groups={groups} />),
    );
  });

  pages.get("/history", async (c) => {
    const q = c.req.query();
    const groups = await deps.groups.list();
    // An absolute range (a replayed recording, an incident) comes as from/to; without both, a range
    // counted back from now.
    const from = parseInstant(q.from);
    const to = parseInstant(q.to);
    const custom = from !== null && to !== null;
    const asked = Boolean(q.from || q.to);
    const form: HistoryForm = {
      group: pick(q.group, groups, "all"),
      key: (q.key ?? "").slice(0, 100),
      range: custom
        ? "custom"
        : pick(
            q.range,
            RANGES.map(([v]) => v),
            "1h",
          ),
      metric: pick(q.metric, ["count", "avgAge", "minAge", "maxAge"], "count"),
      from: custom ? from : null,
      to: custom ? to : null,
      problem:
        asked && !custom
          ? "from and to need both to be epoch milliseconds or ISO 8601 times (UTC unless an offset is given); showing a range back from now instead."
          : null,
    };
    return c.html(
      html(
        <HistoryPage
          form={form}
          groups={groups}
          retentionSeconds={deps.windowsRetentionSeconds}
          now={Date.now()}
        />,
      ),
      asked && !custom ? 400 : 200,
    );
  });

  pages.get("/users", async (c) => {
    const q = (c.req.query("q") ?? "").trim().slice(0, 200);
    const users = q ? await findUsers(deps, q) : [];
    if (wantsFragment(c)) {
      return c.html(
        <section class="card" id="results">
          <UserResults q={q} users={users} />
        </section>,
      );
    }
    return c.html(html(<UsersPage q={q} users={users} />));
  });

  pages.get("/users/:id", async (c) => {
    const id = c.req.param("id");
    const user = isEventId(id) ? await deps.users.user(id) : null;
    if (!user) return c.html(html(<UserNotFoundPage id={id} />), 404);
    return c.html(html(<UserDetailPage user={user} />));
  });

  pages.get("/pipeline", async (c) => {
    const snap = await deps.pipeline.snapshot();
    if (wantsFragment(c)) return c.html(<PipelineLive snap={snap} />);
    return c.html(html(<PipelinePage snap={snap} />));
  });

  pages.get("/fragments/health", async (c) => c.html(<HealthStrip snap={await deps.pipeline.snapshot()} />));

  pages.get("/ingestion", async (c) => {
    const runs = await deps.runs.recentRuns(deps.limits.runDays, deps.limits.maxRuns);
    const now = Date.now();
    if (wantsFragment(c)) return c.html(<IngestionLive runs={runs} days={deps.limits.runDays} now={now} />);
    const schedule = await scheduleView(deps);
    return c.html(html(<IngestionPage runs={runs} days={deps.limits.runDays} schedule={schedule} />));
  });

  pages.get("/fragments/schedule", async (c) => c.html(<ScheduleCard {...(await scheduleView(deps))} />));

  pages.get("/ingestion/runs/:id", async (c) => {
    const id = c.req.param("id");
    const run = isRunId(id) ? await deps.runs.run(id) : null;
    if (!run) return c.html(html(<NotFoundPage what={`no run ${id}`} back="/ingestion" />), 404);
    const now = Date.now();
    let letters: DeadLetterView[] | string;
    try {
      // The run's letters are on the dead-letter topic between its start and end, named by their run_id header.
      const from = (run.startedAt ?? now) - 1_000;
      const to = (run.endedAt ?? now) + 5_000;
      const messages = await deps.topics.between(deps.topicNames.dlq, from, to, MAX_RUN_LETTERS);
      letters = messages.map(toDeadLetterView).filter((v) => v.runId === run.runId);
    } catch (err) {
      if (!(err instanceof KafkaUnavailableError)) throw err;
      letters = err.message;
    }
    return c.html(
      html(
        <RunPage run={run} now={now}>
          <section class="card span-2">
            <div class="card-head">
              <h2>Dead letters of this run</h2>
              <span class="muted">
                {deps.topicNames.dlq}, header run_id · at most {MAX_RUN_LETTERS} read
              </span>
            </div>
            {typeof letters === "string" ? (
              <p class="muted">{letters}</p>
            ) : (
              <DeadLetterTable letters={letters} selectable={false} empty="None." />
            )}
          </section>
        </RunPage>,
      ),
    );
  });

  return pages;
}

async function findUsers(deps: AppDeps, q: string): Promise<User[]> {
  const [byId, byName] = await Promise.all([
    isEventId(q) ? deps.users.user(q) : Promise.resolve(null),
    deps.users.usersByUsername(q, deps.limits.maxUsers),
  ]);
  const out = byId ? [byId] : [];
  for (const u of byName) if (u.eventId !== byId?.eventId) out.push(u);
  return out;
}
