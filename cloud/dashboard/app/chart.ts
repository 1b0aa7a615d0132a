/**
 * The telemetry chart: one line per numeric measurement over the entries' device times (uPlot,
 * on a canvas), each on its own scale (a temperature and an uptime share no range); the axis is the
 * first one's. Strings and booleans are not plotted; the latest values table shows them.
 */
import uPlot from 'uplot';
import type { TelemetryEntry } from './api.js';

const COLOURS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2'];
/** Entries kept in the chart; older ones scroll off. */
const KEEP = 1000;

export class TelemetryChart {
  private entries: TelemetryEntry[] = [];
  private plot: uPlot | undefined;
  private names: string[] = [];

  constructor(private readonly container: HTMLElement) {}

  set(entries: TelemetryEntry[]): void {
    this.entries = entries.slice(-KEEP);
    this.draw();
  }

  add(entries: TelemetryEntry[]): void {
    this.set([...this.entries, ...entries].sort((a, b) => a.ts - b.ts));
  }

  /** Numeric measurement names, in the order they first appear. */
  private numericNames(): string[] {
    const names: string[] = [];
    for (const entry of this.entries) for (const [name, value] of Object.entries(entry.m)) if (typeof value === 'number' && !names.includes(name)) names.push(name);
    return names;
  }

  private draw(): void {
    const names = this.numericNames();
    const data: uPlot.AlignedData = [this.entries.map((e) => e.ts / 1000), ...names.map((name) => this.entries.map((e) => (typeof e.m[name] === 'number' ? (e.m[name] as number) : null)))];
    if (this.plot && names.join() === this.names.join()) {
      this.plot.setData(data);
      return;
    }
    this.plot?.destroy();
    this.names = names;
    if (names.length === 0) {
      this.container.textContent = 'No numeric telemetry yet.';
      return;
    }
    this.container.textContent = '';
    const width = Math.max(320, this.container.clientWidth || 720);
    this.plot = new uPlot(
      {
        width, height: 260,
        series: [{}, ...names.map((name, i) => ({ label: name, scale: name, stroke: COLOURS[i % COLOURS.length]!, width: 2, spanGaps: true }))],
        axes: [{}, { scale: names[0]!, size: 60 }],
        scales: { x: { time: true } },
      },
      data,
      this.container,
    );
  }

  destroy(): void {
    this.plot?.destroy();
  }
}
