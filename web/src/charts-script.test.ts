import { readFileSync } from "node:fs";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";

// static/charts.js is plain browser JS; it runs here against small stand-ins for the DOM and uPlot.
const SOURCE = readFileSync(new URL("../static/charts.js", import.meta.url), "utf8");

type Listener = () => void;

class FakeElement {
  readonly listeners = new Map<string, Listener[]>();
  readonly classList = { contains: () => false };
  readonly dataset: Record<string, string> = {};
  clientWidth = 800;
  textContent = "";
  addEventListener(type: string, f: Listener) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), f]);
  }
  dispatch(type: string) {
    for (const f of this.listeners.get(type) ?? []) f();
  }
}

class FakePlot {
  static made: FakePlot[] = [];
  destroyed = false;
  legendCalls: number[] = [];
  readonly cursor = { idx: null };
  constructor(
    readonly opts: unknown,
    public data: number[][],
  ) {
    FakePlot.made.push(this);
  }
  destroy() {
    this.destroyed = true;
  }
  setData(data: number[][]) {
    this.data = data;
  }
  setLegend({ idx }: { idx: number }) {
    if (this.destroyed) throw new Error("setLegend on a destroyed plot");
    this.legendCalls.push(idx);
  }
  setSize() {}
}

interface Charts {
  lineChart(el: FakeElement, opts: object): { update(series: { label: string }[], data: number[][]): void };
}

function load(): Charts {
  const window: { PulseCharts?: Charts } = {};
  runInNewContext(SOURCE, {
    window,
    uPlot: FakePlot,
    ResizeObserver: class {
      observe() {}
    },
    requestAnimationFrame: () => 0,
    Intl,
  });
  if (!window.PulseCharts) throw new Error("charts.js did not define PulseCharts");
  return window.PulseCharts;
}

describe("static/charts.js lineChart", () => {
  it("listens for mouseleave once however often the chart is rebuilt, and shows the newest values on the current plot", () => {
    FakePlot.made = [];
    const el = new FakeElement();
    const chart = load().lineChart(el, {});
    const data = [
      [1, 2, 3],
      [4, 5, 6],
    ];
    chart.update([{ label: "a" }], data);
    chart.update([{ label: "b" }], data);
    chart.update([{ label: "c" }], data);
    chart.update([{ label: "c" }], data);
    expect(FakePlot.made).toHaveLength(3);
    expect(el.listeners.get("mouseleave")).toHaveLength(1);
    const current = FakePlot.made[2];
    const before = current?.legendCalls.length ?? 0;
    el.dispatch("mouseleave");
    expect(current?.legendCalls.slice(before)).toEqual([2]);
    expect(el.dataset.points).toBe("3");
    expect(el.dataset.last).toBe("3");
  });
});
