import { fmtDuration, fmtTime } from "../format.ts";
import { isoSeconds } from "../instant.ts";
import { groupLabel } from "./group-labels.ts";
import { Layout, PageHead } from "./layout.tsx";

export interface HistoryForm {
  group: string;
  key: string;
  /** One of RANGES, or "custom" for from/to. */
  range: string;
  metric: string;
  /** Epoch ms, set for a custom range. */
  from: number | null;
  to: number | null;
  /** Why from/to in the URL were not used. */
  problem: string | null;
}

export const RANGES: [string, string][] = [
  ["15m", "Last 15 minutes"],
  ["1h", "Last hour"],
  ["6h", "Last 6 hours"],
  ["24h", "Last 24 hours"],
  ["7d", "Last 7 days"],
];

/** What a datetime-local field shows: the UTC time, to the second, without an offset. */
const fieldValue = (ms: number | null) => (ms === null ? "" : isoSeconds(ms).slice(0, 19));

/** How far back stored windows go: a window expires CASSANDRA_TTL_WINDOWS_SECONDS after its last update. */
function retentionNote(retentionSeconds: number, now: number): string {
  if (retentionSeconds <= 0) return "Stored windows are kept for ever (CASSANDRA_TTL_WINDOWS_SECONDS=0).";
  const ms = retentionSeconds * 1000;
  const days = retentionSeconds / 86_400;
  const span = Number.isInteger(days) ? `${days} day${days === 1 ? "" : "s"}` : fmtDuration(ms);
  return `Stored windows are kept ${span} after their last update (CASSANDRA_TTL_WINDOWS_SECONDS): the history goes back to about ${fmtTime(now - ms)}.`;
}

export function HistoryPage(props: {
  form: HistoryForm;
  groups: string[];
  retentionSeconds: number;
  now: number;
}) {
  const f = props.form;
  return (
    <Layout title="History" active="history" scripts={["uPlot.iife.min.js", "charts.js", "history.js"]}>
      <PageHead title="History" sub="Stored windows from Cassandra, through GET /api/aggregates" />
      <p class="muted" id="history-retention">
        {retentionNote(props.retentionSeconds, props.now)}
      </p>
      <form id="history-form" class="toolbar" method="get" action="/history">
        <label>
          Group
          <select name="group">
            {props.groups.map((g) => (
              <option value={g} selected={f.group === g}>
                {groupLabel(g)}
              </option>
            ))}
          </select>
        </label>
        <label>
          Key
          <input name="key" value={f.key} placeholder="any (e.g. FR, female)" maxlength={100} />
        </label>
        <label>
          Range
          <select name="range">
            {RANGES.map(([v, l]) => (
              <option value={v} selected={f.range === v}>
                {l}
              </option>
            ))}
            <option value="custom" selected={f.range === "custom"}>
              From … to …
            </option>
          </select>
        </label>
        <label>
          From (UTC)
          <input type="datetime-local" name="from" step="1" value={fieldValue(f.from)} />
        </label>
        <label>
          To (UTC)
          <input type="datetime-local" name="to" step="1" value={fieldValue(f.to)} />
        </label>
        <label>
          Metric
          <select name="metric">
            {[
              ["count", "Count"],
              ["avgAge", "Average age"],
              ["maxAge", "Max age"],
              ["minAge", "Min age"],
            ].map(([v, l]) => (
              <option value={v} selected={f.metric === v}>
                {l}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" class="btn">
          Show
        </button>
      </form>
      {f.problem ? (
        <p class="card alert" id="history-problem">
          {f.problem}
        </p>
      ) : null}
      <section class="card">
        <div class="card-head">
          <h2 id="history-title">Windows</h2>
          <span class="muted" id="history-span">
            drag across the chart to zoom · double-click to reset
          </span>
        </div>
        <div id="history-chart" class="chart chart-tall" data-points="0" />
        <p id="history-status" class="status muted">
          Loading…
        </p>
      </section>
      <section class="card">
        <div class="card-head">
          <h2>Totals in range</h2>
        </div>
        <table class="table" id="history-table">
          <thead>
            <tr>
              <th>Key</th>
              <th class="num">Windows</th>
              <th class="num">Count</th>
              <th class="num">Avg age</th>
              <th class="num">Min</th>
              <th class="num">Max</th>
            </tr>
          </thead>
          <tbody />
        </table>
      </section>
    </Layout>
  );
}
