import { type DeadLetterView, payloadForDisplay } from "../dead-letters.ts";
import { fmtInt, fmtTime } from "../format.ts";
import type { RedriveOutcome } from "../ports.ts";
import { AdminToken } from "./admin.tsx";
import { Kpi, Layout, PageHead } from "./layout.tsx";

const letterHref = (v: Pick<DeadLetterView, "partition" | "offset">) =>
  `/dead-letters/${v.partition}/${v.offset}`;

/** The table of letters; with `selectable`, a checkbox each for the re-drive form. */
export function DeadLetterTable(props: { letters: DeadLetterView[]; selectable: boolean; empty: string }) {
  return (
    <table class="table" id="dead-letters">
      <thead>
        <tr>
          {props.selectable ? <th /> : null}
          <th>Dead-lettered</th>
          <th>Origin</th>
          <th>Stage</th>
          <th>Source</th>
          <th>Reason</th>
          <th>Original at</th>
          <th class="num">DLQ partition · offset</th>
        </tr>
      </thead>
      <tbody>
        {props.letters.length === 0 ? (
          <tr>
            <td colspan={props.selectable ? 8 : 7} class="muted">
              {props.empty}
            </td>
          </tr>
        ) : (
          props.letters.map((v) => (
            <tr data-letter={`${v.partition}:${v.offset}`}>
              {props.selectable ? (
                <td>
                  <input
                    type="checkbox"
                    name="letters"
                    value={`${v.partition}:${v.offset}`}
                    aria-label={`select letter ${v.partition}:${v.offset}`}
                  />
                </td>
              ) : null}
              <td>
                <a href={letterHref(v)}>{fmtTime(v.letter?.at ?? v.timestamp)}</a>
              </td>
              <td>{v.origin}</td>
              <td>
                {v.letter ? (
                  <span class="pill pill-warn">{v.letter.stage}</span>
                ) : (
                  <span class="pill pill-bad">invalid</span>
                )}
              </td>
              <td>{v.letter?.source ?? "—"}</td>
              <td class="error-cell reason-cell">{v.letter?.reason ?? v.invalid}</td>
              <td>{v.sourceRef ?? "—"}</td>
              <td class="num">
                {v.partition} · {v.offset}
              </td>
            </tr>
          ))
        )}
      </tbody>
    </table>
  );
}

export function RedriveResult(props: { outcome?: RedriveOutcome; error?: string }) {
  const o = props.outcome;
  return (
    <div id="redrive-result" data-admin-result="" role="status">
      {props.error ? <p class="error-cell">{props.error}</p> : null}
      {o ? (
        <p>
          Re-drive run{" "}
          <a href={`/ingestion/runs/${o.runId}`} id="redrive-run">
            {o.runId}
          </a>
          : <b id="redrive-sent">{fmtInt(o.sent)}</b> sent again, {fmtInt(o.rejected)} dead-lettered again,{" "}
          {fmtInt(o.failed)} failed, {fmtInt(o.skipped.length)} skipped
          {o.skipped.length
            ? `: ${o.skipped.map((s) => `${s.partition}:${s.offset} ${s.reason}`).join("; ")}`
            : ""}
          {o.recorded ? "" : " (the run could not be stored in ingestion_runs)"}
        </p>
      ) : null}
    </div>
  );
}

export interface DeadLettersPageProps {
  topic: string;
  letters: DeadLetterView[];
  limit: number;
  partition: number | null;
  /** Letters re-driven over the runs the Ingestion page shows, and those runs. */
  redriven: { runs: number; sent: number };
  adminEnabled: boolean;
  error: string | null;
}

export function DeadLettersPage(props: DeadLettersPageProps) {
  const byOrigin = (o: DeadLetterView["origin"]) => props.letters.filter((l) => l.origin === o).length;
  return (
    <Layout title="Dead letters" active="dead-letters" scripts={["admin.js"]}>
      <PageHead
        title="Dead letters"
        sub={`The newest messages of ${props.topic}: what the producer refused and what the processor could not decode`}
      >
        <a class="btn btn-ghost" href={`/api/dead-letters?limit=${props.limit}`}>
          JSON
        </a>
      </PageHead>
      {props.error ? (
        <section class="card alert">
          <p>{props.error}</p>
        </section>
      ) : null}
      <section class="kpis">
        <Kpi label="Shown" value={fmtInt(props.letters.length)} hint={`newest, at most ${props.limit}`} />
        <Kpi label="From the producer" value={fmtInt(byOrigin("producer"))} hint="map · schema · parse" />
        <Kpi label="From the processor" value={fmtInt(byOrigin("processor"))} hint="decode" />
        <Kpi
          label="Re-driven"
          id="redriven-count"
          value={fmtInt(props.redriven.sent)}
          hint={`sent again by ${fmtInt(props.redriven.runs)} re-drive runs`}
        />
      </section>
      <div class="grid">
        <section class="card span-2">
          <div class="card-head">
            <h2>Letters</h2>
            <form class="toolbar" method="get" action="/dead-letters">
              <label>
                Partition{" "}
                <input
                  type="number"
                  name="partition"
                  min="0"
                  value={props.partition === null ? "" : String(props.partition)}
                />
              </label>
              <label>
                Limit <input type="number" name="limit" min="1" max="500" value={String(props.limit)} />
              </label>
              <button class="btn btn-ghost" type="submit">
                Show
              </button>
            </form>
          </div>
          <form
            hx-post="/api/dead-letters/redrive"
            hx-target="#redrive-result"
            hx-swap="outerHTML"
            id="redrive-form"
          >
            <DeadLetterTable
              letters={props.letters}
              selectable={props.adminEnabled}
              empty="No dead letters."
            />
            {props.adminEnabled ? (
              <div class="toolbar">
                <button class="btn" type="submit" id="redrive">
                  Re-drive selected to the input topic
                </button>
                <span class="muted">
                  after a fix: each letter is ingested again, as one run on the Ingestion page
                </span>
              </div>
            ) : null}
          </form>
          <RedriveResult />
        </section>
        <AdminToken enabled={props.adminEnabled} />
      </div>
    </Layout>
  );
}

export function DeadLetterPage(props: { topic: string; letter: DeadLetterView; adminEnabled: boolean }) {
  const v = props.letter;
  const ref = `${v.partition}:${v.offset}`;
  return (
    <Layout title={`Dead letter ${ref}`} active="dead-letters" scripts={["admin.js"]}>
      <PageHead
        title={`Dead letter · ${v.letter?.stage ?? "invalid"}`}
        sub={`${props.topic} · partition ${v.partition} · offset ${v.offset}`}
      >
        <a class="btn btn-ghost" href="/dead-letters">
          ← Dead letters
        </a>
        <a class="btn btn-ghost" href={`/api/dead-letters/${v.partition}/${v.offset}`}>
          JSON
        </a>
      </PageHead>
      <div class="grid">
        <section class="card">
          <div class="card-head">
            <h2>Letter</h2>
            <span class="pill pill-warn">{v.origin}</span>
          </div>
          <dl class="facts compact" id="letter-facts">
            <dt>Reason</dt>
            <dd class="error-cell" id="letter-reason">
              {v.letter?.reason ?? v.invalid}
            </dd>
            <dt>Stage</dt>
            <dd>{v.letter?.stage ?? "—"}</dd>
            <dt>Source</dt>
            <dd>{v.letter?.source ?? "—"}</dd>
            <dt>Dead-lettered at</dt>
            <dd>{fmtTime(v.letter?.at ?? v.timestamp)}</dd>
            <dt>Original</dt>
            <dd>{v.sourceRef ?? "—"}</dd>
            <dt>Key</dt>
            <dd>
              <code>{v.key ?? "—"}</code>
            </dd>
            <dt>Run</dt>
            <dd>{v.runId ? <a href={`/ingestion/runs/${v.runId}`}>{v.runId}</a> : "—"}</dd>
          </dl>
        </section>
        <section class="card">
          <div class="card-head">
            <h2>Headers</h2>
          </div>
          <table class="table" id="letter-headers">
            <tbody>
              {Object.entries(v.headers).length === 0 ? (
                <tr>
                  <td class="muted">none</td>
                </tr>
              ) : (
                Object.entries(v.headers).map(([k, val]) => (
                  <tr>
                    <th>{k}</th>
                    <td>
                      <code>{val}</code>
                    </td>
                  </tr>
                ))
              )}
            </tbody>
          </table>
        </section>
        <section class="card span-2">
          <div class="card-head">
            <h2>Payload</h2>
            <span class="muted">
              {v.letter?.stage === "decode"
                ? "the original message bytes, base64"
                : "as received, login secrets redacted"}
            </span>
          </div>
          <pre class="payload" id="letter-payload">
            {payloadForDisplay(v)}
          </pre>
          {props.adminEnabled && v.letter ? (
            <form
              hx-post="/api/dead-letters/redrive"
              hx-target="#redrive-result"
              hx-swap="outerHTML"
              class="toolbar"
            >
              <input type="hidden" name="letters" value={ref} />
              <button class="btn" type="submit" id="redrive">
                Re-drive this letter
              </button>
            </form>
          ) : null}
          <RedriveResult />
        </section>
        <AdminToken enabled={props.adminEnabled} />
      </div>
    </Layout>
  );
}
