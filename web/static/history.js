// History: reads the form, asks GET /api/aggregates and draws a zoomable chart plus per-key totals.
(() => {
  const { lineChart, fmtNum, fmt1 } = window.PulseCharts;
  const RANGE_MS = {
    "15m": 900_000,
    "1h": 3_600_000,
    "6h": 21_600_000,
    "24h": 86_400_000,
    "7d": 604_800_000,
  };
  const MAX_SERIES = 10;
  const form = document.getElementById("history-form");
  const chartEl = document.getElementById("history-chart");
  const chart = lineChart(chartEl, {});
  const statusEl = document.getElementById("history-status");
  const metricLabel = { count: "Count", avgAge: "Average age", minAge: "Min age", maxAge: "Max age" };

  async function load() {
    const fd = new FormData(form);
    const group = fd.get("group");
    const key = String(fd.get("key") ?? "").trim();
    const metric = String(fd.get("metric"));
    const to = Date.now();
    const from = to - (RANGE_MS[fd.get("range")] ?? 3_600_000);
    const q = new URLSearchParams({ group, from: String(from), to: String(to) });
    if (key) q.set("key", key);
    statusEl.textContent = "Loading…";
    const t0 = performance.now();
    const res = await fetch(`/api/aggregates?${q}`);
    const body = await res.json();
    if (!res.ok) {
      statusEl.textContent = `Error ${res.status}: ${body.error}`;
      return;
    }
    const ms = Math.round(performance.now() - t0);
    draw(body.windows, metric);
    const keys = new Set(body.windows.map((w) => w.key));
    statusEl.textContent = `${fmtNum(body.windows.length)} windows · ${fmtNum(keys.size)} keys · loaded in ${ms} ms`;
    document.getElementById("history-title").textContent = `${metricLabel[metric] ?? metric} per window`;
  }

  function draw(windows, metric) {
    const totals = new Map();
    for (const w of windows) {
      const t = totals.get(w.key) ?? {
        key: w.key,
        windows: 0,
        count: 0,
        sumAge: 0,
        min: Infinity,
        max: -Infinity,
      };
      t.windows += 1;
      t.count += w.count;
      t.sumAge += w.sumAge;
      if (w.count) {
        t.min = Math.min(t.min, w.minAge);
        t.max = Math.max(t.max, w.maxAge);
      }
      totals.set(w.key, t);
    }
    const ranked = [...totals.values()].sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : 1));
    const keys = ranked.slice(0, MAX_SERIES).map((t) => t.key);
    const xs = [...new Set(windows.map((w) => w.windowStart))].sort((a, b) => a - b);
    const at = new Map(windows.map((w) => [`${w.key}|${w.windowStart}`, w]));
    const isAge = metric !== "count";
    chart.update(
      // The five biggest keys are drawn; the next five wait in the legend (click to show).
      keys.map((k, i) => ({
        label: k === "*" ? "All users" : k,
        scale: isAge ? "age" : "y",
        decimals: isAge,
        hidden: i >= 5,
      })),
      [
        xs.map((x) => x / 1000),
        ...keys.map((k) => xs.map((x) => at.get(`${k}|${x}`)?.[metric] ?? (isAge ? null : 0))),
      ],
    );
    const body = document.querySelector("#history-table tbody");
    body.replaceChildren(
      ...ranked.map((t) => {
        const tr = document.createElement("tr");
        const vals = [
          [t.key === "*" ? "All users" : t.key, ""],
          [fmtNum(t.windows), "num"],
          [fmtNum(t.count), "num"],
          [t.count ? fmt1(t.sumAge / t.count) : "—", "num"],
          [t.count ? fmtNum(t.min) : "—", "num"],
          [t.count ? fmtNum(t.max) : "—", "num"],
        ];
        for (const [text, cls] of vals) {
          const td = document.createElement("td");
          td.textContent = text;
          if (cls) td.className = cls;
          tr.append(td);
        }
        return tr;
      }),
    );
    if (xs.length === 0) statusEl.textContent = "No stored windows in this range.";
  }

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const q = new URLSearchParams(new FormData(form));
    history.replaceState(null, "", `/history?${q}`);
    load().catch((err) => {
      statusEl.textContent = `Failed: ${err.message}`;
    });
  });
  load().catch((err) => {
    statusEl.textContent = `Failed: ${err.message}`;
  });
})();
