// History: reads the form, asks GET /api/aggregates and draws a zoomable chart plus per-key totals.
// A range is either counted back from now or absolute (From/To, in UTC); the URL holds either, and a
// zoom, so any view can be linked to.
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
  const rangeEl = form.elements.range;
  const fromEl = form.elements.from;
  const toEl = form.elements.to;
  const chartEl = document.getElementById("history-chart");
  const statusEl = document.getElementById("history-status");
  const spanEl = document.getElementById("history-span");
  const metricLabel = { count: "Count", avgAge: "Average age", minAge: "Min age", maxAge: "Max age" };
  /** The range and choice of the last load, restored when a zoom is undone. */
  let loaded = null;

  // datetime-local fields carry no offset; the dashboard's times are UTC throughout.
  const toField = (ms) => new Date(ms).toISOString().slice(0, 19);
  const fromField = (v) => {
    if (!v) return null;
    const ms = Date.parse(`${v.length === 16 ? `${v}:00` : v}Z`);
    return Number.isFinite(ms) ? ms : null;
  };
  const iso = (ms) => `${toField(ms)}Z`;
  const fmtInstant = (ms) => toField(ms).replace("T", " ");
  const fmtSpan = (from, to) => `${fmtInstant(from)} – ${fmtInstant(to)} UTC`;

  function span() {
    if (rangeEl.value === "custom") {
      const from = fromField(fromEl.value);
      const to = fromField(toEl.value);
      return from === null || to === null ? null : { from, to };
    }
    const to = Date.now();
    return { from: to - (RANGE_MS[rangeEl.value] ?? 3_600_000), to };
  }

  function urlOf(range, s) {
    const fd = new FormData(form);
    const q = new URLSearchParams({ group: String(fd.get("group")) });
    const key = String(fd.get("key") ?? "").trim();
    if (key) q.set("key", key);
    q.set("range", range);
    if (range === "custom") {
      q.set("from", iso(s.from));
      q.set("to", iso(s.to));
    }
    q.set("metric", String(fd.get("metric")));
    return `/history?${q}`;
  }

  function showSpan(range, s) {
    rangeEl.value = range;
    fromEl.value = toField(s.from);
    toEl.value = toField(s.to);
    spanEl.textContent = `${fmtSpan(s.from, s.to)} · drag across the chart to zoom · double-click to reset`;
  }

  const chart = lineChart(chartEl, {
    onZoom(fromSec, toSec) {
      const s = { from: Math.floor(fromSec) * 1000, to: (Math.floor(toSec) + 1) * 1000 };
      showSpan("custom", s);
      history.replaceState(null, "", urlOf("custom", s));
    },
    onReset() {
      if (!loaded) return;
      showSpan(loaded.range, loaded.span);
      history.replaceState(null, "", urlOf(loaded.range, loaded.span));
    },
  });

  async function load() {
    const s = span();
    if (!s) {
      statusEl.textContent = "Choose a From and a To time (UTC) for this range.";
      return;
    }
    const fd = new FormData(form);
    const key = String(fd.get("key") ?? "").trim();
    const metric = String(fd.get("metric"));
    const q = new URLSearchParams({ group: String(fd.get("group")), from: String(s.from), to: String(s.to) });
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
    loaded = { range: rangeEl.value, span: s };
    showSpan(loaded.range, s);
    draw(body.windows, metric);
    const keys = new Set(body.windows.map((w) => w.key));
    statusEl.textContent =
      body.windows.length === 0
        ? `No stored windows from ${fmtSpan(s.from, s.to)}.`
        : `${fmtNum(body.windows.length)} windows · ${fmtNum(keys.size)} keys · loaded in ${ms} ms`;
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
  }

  const fail = (err) => {
    statusEl.textContent = `Failed: ${err.message}`;
  };
  // Editing a time makes the range absolute.
  for (const el of [fromEl, toEl])
    el.addEventListener("input", () => {
      rangeEl.value = "custom";
    });
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const s = span();
    if (s) history.replaceState(null, "", urlOf(rangeEl.value, s));
    load().catch(fail);
  });
  load().catch(fail);
})();
