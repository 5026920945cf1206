import {
  type ScheduleState,
  schedulerAlive,
  triggerPending,
} from "../../../common/src/ingestion-schedule.ts";
import { fmtDuration, fmtInt, fmtTime } from "../format.ts";
import type { IngestionRun } from "../ports.ts";
import { AdminToken } from "./admin.tsx";
import { Kpi, Layout, PageHead } from "./layout.tsx";

export function statusTone(status: string | null): string {
  if (status === "success" || status === "ok" || status === "completed") return "pill-ok";
  if (status === "running") return "pill-info";
  return "pill-bad";
}

export function runDuration(r: IngestionRun, now = Date.now()): string {
  if (r.startedAt === null) return "—";
  if (r.endedAt !== null) return fmtDuration(r.endedAt - r.startedAt);
  return r.status === "running" ? `${fmtDuration(now - r.startedAt)} so far` : "—";
}

/** The parameters of a run on one line: `rate=200 · count=—`. */
function paramsText(p: Record<string, unknown> | null): string {
  if (!p) return "—";
  const parts = Object.entries(p).map(([k, v]) => {
    const text = Array.isArray(v) ? `${v.length} items` : v === null ? "—" : String(v);
    return `${k}=${text.length > 60 ? `${text.slice(0, 60)}…` : text}`;
  });
  return parts.length ? parts.join(" · ") : "—";
}

export interface ScheduleView {
  state: ScheduleState | null;
  /** Whether state-changing requests are possible at all (WEB_ADMIN_TOKEN set). */
  adminEnabled: boolean;
  now: number;
  /** What the last action said, shown in the card. */
  message?: string;
}

function scheduleStatus(v: ScheduleView): { tone: string; text: string } {
  const s = v.state;
  if (!s || !schedulerAlive(s, v.now)) return { tone: "pill-bad", text: "no scheduler running" };
  if (s.runningRunId) return { tone: "pill-info", text: "running a run" };
  if (s.paused) return { tone: "pill-warn", text: "paused" };
  return { tone: "pill-ok", text: "scheduled" };
}

export function ScheduleCard(props: ScheduleView) {
  const s = props.state;
  const st = scheduleStatus(props);
  const pending = s !== null && triggerPending(s);
  return (
    <section class="card" id="schedule">
      <div class="card-head">
        <h2>Schedule · api source</h2>
        <span class={`pill ${st.tone}`} id="schedule-status">
          {st.text}
        </span>
      </div>
      <dl class="facts compact">
        <dt>Interval</dt>
        <dd>{s?.intervalMs ? `every ${fmtDuration(s.intervalMs)} (start to start)` : "—"}</dd>
        <dt>Next run</dt>
        <dd id="next-run">
          {s?.paused
            ? "paused: no scheduled run until resumed"
            : s?.nextRunAt
              ? `${fmtTime(s.nextRunAt)} (in ${fmtDuration(Math.max(0, s.nextRunAt - props.now))})`
              : "—"}
        </dd>
        <dt>Scheduler</dt>
        <dd>
          {s?.scheduler ?? "—"}
          <span class="muted">
            {s?.heartbeatAt ? ` · heartbeat ${fmtDuration(Math.max(0, props.now - s.heartbeatAt))} ago` : ""}
          </span>
        </dd>
        <dt>Manual trigger</dt>
        <dd>
          {pending
            ? `requested ${fmtTime(s?.triggerRequestedAt)}: waiting for the scheduler`
            : s?.triggerRequestedAt
              ? `last ${fmtTime(s.triggerRequestedAt)}${s.updatedBy ? ` by ${s.updatedBy}` : ""}`
              : "none"}
        </dd>
      </dl>
      {props.adminEnabled ? (
        <div class="toolbar" hx-target="#schedule" hx-swap="outerHTML">
          <button class="btn" type="button" id="trigger-run" hx-post="/api/ingestion/schedule/trigger">
            Trigger run now
          </button>
          {s?.paused ? (
            <button class="btn btn-ghost" type="button" id="resume" hx-post="/api/ingestion/schedule/resume">
              Resume schedule
            </button>
          ) : (
            <button class="btn btn-ghost" type="button" id="pause" hx-post="/api/ingestion/schedule/pause">
              Pause schedule
            </button>
          )}
        </div>
      ) : (
        <p class="muted">Controls are off: set WEB_ADMIN_TOKEN on the web tier to enable them.</p>
      )}
      {props.message ? (
        <p class="muted" id="schedule-message" role="status">
          {props.message}
        </p>
      ) : null}
      {!s || !schedulerAlive(s, props.now) ? (
        <p class="muted">
          Start it with <code>bun run producer --source api</code>; a trigger requested meanwhile runs when it
          starts.
        </p>
      ) : null}
    </section>
  );
}

export function IngestionLive(props: { runs: IngestionRun[]; days: number; now: number }) {
  const runs = props.runs;
  const failedRuns = runs.filter(
    (r) => r.failed > 0 || r.error || statusTone(r.status) === "pill-bad",
  ).length;
  const sum = (f: (r: IngestionRun) => number) => runs.reduce((a, r) => a + f(r), 0);
  return (
    <div
      id="ingestion-live"
      hx-get="/ingestion"
      hx-trigger="every 5s"
      hx-select="#ingestion-live"
      hx-swap="outerHTML"
    >
      <section class="kpis">
        <Kpi label="Runs" value={fmtInt(runs.length)} hint={`last ${props.days} days`} />
        <Kpi label="Sent" value={fmtInt(sum((r) => r.sent))} hint="acknowledged by Kafka" />
        <Kpi
          label="Rejected"
          value={fmtInt(sum((r) => r.rejected))}
          hint="dead-lettered by the producer"
          tone={sum((r) => r.rejected) ? "warn" : "ok"}
        />
        <Kpi
          label="Failed"
          value={fmtInt(sum((r) => r.failed))}
          hint="not acknowledged"
          tone={sum((r) => r.failed) ? "bad" : "ok"}
        />
        <Kpi label="Runs with problems" value={fmtInt(failedRuns)} tone={failedRuns ? "bad" : "ok"} />
      </section>
      <section class="card">
        <div class="card-head">
          <h2>Runs · every source</h2>
          <span class="muted">api, synthetic, fixture replays and re-drives · newest first</span>
        </div>
        <table class="table" id="runs">
          <thead>
            <tr>
              <th>Started</th>
              <th>Source</th>
              <th>Status</th>
              <th>Parameters</th>
              <th class="num">Duration</th>
              <th class="num">Fetched</th>
              <th class="num">Sent</th>
              <th class="num">Rejected</th>
              <th class="num">Failed</th>
              <th>Error</th>
            </tr>
          </thead>
          <tbody>
            {runs.length === 0 ? (
              <tr>
                <td colspan={10} class="muted">
                  No producer runs recorded in the last {props.days} days.
                </td>
              </tr>
            ) : (
              runs.map((r) => (
                <tr class={r.failed > 0 || r.error ? "row-bad" : ""} data-run={r.runId}>
                  <td>
                    <a href={`/ingestion/runs/${encodeURIComponent(r.runId)}`}>{fmtTime(r.startedAt)}</a>
                  </td>
                  <td>{r.source ?? "—"}</td>
                  <td>
                    <span class={`pill ${statusTone(r.status)}`}>{r.status ?? "unknown"}</span>
                  </td>
                  <td class="muted params-cell">{paramsText(r.parameters)}</td>
                  <td class="num">{runDuration(r, props.now)}</td>
                  <td class="num">{fmtInt(r.fetched)}</td>
                  <td class="num">{fmtInt(r.sent)}</td>
                  <td class="num">{fmtInt(r.rejected)}</td>
                  <td class="num">{fmtInt(r.failed)}</td>
                  <td class="error-cell">{r.error ?? ""}</td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </section>
    </div>
  );
}

export function IngestionPage(props: { runs: IngestionRun[]; days: number; schedule: ScheduleView }) {
  return (
    <Layout title="Ingestion" active="ingestion" scripts={["admin.js"]}>
      <PageHead
        title="Ingestion"
        sub="Every producer run (ingestion_runs) and the api schedule · refreshes every 5 s"
      >
        <a class="btn btn-ghost" href="/api/runs">
          JSON
        </a>
      </PageHead>
      <div class="grid">
        <div
          hx-get="/fragments/schedule"
          hx-trigger="every 5s"
          hx-target="find #schedule"
          hx-swap="outerHTML"
        >
          <ScheduleCard {...props.schedule} />
        </div>
        <AdminToken enabled={props.schedule.adminEnabled} />
      </div>
      <IngestionLive runs={props.runs} days={props.days} now={props.schedule.now} />
    </Layout>
  );
}
