import type { Child } from "hono/jsx";
import { fmtInt, fmtTime } from "../format.ts";
import type { IngestionRun } from "../ports.ts";
import { runDuration, statusTone } from "./ingestion.tsx";
import { Layout, PageHead } from "./layout.tsx";

/** One run: what it was asked to do, what it did, the errors it met and (children) its dead letters. */
export function RunPage(props: { run: IngestionRun; now: number; children?: Child }) {
  const r = props.run;
  return (
    <Layout title={`Run ${r.runId}`} active="ingestion">
      <PageHead
        title={`Run · ${r.source ?? "unknown source"}`}
        sub={`${r.runId} · started ${fmtTime(r.startedAt)}`}
      >
        <a class="btn btn-ghost" href="/ingestion">
          ← Ingestion
        </a>
        <a class="btn btn-ghost" href={`/api/runs/${encodeURIComponent(r.runId)}`}>
          JSON
        </a>
      </PageHead>
      <div class="grid">
        <section class="card">
          <div class="card-head">
            <h2>Outcome</h2>
            <span class={`pill ${statusTone(r.status)}`} id="run-status">
              {r.status ?? "unknown"}
            </span>
          </div>
          <dl class="facts compact">
            <dt>Started</dt>
            <dd>{fmtTime(r.startedAt)}</dd>
            <dt>Ended</dt>
            <dd>{r.endedAt === null ? "—" : fmtTime(r.endedAt)}</dd>
            <dt>Duration</dt>
            <dd>{runDuration(r, props.now)}</dd>
            <dt>Fetched / sent</dt>
            <dd id="run-counts">
              {fmtInt(r.fetched)} / {fmtInt(r.sent)}
            </dd>
            <dt>Rejected / failed</dt>
            <dd>
              {fmtInt(r.rejected)} / {fmtInt(r.failed)}
            </dd>
            <dt>Counts stored</dt>
            <dd>{fmtTime(r.updatedAt)}</dd>
            <dt>Error</dt>
            <dd class={r.error ? "error-cell" : ""}>{r.error ?? "none"}</dd>
          </dl>
        </section>
        <section class="card">
          <div class="card-head">
            <h2>Parameters</h2>
          </div>
          {r.parameters ? (
            <dl class="facts compact" id="run-parameters">
              {Object.entries(r.parameters).map(([k, v]) => (
                <>
                  <dt>{k}</dt>
                  <dd>
                    <code>{typeof v === "string" ? v : JSON.stringify(v)}</code>
                  </dd>
                </>
              ))}
            </dl>
          ) : (
            <p class="muted">Not recorded (a run stored before parameters were).</p>
          )}
        </section>
        <section class="card span-2">
          <div class="card-head">
            <h2>Errors</h2>
            <span class="muted">the first ones the run met, with their stage and fixture line</span>
          </div>
          {r.errors.length ? (
            <ul class="errors" id="run-errors">
              {r.errors.map((e) => (
                <li>
                  <code>{e}</code>
                </li>
              ))}
            </ul>
          ) : (
            <p class="muted">None.</p>
          )}
        </section>
        {props.children}
      </div>
    </Layout>
  );
}
