/** Grouped bar charts as inline SVG (no scripts, no external assets). */

export interface Bar {
  series: string;
  value: number;
  /** Shown on hover. */
  label?: string;
}

export interface BarGroup {
  label: string;
  bars: Bar[];
}

export interface ChartSpec {
  title: string;
  unit: string;
  groups: BarGroup[];
  /** Log scale (for values spanning orders of magnitude). */
  log?: boolean;
  /** A horizontal reference line (e.g. ratio 1). */
  reference?: { value: number; label: string };
}

export const PALETTE = ['#6b7280', '#2563eb', '#16a34a', '#d97706', '#9333ea', '#dc2626', '#0891b2'];

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function short(n: number): string {
  const abs = Math.abs(n);
  if (abs >= 1e6) return `${+(n / 1e6).toFixed(1)}M`;
  if (abs >= 1e3) return `${+(n / 1e3).toFixed(1)}k`;
  if (abs >= 1) return `${+n.toFixed(1)}`;
  return `${+n.toPrecision(2)}`;
}

export function barChart(spec: ChartSpec): string {
  const series = [...new Set(spec.groups.flatMap((g) => g.bars.map((b) => b.series)))];
  const color = (s: string): string => PALETTE[series.indexOf(s) % PALETTE.length]!;
  const values = spec.groups.flatMap((g) => g.bars.map((b) => b.value)).filter((v) => v > 0);
  const barW = 18;
  const gap = 22;
  const left = 64;
  const top = 36;
  const plotH = 200;
  // A group is as wide as its bars or its label, whichever is wider.
  const groupW = (g: BarGroup): number => Math.max(g.bars.length * barW, g.label.length * 6.2) + gap;
  const width = Math.max(360, left + spec.groups.reduce((w, g) => w + groupW(g), 0) + 16);
  const height = top + plotH + 64;
  const max = values.length ? Math.max(...values, spec.reference?.value ?? 0) : 1;
  const minLog = values.length ? Math.max(1e-3, Math.min(...values)) : 1;
  const lo = spec.log ? 10 ** Math.floor(Math.log10(minLog)) : 0;
  const hi = spec.log ? 10 ** Math.ceil(Math.log10(max * 1.0001)) : niceMax(max);
  const mantissa = hi / 10 ** Math.floor(Math.log10(hi));
  const linearTicks = mantissa === 2 ? 4 : 5; // steps of 0.2, 0.5 or 1 × a power of ten
  const y = (v: number): number => {
    if (spec.log) {
      const f = (Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo) || 1);
      return top + plotH - f * plotH;
    }
    return top + plotH - (v / hi) * plotH;
  };
  const ticks: number[] = [];
  if (spec.log) for (let t = lo; t <= hi * 1.0001; t *= 10) ticks.push(t);
  else for (let i = 0; i <= linearTicks; i++) ticks.push((hi * i) / linearTicks);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(spec.title)}">`,
    `<text x="${left}" y="18" font-size="13" font-weight="600">${escapeXml(spec.title)}</text>`,
    `<text x="${left}" y="30" font-size="10" fill="#6b7280">${escapeXml(spec.unit)}${spec.log ? ' (log scale)' : ''}</text>`,
  ];
  for (const t of ticks) {
    const ty = y(t).toFixed(1);
    parts.push(`<line x1="${left}" x2="${width - 8}" y1="${ty}" y2="${ty}" stroke="#e5e7eb"/>`);
    parts.push(
      `<text x="${left - 6}" y="${ty}" font-size="10" text-anchor="end" dominant-baseline="middle" fill="#6b7280">${short(t)}</text>`,
    );
  }
  let x = left + gap / 2;
  for (const g of spec.groups) {
    const start = x;
    x += (groupW(g) - gap - g.bars.length * barW) / 2;
    for (const b of g.bars) {
      const by = y(b.value);
      const h = Math.max(0, top + plotH - by);
      const tip = `${g.label} · ${b.series}: ${b.label ?? short(b.value)}`;
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${by.toFixed(1)}" width="${barW - 2}" height="${h.toFixed(1)}" fill="${color(b.series)}"><title>${escapeXml(tip)}</title></rect>`,
      );
      x += barW;
    }
    const cx = start + (groupW(g) - gap) / 2;
    parts.push(
      `<text x="${cx.toFixed(1)}" y="${top + plotH + 14}" font-size="10" text-anchor="middle">${escapeXml(g.label)}</text>`,
    );
    x = start + groupW(g);
  }
  if (spec.reference) {
    const ry = y(spec.reference.value).toFixed(1);
    parts.push(`<line x1="${left}" x2="${width - 8}" y1="${ry}" y2="${ry}" stroke="#dc2626" stroke-dasharray="4 3"/>`);
    parts.push(
      `<text x="${width - 10}" y="${Number(ry) - 4}" font-size="10" text-anchor="end" fill="#dc2626">${escapeXml(spec.reference.label)}</text>`,
    );
  }
  let lx = left;
  const ly = top + plotH + 36;
  for (const s of series) {
    parts.push(`<rect x="${lx}" y="${ly - 9}" width="10" height="10" fill="${color(s)}"/>`);
    parts.push(`<text x="${lx + 14}" y="${ly}" font-size="11">${escapeXml(s)}</text>`);
    lx += 24 + s.length * 6.5;
  }
  parts.push(`<line x1="${left}" x2="${left}" y1="${top}" y2="${top + plotH}" stroke="#9ca3af"/>`);
  parts.push('</svg>');
  return parts.join('\n');
}
