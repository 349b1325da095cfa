/**
 * One self-contained HTML page (no scripts, no external assets) that fits 1,280 px: the machine
 * and the targets first, then per family its charts (cards in a grid that wraps) and its table.
 */
import type { BenchResults, Family } from '../results.js';
import { columnAligns } from './align.js';
import { chartsFor } from './charts.js';
import { escapeHtml } from './escape.js';
import { buildSections, machineLines, type Section } from './sections.js';

const STYLE = `
*,*::before,*::after{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#111827;background:#f9fafb}
main{max-width:1280px;margin:0 auto;padding:20px 24px 40px}
h1{font-size:22px;margin:0 0 12px}h2{font-size:18px;margin:28px 0 8px}
h3{font-size:14px;margin:0;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.card{background:#fff;border:1px solid #e5e7eb;border-radius:8px;padding:12px 14px;min-width:0;margin:0;overflow-wrap:anywhere}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,360px),1fr));gap:14px;margin:10px 0 14px}
.note{color:#4b5563;margin:4px 0 10px;max-width:100ch}
.machine ul{margin:0;padding-left:18px}
.unit{margin:2px 0 6px;color:#4b5563;font-size:12px}
.scale-note,.ref-note{display:inline-block;margin-left:8px;padding:0 6px;border-radius:4px;font-size:11px}
.scale-note{background:#fef3c7;color:#92400e}.ref-note{background:#fee2e2;color:#991b1b}
.legend{list-style:none;margin:0 0 8px;padding:0;display:flex;flex-wrap:wrap;gap:2px 14px;font-size:12px}
.legend li{display:flex;align-items:center;gap:5px;min-width:0}
.swatch{width:10px;height:10px;border-radius:2px;flex:none}
.plot{--label:7.5em;--value:5.5em}
.group{display:grid;grid-template-columns:var(--label) minmax(0,1fr);align-items:center;border-top:1px solid #f3f4f6;padding:3px 0}
.glabel{font-size:12px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis;padding-right:6px}
.bars{min-width:0}
.row{display:grid;grid-template-columns:minmax(0,1fr) var(--value);align-items:center;gap:6px;height:16px}
.track{position:relative;height:11px;background-image:repeating-linear-gradient(to right,#e5e7eb 0 1px,transparent 1px var(--grid));background-size:calc(100% + 1px) 100%}
.bar{position:absolute;left:0;top:0;bottom:0;border-radius:0 2px 2px 0;min-width:1px}
.bar.flagged{background-image:repeating-linear-gradient(45deg,rgba(255,255,255,.6) 0 3px,transparent 3px 6px)}
.ref{position:absolute;top:-3px;bottom:-3px;border-left:2px dashed #dc2626;z-index:1}
.val{font-size:11px;font-variant-numeric:tabular-nums;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.axis{display:grid;grid-template-columns:var(--label) minmax(0,1fr) var(--value);height:16px;margin-left:0;border-top:1px solid #d1d5db}
.ticks{grid-column:2;position:relative;font-size:10px;color:#6b7280}
.tick{position:absolute;top:1px;transform:translateX(-50%);white-space:nowrap}
.tick.first{transform:none}.tick.last{transform:translateX(-100%)}
.table-card{overflow-x:auto}
table{border-collapse:collapse;font-size:12.5px;width:100%;overflow-wrap:break-word}
th,td{border-bottom:1px solid #e5e7eb;padding:3px 6px;vertical-align:top;text-align:left}
th{background:#f3f4f6;font-weight:600}
td.num,th.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
th.num{white-space:normal}
tr.bad td{background:#fef2f2}
`;

function table(s: Section): string {
  const aligns = columnAligns(s.headers, s.rows);
  const cls = (i: number): string => (aligns[i] === 'right' ? ' class="num"' : '');
  const head = `<tr>${s.headers.map((h, i) => `<th${cls(i)}>${escapeHtml(h)}</th>`).join('')}</tr>`;
  const rows = s.rows
    .map((row) => {
      const bad = row.some((c) => c === 'MISSED' || c.startsWith('incomplete'));
      return `<tr${bad ? ' class="bad"' : ''}>${row.map((c, i) => `<td${cls(i)}>${escapeHtml(c)}</td>`).join('')}</tr>`;
    })
    .join('\n');
  return `<div class="card table-card"><table><thead>${head}</thead><tbody>\n${rows}</tbody></table></div>`;
}

function section(s: Section, charts: string[] = []): string {
  const note = s.note ? `<p class="note">${escapeHtml(s.note)}</p>` : '';
  const grid = charts.length ? `<div class="grid">${charts.join('\n')}</div>` : '';
  return `<section id="${escapeHtml(s.id)}"><h2>${escapeHtml(s.title)}</h2>${note}${grid}${table(s)}</section>`;
}

export function formatHtml(r: BenchResults): string {
  const charts = chartsFor(r);
  const sections = buildSections(r);
  const targets = sections.find((s) => s.id === 'targets');
  const body = sections
    .filter((s) => s !== targets)
    .map((s) => section(s, charts[s.id as Family]))
    .join('\n');
  const machine = machineLines(r)
    .map((l) => `<li>${escapeHtml(l)}</li>`)
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Brine benchmarks ${escapeHtml(r.startedAt)}</title>
<style>${STYLE}</style></head><body><main>
<h1>Brine benchmarks</h1>
<div class="card machine"><ul>${machine}</ul></div>
${targets ? section(targets) : ''}
${body}
</main></body></html>
`;
}
