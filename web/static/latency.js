// The Pipeline page's end-to-end latency chart: p50 and p99 of each stage (ms), polled from /api/latency
// every 2 s and kept for the last 10 minutes in this tab.
(() => {
  const KEEP = 300;
  const stages = [
    ["processed", "processed"],
    ["emitted", "window emitted"],
    ["delivered", "delivered"],
  ];
  const series = stages.flatMap(([, label], i) => [
    { label: `${label} p50`, decimals: true, color: window.PulseCharts.palette[i] },
    { label: `${label} p99`, decimals: true, color: window.PulseCharts.palette[i], dash: [6, 4] },
  ]);
  document.addEventListener("DOMContentLoaded", () => {
    const el = document.getElementById("latency-chart");
    const status = document.getElementById("latency-status");
    if (!el) return;
    const chart = window.PulseCharts.lineChart(el, { yLabel: "ms" });
    const data = [[], ...series.map(() => [])];
    const tick = async () => {
      try {
        const res = await fetch("/api/latency", { headers: { Accept: "application/json" } });
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        const l = await res.json();
        data[0].push(l.at / 1000);
        stages.forEach(([key], i) => {
          data[1 + 2 * i].push(l[key]?.p50 ?? null);
          data[2 + 2 * i].push(l[key]?.p99 ?? null);
        });
        for (const col of data) if (col.length > KEEP) col.shift();
        chart.update(series, data);
        const d = l.delivered;
        status.textContent =
          d?.p99 == null
            ? "produced → processed → window emitted → delivered to the browser · no delivery measured yet"
            : `delivered p50 ${window.PulseCharts.fmt1(d.p50)} ms · p99 ${window.PulseCharts.fmt1(d.p99)} ms`;
      } catch (err) {
        status.textContent = `latency not read: ${err.message}`;
      }
    };
    tick();
    setInterval(tick, 2000);
  });
})();
