import { Kpi, Layout, PageHead } from "./layout.tsx";

export function OverviewPage(props: { windowSizeMs: number; transport: "sse" | "ws" }) {
  const seconds = props.windowSizeMs / 1000;
  return (
    <Layout title="Overview" active="overview" scripts={["uPlot.iife.min.js", "charts.js", "live.js"]}>
      <div id="live-root" data-window-ms={String(props.windowSizeMs)} data-transport={props.transport} />
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
        <section class="card">
          <div class="card-head">
            <h2>By gender</h2>
            <span class="muted">count per window</span>
          </div>
          <div id="chart-gender" class="chart" data-points="0">
            <p class="chart-empty">Waiting for window updates from the aggregates topic…</p>
          </div>
        </section>
        <section class="card">
          <div class="card-head">
            <h2>By nationality</h2>
            <span class="muted">top 8 by count in view</span>
          </div>
          <div id="chart-nat" class="chart" data-points="0">
            <p class="chart-empty">Waiting for window updates from the aggregates topic…</p>
          </div>
        </section>
        <section class="card span-2">
          <div class="card-head">
            <h2>Latest window by nationality</h2>
            <span class="muted" id="nat-window">
              —
            </span>
          </div>
          <table class="table" id="nat-table">
            <thead>
              <tr>
                <th>Nationality</th>
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
      </div>
    </Layout>
  );
}
