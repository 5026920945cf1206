import { groupLabel } from "./group-labels.ts";
import { Kpi, Layout, PageHead } from "./layout.tsx";

/** Keys a group's chart draws: the most frequent in view (a gender has two, a city thousands). */
const CHART_TOP_KEYS = 8;

/**
 * The live page. Its charts are the configured groups' (`groups`: "all" and each GROUP_BY field the
 * processors publish, aggregation-groups.ts): one chart per group-by field, and the latest window's
 * table of the first one, so a new group-by is charted without a change here. live.js finds them by
 * their data-group attributes.
 */
export function OverviewPage(props: { windowSizeMs: number; transport: "sse" | "ws"; groups: string[] }) {
  const seconds = props.windowSizeMs / 1000;
  const fields = props.groups.filter((g) => g !== "all");
  const first = fields[0];
  return (
    <Layout title="Overview" active="overview" scripts={["uPlot.iife.min.js", "charts.js", "live.js"]}>
      <div
        id="live-root"
        data-window-ms={String(props.windowSizeMs)}
        data-transport={props.transport}
        data-top-keys={String(CHART_TOP_KEYS)}
      />
      <PageHead title="Overview" sub={`Live event-time windows of ${seconds} s, merged over all partitions`}>
        <span class="pill" id="live-status" data-state="connecting">
          connecting…
        </span>
        <span class="seg">
          <a href="/?transport=sse" class={props.transport === "sse" ? "on" : ""}>
            SSE
          </a>
          <a href="/?transport=ws" class={props.transport === "ws" ? "on" : ""}>
            WebSocket
          </a>
        </span>
      </PageHead>
      <section class="kpis">
        <Kpi label="Events / s" value="—" id="kpi-rate" hint="latest window" />
        <Kpi label="Events, last minute" value="—" id="kpi-minute" hint="sum of 60 s of windows" />
        <Kpi label="Average age" value="—" id="kpi-age" hint="last minute" />
        <Kpi label="Open windows" value="—" id="kpi-open" hint="not yet final" />
        <Kpi label="Last update" value="—" id="kpi-updated" hint="from the aggregates topic" />
      </section>
      <div
        id="health"
        class="health"
        hx-get="/fragments/health"
        hx-trigger="load, every 5s"
        hx-swap="innerHTML"
      >
        <span class="muted">Loading pipeline health…</span>
      </div>
      <div class="grid">
        <section class="card span-2">
          <div class="card-head">
            <h2>Events per window</h2>
            <span class="muted">all users · count (left) and average age (right)</span>
          </div>
          <div id="chart-all" class="chart" data-points="0">
            <p class="chart-empty">Waiting for window updates from the aggregates topic…</p>
          </div>
        </section>
        {fields.map((g) => (
          <section class="card" data-group-card={g}>
            <div class="card-head">
              <h2>By {groupLabel(g).toLowerCase()}</h2>
              <span class="muted">top {CHART_TOP_KEYS} by count in view · count per window</span>
            </div>
            <div id={`chart-${g}`} class="chart" data-points="0" data-group={g}>
              <p class="chart-empty">Waiting for window updates from the aggregates topic…</p>
            </div>
          </section>
        ))}
        {first === undefined ? null : (
          <section class="card span-2">
            <div class="card-head">
              <h2>Latest window by {groupLabel(first).toLowerCase()}</h2>
              <span class="muted" id={`${first}-window`} data-window-of={first}>
                —
              </span>
            </div>
            <table class="table" id={`${first}-table`} data-table-group={first}>
              <thead>
                <tr>
                  <th>{groupLabel(first)}</th>
                  <th class="num">Count</th>
                  <th class="num">Share</th>
                  <th class="num">Avg age</th>
                  <th class="num">Min</th>
                  <th class="num">Max</th>
                  <th>State</th>
                </tr>
              </thead>
              <tbody>
                <tr>
                  <td colspan={7} class="muted">
                    Waiting for windows…
                  </td>
                </tr>
              </tbody>
            </table>
          </section>
        )}
      </div>
    </Layout>
  );
}
