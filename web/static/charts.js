// Shared uPlot helpers for the Overview and History pages. Data values reach the DOM only through
// textContent (here and inside uPlot), never as HTML.
(() => {
  const palette = [
    "#2563eb",
    "#db2777",
    "#059669",
    "#d97706",
    "#7c3aed",
    "#0891b2",
    "#dc2626",
    "#65a30d",
    "#475569",
    "#c026d3",
  ];
  const nf = new Intl.NumberFormat("en-US");
  const nf1 = new Intl.NumberFormat("en-US", { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const fmtNum = (v) => (v == null || !Number.isFinite(v) ? "—" : nf.format(Math.round(v)));
  const fmt1 = (v) => (v == null || !Number.isFinite(v) ? "—" : nf1.format(v));
  const fmtTime = (ms) => (ms == null ? "—" : `${new Date(ms).toISOString().slice(11, 19)} UTC`);
  const axis = {
    stroke: "#64748b",
    grid: { stroke: "#eef2f7", width: 1 },
    ticks: { stroke: "#e2e8f0", width: 1 },
    font: "12px system-ui, sans-serif",
  };

  function heightOf(el) {
    return el.classList.contains("chart-tall") ? 360 : 240;
  }

  const pad = (n) => String(n).padStart(2, "0");
  // Axis ticks in 24-hour UTC; the date is added where the day changes, and on the first tick when
  // the span is long or not today (a replayed recording).
  function timeTicks(_u, splits, _ax, _space, incr) {
    const today = new Date().toISOString().slice(0, 10);
    let lastDate = null;
    return splits.map((s) => {
      const d = new Date(s * 1000);
      const hm = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
      const label = incr < 60 ? `${hm}:${pad(d.getUTCSeconds())}` : hm;
      const date = d.toISOString().slice(0, 10);
      const show = lastDate === null ? incr >= 3600 || date !== today : date !== lastDate;
      lastDate = date;
      // The year only when it is not this one.
      const day = date.slice(0, 4) === today.slice(0, 4) ? date.slice(5) : date;
      return show ? `${label}\n${day}` : label;
    });
  }

  /**
   * A line chart over window starts. series: [{label, scale?, decimals?, hidden?}]; data: [xs(seconds), ...ys].
   * Rebuilt when the set of series changes, otherwise just fed new data. When the cursor is off the
   * chart, the legend shows the newest window's values. opts.onZoom(fromSec, toSec) follows a drag
   * across the chart, opts.onReset() the double-click that undoes it.
   */
  function lineChart(el, opts) {
    let plot = null;
    let signature = "";
    let hovering = false;
    const build = (series, data) => {
      plot?.destroy();
      el.textContent = "";
      const ageOnly = series.length > 0 && series.every((s) => s.scale === "age");
      const hasAge = series.some((s) => s.scale === "age");
      const dense = (data[0]?.length ?? 0) > 120;
      const ageAxis = { ...axis, scale: "age", label: "age (years)", labelSize: 18, size: 50 };
      plot = new uPlot(
        {
          width: Math.max(320, el.clientWidth),
          height: heightOf(el),
          cursor: { drag: { x: true, y: false, setScale: true } },
          scales: {
            x: { time: true },
            y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] },
            age: {
              range: (_u, min, max) => [
                Math.max(0, Math.floor((min ?? 0) / 10) * 10 - 10),
                Math.min(120, Math.ceil((max ?? 100) / 10) * 10 + 10),
              ],
            },
          },
          legend: { live: true },
          series: [
            { label: "Window (UTC)", value: (_u, v) => (v == null ? "—" : fmtTime(v * 1000)) },
            ...series.map((s, i) => ({
              label: s.label,
              scale: s.scale ?? "y",
              show: !s.hidden,
              stroke: s.color ?? palette[i % palette.length],
              width: dense ? 1.5 : 2,
              fill: s.fill ?? undefined,
              dash: s.dash,
              points: { show: !dense, size: 4 },
              value: (_u, v) => (s.decimals ? fmt1(v) : fmtNum(v)),
            })),
          ],
          axes: [
            { ...axis, values: timeTicks, size: 44, space: 90 },
            ageOnly ? ageAxis : { ...axis, label: opts.yLabel ?? "events", labelSize: 18, size: 56 },
            ...(hasAge && !ageOnly ? [{ ...ageAxis, side: 1, grid: { show: false } }] : []),
          ],
          hooks: {
            setSelect: [
              (u) => {
                if (u.select.width > 0)
                  opts.onZoom?.(
                    u.posToVal(u.select.left, "x"),
                    u.posToVal(u.select.left + u.select.width, "x"),
                  );
              },
            ],
            setCursor: [
              (u) => {
                hovering = u.cursor.idx != null;
              },
            ],
          },
        },
        data,
        el,
      );
    };
    const showLatest = () => {
      const n = plot?.data[0]?.length ?? 0;
      if (plot && n > 0 && !hovering) plot.setLegend({ idx: n - 1 });
    };
    // Once per chart, not per build: a chart rebuilds whenever its set of series changes.
    el.addEventListener("mouseleave", () => {
      hovering = false;
      showLatest();
    });
    el.addEventListener("dblclick", () => opts.onReset?.());
    new ResizeObserver(() =>
      plot?.setSize({ width: Math.max(320, el.clientWidth), height: heightOf(el) }),
    ).observe(el);
    return {
      update(series, data) {
        const sig = JSON.stringify(series.map((s) => [s.label, s.scale]));
        if (sig !== signature || !plot) {
          signature = sig;
          build(series, data);
        } else {
          plot.setData(data, opts.keepZoom !== true);
        }
        showLatest();
        // uPlot settles its cursor on the next frame after a build; show the newest values after that.
        requestAnimationFrame(showLatest);
        el.dataset.points = String(data[0]?.length ?? 0);
        el.dataset.last = String(data[0]?.at(-1) ?? "");
      },
    };
  }

  window.PulseCharts = { palette, lineChart, fmtNum, fmt1, fmtTime };
})();
