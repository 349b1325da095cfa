/**
 * Horizontal bar charts in HTML and CSS (no scripts, no external assets), one card each: one
 * unit per axis, a linear axis unless the values span orders of magnitude (then a log axis with
 * a visible note), the legend inside the card (wrapping), long labels cut with a tooltip.
 */
import { escapeHtml } from './escape.js';

export interface Bar {
  series: string;
  value: number;
  /** Extra text for the tooltip (e.g. "p99 1.2 ms", "INCOMPLETE"). */
  note?: string;
  /** Drawn hatched, with the note next to the value (e.g. an incomplete run). */
  flagged?: boolean;
}

export interface BarGroup {
  label: string;
  bars: Bar[];
}

export interface ChartSpec {
  title: string;
  /** The axis unit, once for the whole chart: "round trips per second", "ms". */
  unit: string;
  groups: BarGroup[];
  /** Formats a value in the axis unit (default: 12.3k style). */
  format?: (value: number) => string;
  /** A vertical reference line (e.g. a target). */
  reference?: { value: number; label: string };
  /** Force the scale; by default log only when the largest value is ≥ LOG_SPAN × the smallest. */
  scale?: 'linear' | 'log';
}

/** Largest ÷ smallest value from which an axis goes logarithmic. */
export const LOG_SPAN = 100;

export const PALETTE = ['#6b7280', '#2563eb', '#16a34a', '#d97706', '#9333ea', '#dc2626', '#0891b2'];

/** 1234567 → "1.2M", 67250 → "67.3k", 980 → "980", 2.5 → "2.5". */
export function short(n: number): string {
  const abs = Math.abs(n);
  if (abs >= 1e6) return `${+(n / 1e6).toFixed(abs >= 1e7 ? 0 : 1)}M`;
  if (abs >= 1e3) return `${+(n / 1e3).toFixed(abs >= 1e4 ? 0 : 1)}k`;
  if (abs >= 10) return `${Math.round(n)}`;
  if (abs >= 1) return `${+n.toFixed(1)}`;
  return `${+n.toPrecision(2)}`;
}

function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v * 0.9999) return m * p;
  return 10 * p;
}

export interface Axis {
  scale: 'linear' | 'log';
  ticks: number[];
  /** Position of a value along the axis, 0…100 (%). */
  at(value: number): number;
}

export function axisFor(values: number[], reference?: number, force?: 'linear' | 'log'): Axis {
  const positive = values.filter((v) => v > 0 && Number.isFinite(v));
  const max = Math.max(1e-9, ...positive, reference ?? 0);
  const min = positive.length ? Math.min(...positive, reference ?? Infinity) : max;
  const scale = force ?? (max / min >= LOG_SPAN ? 'log' : 'linear');
  if (scale === 'log') {
    const lo = 10 ** Math.floor(Math.log10(min));
    const hi = 10 ** Math.ceil(Math.log10(max * 1.0001));
    const ticks: number[] = [];
    for (let t = lo; t <= hi * 1.0001; t *= 10) ticks.push(t);
    const span = Math.log10(hi) - Math.log10(lo) || 1;
    return {
      scale,
      ticks,
      at: (v) => (v <= 0 ? 0 : Math.max(0, Math.min(100, ((Math.log10(v) - Math.log10(lo)) / span) * 100))),
    };
  }
  const hi = niceMax(max);
  const mantissa = hi / 10 ** Math.floor(Math.log10(hi));
  const steps = mantissa === 2 ? 4 : 5; // gridlines at 0.2, 0.5 or 1 × a power of ten
  const ticks = Array.from({ length: steps + 1 }, (_, i) => (hi * i) / steps);
  return { scale, ticks, at: (v) => Math.max(0, Math.min(100, (v / hi) * 100)) };
}

/** The group label column: as wide as the longest label (about 0.6 em a character at 12 px), 3–11 em. */
function labelEm(groups: BarGroup[]): string {
  const longest = Math.max(0, ...groups.map((g) => [...g.label].length));
  return Math.min(11, Math.max(3, longest * 0.62 + 0.8)).toFixed(1);
}

export function barChart(spec: ChartSpec): string {
  const series = [...new Set(spec.groups.flatMap((g) => g.bars.map((b) => b.series)))];
  const color = (s: string): string => PALETTE[series.indexOf(s) % PALETTE.length]!;
  const format = spec.format ?? short;
  const axis = axisFor(
    spec.groups.flatMap((g) => g.bars.map((b) => b.value)),
    spec.reference?.value,
    spec.scale,
  );
  const ref = spec.reference
    ? `<span class="ref" style="left:${axis.at(spec.reference.value).toFixed(2)}%"></span>`
    : '';
  const rows = spec.groups
    .map((g) => {
      const bars = g.bars
        .map((b) => {
          const shown = `${format(b.value)}${b.flagged && b.note ? ` ${b.note}` : ''}`;
          const tip = `${g.label} · ${b.series}: ${format(b.value)} ${spec.unit}${b.note ? ` (${b.note})` : ''}`;
          const cls = b.flagged ? 'bar flagged' : 'bar';
          return (
            `<div class="row" title="${escapeHtml(tip)}"><span class="track">${ref}<span class="${cls}" ` +
            `style="width:${axis.at(b.value).toFixed(2)}%;background-color:${color(b.series)}"></span></span>` +
            `<span class="val">${escapeHtml(shown)}</span></div>`
          );
        })
        .join('');
      return `<div class="group"><div class="glabel" title="${escapeHtml(g.label)}">${escapeHtml(g.label)}</div><div class="bars">${bars}</div></div>`;
    })
    .join('');
  const ticks = axis.ticks
    .map((t, i) => {
      const edge = i === 0 ? ' first' : i === axis.ticks.length - 1 ? ' last' : '';
      return `<span class="tick${edge}" style="left:${axis.at(t).toFixed(2)}%">${escapeHtml(format(t))}</span>`;
    })
    .join('');
  const gridStep = 100 / Math.max(1, axis.ticks.length - 1);
  const legend = series
    .map((s) => `<li><span class="swatch" style="background-color:${color(s)}"></span>${escapeHtml(s)}</li>`)
    .join('');
  const notes = [
    axis.scale === 'log' ? '<span class="scale-note">log scale: each gridline is 10× the one before</span>' : '',
    spec.reference ? `<span class="ref-note">dashed line: ${escapeHtml(spec.reference.label)}</span>` : '',
  ].join('');
  return (
    `<figure class="card chart" data-scale="${axis.scale}">` +
    `<figcaption><h3 title="${escapeHtml(spec.title)}">${escapeHtml(spec.title)}</h3>` +
    `<p class="unit">${escapeHtml(spec.unit)}${notes}</p></figcaption>` +
    `<ul class="legend">${legend}</ul>` +
    `<div class="plot" style="--grid:${gridStep.toFixed(3)}%;--label:${labelEm(spec.groups)}em">${rows}` +
    `<div class="axis"><span class="ticks">${ticks}</span></div></div></figure>`
  );
}
