import { fmtDuration, fmtInt, fmtTime } from "../format.ts";
import type { IngestionRun } from "../ports.ts";
import { Kpi, Layout, PageHead } from "./layout.tsx";

function statusTone(status: string | null): string {
  if (status === "success" || status === "ok" || status === "completed") return "pill-ok";
  if (status === "running") return "pill-info";
  return "pill-bad";
}

export function IngestionLive(props: { runs: IngestionRun[]; days: number }) {
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
          <h2>Producer runs</h2>
          <span class="muted">newest first</span>
        </div>
        <table class="table">
          <thead>
            <tr>
              <th>Started</th>
              <th>Source</th>
              <th>Status</th>
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
                <td colspan={9} class="muted">
                  No producer runs recorded in the last {props.days} days.
                </td>
              </tr>
            ) : (
              runs.map((r) => (
                <tr class={r.failed > 0 || r.error ? "row-bad" : ""}>
                  <td>{fmtTime(r.startedAt)}</td>
                  <td>{r.source ?? "—"}</td>
                  <td>
                    <span class={`pill ${statusTone(r.status)}`}>{r.status ?? "unknown"}</span>
                  </td>
                  <td class="num">
                    {r.endedAt !== null && r.startedAt !== null ? fmtDuration(r.endedAt - r.startedAt) : "—"}
                  </td>
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

export function IngestionPage(props: { runs: IngestionRun[]; days: number }) {
  return (
    <Layout title="Ingestion" active="ingestion">
      <PageHead
        title="Ingestion"
        sub="Producer run history from the ingestion_runs table · refreshes every 5 s"
      >
        <a class="btn btn-ghost" href="/api/runs">
          JSON
        </a>
      </PageHead>
      <IngestionLive runs={props.runs} days={props.days} />
    </Layout>
  );
}
