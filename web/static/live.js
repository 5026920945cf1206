// Overview: keeps the merged windows the server streams (SSE or WebSocket) and redraws the charts.
(() => {
  const { lineChart, fmtNum, fmt1, fmtTime } = window.PulseCharts;
  const root = document.getElementById("live-root");
  const windowMs = Number(root.dataset.windowMs) || 10_000;
  const transport = root.dataset.transport === "ws" ? "ws" : "sse";
  const VIEW = 60;
  const TOP_KEYS = Number(root.dataset.topKeys) || 8;
  const TABLE_ROWS = 10;
  const windows = new Map();
  let lastId = null;
  let lastUpdateAt = null;
  let pending = false;

  const status = document.getElementById("live-status");
  const setStatus = (state, text) => {
    status.dataset.state = state;
    status.textContent = text;
  };
  const setText = (id, text) => {
    const el = document.getElementById(id);
    if (el) el.textContent = text;
  };

  // One chart per configured group-by field, as the page rendered them (data-group).
  const allChart = lineChart(document.getElementById("chart-all"), {});
  const groupCharts = [...document.querySelectorAll(".chart[data-group]")].map((el) => ({
    group: el.dataset.group,
    chart: lineChart(el, {}),
  }));
  const table = document.querySelector("[data-table-group]");

  function apply(type, list, id) {
    if (type === "snapshot") windows.clear();
    for (const w of list) windows.set(`${w.group}|${w.key}|${w.windowStart}`, w);
    lastId = id;
    lastUpdateAt = Date.now();
    if (!pending) {
      pending = true;
      setTimeout(render, 200);
    }
  }

  function seriesFor(rows, xs, keys, field) {
    const at = new Map(rows.map((w) => [`${w.key}|${w.windowStart}`, w]));
    return keys.map((k) => xs.map((x) => at.get(`${k}|${x}`)?.[field] ?? 0));
  }

  function render() {
    pending = false;
    const list = [...windows.values()];
    if (list.length === 0) return;
    const newest = Math.max(...list.map((w) => w.windowStart));
    const from = newest - (VIEW - 1) * windowMs;
    for (const [k, w] of windows) if (w.windowStart < from) windows.delete(k);
    const inView = [...windows.values()];
    const xs = [...new Set(inView.map((w) => w.windowStart))].sort((a, b) => a - b);
    const secs = xs.map((x) => x / 1000);
    const by = (g) => inView.filter((w) => w.group === g);

    const all = by("all");
    const allAt = new Map(all.map((w) => [w.windowStart, w]));
    allChart.update(
      [
        { label: "Events", fill: "rgba(37, 99, 235, 0.08)" },
        { label: "Average age", scale: "age", decimals: true, color: "#d97706", dash: [6, 4] },
      ],
      [secs, xs.map((x) => allAt.get(x)?.count ?? 0), xs.map((x) => allAt.get(x)?.avgAge ?? null)],
    );

    for (const { group, chart } of groupCharts) {
      const rows = by(group);
      const totals = new Map();
      for (const w of rows) totals.set(w.key, (totals.get(w.key) ?? 0) + w.count);
      const keys = [...totals.entries()]
        .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
        .slice(0, TOP_KEYS)
        .map(([k]) => k)
        .sort();
      chart.update(
        keys.map((k) => ({ label: k })),
        [secs, ...seriesFor(rows, xs, keys, "count")],
      );
    }

    const latestFinal = [...all].reverse().find((w) => w.final) ?? all[all.length - 1];
    setText("kpi-rate", latestFinal ? fmt1(latestFinal.count / (windowMs / 1000)) : "—");
    const minuteFrom = newest - 60_000 + windowMs;
    const minute = all.filter((w) => w.windowStart >= minuteFrom);
    const mCount = minute.reduce((a, w) => a + w.count, 0);
    const mAge = minute.reduce((a, w) => a + w.sumAge, 0);
    setText("kpi-minute", fmtNum(mCount));
    setText("kpi-age", mCount ? fmt1(mAge / mCount) : "—");
    setText("kpi-open", fmtNum(all.filter((w) => !w.final).length));
    setText("kpi-updated", fmtTime(lastUpdateAt));
    if (table) renderTable(by(table.dataset.tableGroup), all);
  }

  function renderTable(groupRows, all) {
    const latest = [...all].reverse().find((w) => w.final) ?? all[all.length - 1];
    if (!latest) return;
    const ranked = groupRows
      .filter((w) => w.windowStart === latest.windowStart)
      .sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : 1));
    const rows = ranked.slice(0, TABLE_ROWS);
    const rest = ranked.slice(TABLE_ROWS);
    if (rest.length > 0) {
      const count = rest.reduce((a, w) => a + w.count, 0);
      const sumAge = rest.reduce((a, w) => a + w.sumAge, 0);
      rows.push({
        key: `${rest.length} others`,
        count,
        avgAge: count ? sumAge / count : null,
        minAge: Math.min(...rest.map((w) => w.minAge)),
        maxAge: Math.max(...rest.map((w) => w.maxAge)),
        final: latest.final,
      });
    }
    setText(
      `${table.dataset.tableGroup}-window`,
      `${fmtTime(latest.windowStart)} – ${fmtTime(latest.windowEnd)} · ${latest.final ? "final" : "open"}`,
    );
    const body = table.querySelector("tbody");
    const cells = (w) => [
      [w.key, ""],
      [fmtNum(w.count), "num"],
      [latest.count ? `${fmt1((100 * w.count) / latest.count)} %` : "—", "num"],
      [fmt1(w.avgAge), "num"],
      [fmtNum(w.minAge), "num"],
      [fmtNum(w.maxAge), "num"],
      [w.final ? "final" : "open", ""],
    ];
    body.replaceChildren(
      ...rows.map((w) => {
        const tr = document.createElement("tr");
        for (const [text, cls] of cells(w)) {
          const td = document.createElement("td");
          td.textContent = text;
          if (cls) td.className = cls;
          tr.append(td);
        }
        return tr;
      }),
    );
  }

  function openSse() {
    const es = new EventSource("/api/stream");
    const on = (type) => (e) => apply(type, JSON.parse(e.data), e.lastEventId);
    es.addEventListener("snapshot", on("snapshot"));
    es.addEventListener("update", on("update"));
    es.onopen = () => setStatus("live", "live · SSE");
    // EventSource reconnects by itself and sends Last-Event-ID, so the server resumes where we were.
    es.onerror = () => setStatus("connecting", "reconnecting…");
  }

  function openWs() {
    const url = new URL("/ws", location.href);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    if (lastId) url.searchParams.set("lastEventId", lastId);
    const ws = new WebSocket(url);
    ws.onopen = () => setStatus("live", "live · WebSocket");
    ws.onmessage = (e) => {
      const m = JSON.parse(e.data);
      apply(m.type, m.windows, m.id);
    };
    ws.onclose = () => {
      setStatus("connecting", "reconnecting…");
      setTimeout(openWs, 1500);
    };
  }

  setInterval(() => {
    if (lastUpdateAt) setText("kpi-updated", `${fmtTime(lastUpdateAt)}`);
  }, 5000);
  if (transport === "ws") openWs();
  else openSse();
})();
