import { type Context, Hono } from "hono";
import type { AppDeps } from "../app-deps.ts";
import { type DeadLetterView, parseLetterRef, toDeadLetterView } from "../dead-letters.ts";
import { DeadLetterPage, DeadLettersPage, RedriveResult } from "../pages/dead-letters.tsx";
import { NotFoundPage } from "../pages/not-found.tsx";
import { KafkaUnavailableError } from "../ports.ts";

const MAX_LIMIT = 500;
/** Letters one re-drive may take: a re-drive is a deliberate act on letters someone looked at. */
const MAX_REDRIVE = 500;

const html = (node: unknown) => `<!doctype html>${String(node)}`;

function intParam(v: string | undefined, def: number | null, max: number): number | null {
  if (v === undefined || v === "") return def;
  const n = Number(v);
  return Number.isSafeInteger(n) && n >= 0 ? Math.min(n, max) : def;
}

async function redriveRefs(c: Context): Promise<{ partition: number; offset: number }[] | string> {
  const type = c.req.header("Content-Type") ?? "";
  let raw: unknown[] = [];
  if (type.includes("application/json")) {
    const body = (await c.req.json().catch(() => null)) as { letters?: unknown } | null;
    raw = Array.isArray(body?.letters) ? body.letters : [];
  } else {
    const form = await c.req.parseBody({ all: true });
    const v = form.letters;
    raw = v === undefined ? [] : Array.isArray(v) ? v : [v];
  }
  if (raw.length === 0) return "select at least one letter";
  if (raw.length > MAX_REDRIVE) return `at most ${MAX_REDRIVE} letters a re-drive`;
  const refs = raw.map((r) =>
    typeof r === "string"
      ? parseLetterRef(r)
      : r !== null && typeof r === "object" && "partition" in r && "offset" in r
        ? parseLetterRef(`${String(r.partition)}:${String(r.offset)}`)
        : null,
  );
  if (refs.some((r) => r === null)) return 'letters are "partition:offset" (or {partition, offset})';
  return refs as { partition: number; offset: number }[];
}

export function deadLetterRoutes(deps: AppDeps): { pages: Hono; api: Hono } {
  const dlq = deps.topicNames.dlq;
  const pages = new Hono();
  const api = new Hono();

  const recent = async (partition: number | null, limit: number): Promise<DeadLetterView[]> => {
    const messages = await deps.topics.read(dlq, { ...(partition === null ? {} : { partition }), limit });
    return messages.map(toDeadLetterView);
  };

  pages.get("/dead-letters", async (c) => {
    const limit = intParam(c.req.query("limit"), 50, MAX_LIMIT) ?? 50;
    const partition = intParam(c.req.query("partition"), null, 10_000);
    let letters: DeadLetterView[] = [];
    let error: string | null = null;
    try {
      letters = await recent(partition, limit);
    } catch (err) {
      if (!(err instanceof KafkaUnavailableError)) throw err;
      error = err.message;
    }
    const runs = (await deps.runs.recentRuns(deps.limits.runDays, deps.limits.maxRuns)).filter(
      (r) => r.source === "redrive",
    );
    const redriven = { runs: runs.length, sent: runs.reduce((n, r) => n + r.sent, 0) };
    return c.html(
      html(
        <DeadLettersPage
          topic={dlq}
          letters={letters}
          limit={limit}
          partition={partition}
          redriven={redriven}
          adminEnabled={deps.adminToken !== ""}
          error={error}
        />,
      ),
      error ? 503 : 200,
    );
  });

  pages.get("/dead-letters/:partition/:offset", async (c) => {
    const ref = parseLetterRef(`${c.req.param("partition")}:${c.req.param("offset")}`);
    const m = ref ? await deps.topics.message(dlq, ref.partition, ref.offset) : null;
    if (!m) return c.html(html(<NotFoundPage what="no such dead letter" back="/dead-letters" />), 404);
    return c.html(
      html(<DeadLetterPage topic={dlq} letter={toDeadLetterView(m)} adminEnabled={deps.adminToken !== ""} />),
    );
  });

  api.get("/dead-letters", async (c) => {
    const limit = intParam(c.req.query("limit"), 50, MAX_LIMIT) ?? 50;
    const partition = intParam(c.req.query("partition"), null, 10_000);
    return c.json({ topic: dlq, letters: await recent(partition, limit) });
  });

  api.get("/dead-letters/:partition/:offset", async (c) => {
    const ref = parseLetterRef(`${c.req.param("partition")}:${c.req.param("offset")}`);
    const m = ref ? await deps.topics.message(dlq, ref.partition, ref.offset) : null;
    return m ? c.json(toDeadLetterView(m)) : c.json({ error: "no such dead letter" }, 404);
  });

  api.post("/dead-letters/redrive", async (c) => {
    const refs = await redriveRefs(c);
    const htmx = c.req.header("HX-Request") === "true";
    if (typeof refs === "string")
      return htmx ? c.html(<RedriveResult error={refs} />, 400) : c.json({ error: refs }, 400);
    const outcome = await deps.redriver.redrive(refs);
    deps.metrics.redriven.inc({ outcome: "sent" }, outcome.sent);
    deps.metrics.redriven.inc({ outcome: "rejected" }, outcome.rejected);
    deps.metrics.redriven.inc({ outcome: "failed" }, outcome.failed);
    deps.metrics.redriven.inc({ outcome: "skipped" }, outcome.skipped.length);
    return htmx ? c.html(<RedriveResult outcome={outcome} />) : c.json(outcome);
  });

  return { pages, api };
}
