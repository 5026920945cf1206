import type { Child } from "hono/jsx";

export type NavKey =
  | "overview"
  | "history"
  | "users"
  | "pipeline"
  | "ingestion"
  | "dead-letters"
  | "topics"
  | "schemas";

const NAV: [NavKey, string, string][] = [
  ["overview", "/", "Overview"],
  ["history", "/history", "History"],
  ["users", "/users", "Users"],
  ["pipeline", "/pipeline", "Pipeline"],
  ["ingestion", "/ingestion", "Ingestion"],
  ["dead-letters", "/dead-letters", "Dead letters"],
  ["topics", "/topics", "Topics"],
  ["schemas", "/schemas", "Schemas"],
];

// htmx would otherwise inject an inline <style>, which the CSP (style-src 'self') blocks. A history
// restore must not look like a fragment request: its answer replaces the whole body.
const HTMX_CONFIG = JSON.stringify({
  includeIndicatorStyles: false,
  historyRestoreAsHxRequest: false,
  allowEval: false,
  allowScriptTags: false,
});

export function Layout(props: { title: string; active: NavKey; scripts?: string[]; children: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="htmx-config" content={HTMX_CONFIG} />
        <title>{`${props.title} · Pulse`}</title>
        <link rel="icon" href="/static/favicon.svg" type="image/svg+xml" />
        <link rel="stylesheet" href="/static/uPlot.min.css" />
        <link rel="stylesheet" href="/static/app.css" />
        <script src="/static/htmx.min.js" defer />
        <script src="/static/ui.js" defer />
        {props.scripts?.flatMap((s) => [<script src={`/static/${s}`} defer />])}
      </head>
      <body>
        <header class="topbar">
          <a class="brand" href="/">
            <span class="brand-mark" aria-hidden="true" />
            Pulse
            <span class="brand-sub">real-time user pipeline</span>
          </a>
          <nav class="nav">
            {NAV.map(([key, href, label]) => (
              <a
                href={href}
                class={key === props.active ? "active" : ""}
                aria-current={key === props.active ? "page" : undefined}
              >
                {label}
              </a>
            ))}
          </nav>
        </header>
        <main class="page">{props.children}</main>
        <footer class="foot">
          Kafka → windowed aggregation → Cassandra · times in UTC · <a href="/metrics">metrics</a> ·{" "}
          <a href="/healthz">health</a>
        </footer>
      </body>
    </html>
  );
}

export function PageHead(props: { title: string; sub?: string; children?: Child }) {
  return (
    <div class="page-head">
      <div>
        <h1>{props.title}</h1>
        {props.sub ? <p class="sub">{props.sub}</p> : null}
      </div>
      {props.children ? <div class="page-actions">{props.children}</div> : null}
    </div>
  );
}

export function Kpi(props: {
  label: string;
  value: string;
  id?: string;
  hint?: string;
  tone?: "ok" | "warn" | "bad";
}) {
  return (
    <div class={`kpi${props.tone ? ` kpi-${props.tone}` : ""}`}>
      <div class="kpi-label">{props.label}</div>
      <div class="kpi-value" id={props.id}>
        {props.value}
      </div>
      {props.hint ? <div class="kpi-hint">{props.hint}</div> : null}
    </div>
  );
}
