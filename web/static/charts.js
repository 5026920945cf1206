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

  /**
   * A line chart over window starts. series: [{label, scale?, decimals?}]; data: [xs(seconds), ...ys].
   * Rebuilt when the set of series changes, otherwise just fed new data.
   */
  function lineChart(el, opts) {
    let plot = null;
    let signature = "";
    const build = (series, data) => {
      plot?.destroy();
      el.textContent = "";
      const hasAge = series.some((s) => s.scale === "age");
      plot = new uPlot(
        {
          width: Math.max(320, el.clientWidth),
          height: heightOf(el),
          tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"),
          cursor: { drag: { x: true, y: false, setScale: true } },
          scales: {
            x: { time: true },
            y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] },
            age: { range: [0, 100] },
          },
          legend: { live: true },
          series: [
            { label: "Window (UTC)", value: (_u, v) => (v == null ? "—" : fmtTime(v * 1000)) },
            ...series.map((s, i) => ({
              label: s.label,
              scale: s.scale ?? "y",
              stroke: s.color ?? palette[i % palette.length],
              width: 2,
              fill: s.fill ?? undefined,
              dash: s.dash,
              points: { show: true, size: 4 },
              value: (_u, v) => (s.decimals ? fmt1(v) : fmtNum(v)),
            })),
          ],
          axes: [
            { ...axis },
            { ...axis, label: opts.yLabel ?? "events", labelSize: 18, size: 56 },
            ...(hasAge
              ? [
                  {
                    ...axis,
                    scale: "age",
                    side: 1,
                    label: "age (years)",
                    labelSize: 18,
                    size: 50,
                    grid: { show: false },
                  },
                ]
              : []),
          ],
        },
        data,
        el,
      );
    };
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
        el.dataset.points = String(data[0]?.length ?? 0);
      },
    };
  }

  window.PulseCharts = { palette, lineChart, fmtNum, fmt1, fmtTime };
})();
