/** One self-contained HTML page: machine, charts (inline SVG) and every table. */
import { formatSize } from '../context.js';
import type { BenchResults } from '../results.js';
import { buildSections, machineLines, modeLabel } from './sections.js';
import { barChart, escapeXml, type BarGroup } from './svg.js';

function charts(r: BenchResults): string[] {
  const out: string[] = [];
  const maxInflight = Math.max(0, ...r.reqrep.map((c) => c.inflight));
  const minInflight = Math.min(...r.reqrep.map((c) => c.inflight));
  const sizes = [...new Set(r.reqrep.map((c) => c.size))];
  for (const [inflight, metric, title, unit, log] of [
    [maxInflight, 'throughput', `Request/reply throughput, ${maxInflight} in flight`, 'round trips per second', true],
    [minInflight, 'p50', `Request/reply p50 latency, ${minInflight} in flight`, 'microseconds', false],
  ] as const) {
    const groups: BarGroup[] = [];
    for (const t of r.transports) {
      for (const size of sizes) {
        const cells = r.reqrep.filter((c) => c.transport === t && c.size === size && c.inflight === inflight);
        if (!cells.length) continue;
        groups.push({
          label: `${t} ${formatSize(size)}`,
          bars: cells.map((c) => ({
            series: c.mode === 'raw' ? 'raw library' : modeLabel(c.mode, c.transport),
            value: metric === 'throughput' ? c.throughput : c.latencyUs.p50,
          })),
        });
      }
    }
    if (groups.length) out.push(barChart({ title, unit, groups, log }));
  }
  const subs = [...new Set(r.pubsub.map((c) => c.subscribers))];
  if (r.pubsub.length) {
    const groups: BarGroup[] = [];
    for (const t of r.transports) {
      for (const n of subs) {
        const cells = r.pubsub.filter((c) => c.transport === t && c.subscribers === n);
        if (!cells.length) continue;
        groups.push({
          label: `${t} ×${n}`,
          bars: cells.map((c) => ({
            series: c.mode === 'raw' ? 'raw library' : modeLabel(c.mode, c.transport),
            value: c.messagesPerSecond,
            label: `${Math.round(c.messagesPerSecond)} msg/s${c.complete ? '' : ' (INCOMPLETE)'}`,
          })),
        });
      }
    }
    out.push(
      barChart({ title: 'Publish fan-out', unit: 'messages per second, until all delivered', groups, log: true }),
    );
  }
  if (r.auth.length) {
    const groups: BarGroup[] = r.auth.map((c) => ({
      label: `${c.suite}${c.bits ? ` ${c.bits}` : ''}${c.load === 'master' ? ' (master capacity)' : ''}`,
      bars: [
        { series: 'handshakes/s', value: c.perSecond },
        { series: 'per master CPU-second', value: c.perServerCpuSecond },
      ],
    }));
    out.push(
      barChart({
        title: 'Auth handshakes',
        unit: 'per second',
        groups,
        log: true,
        reference: { value: 1000, label: 'target 1,000/s (RSA-2048)' },
      }),
    );
  }
  if (r.salt.cells.length) {
    const groups: BarGroup[] = r.salt.cells.map((c) => ({
      label: `${c.scenario} (${c.unit})`,
      bars: [
        { series: 'Brine master', value: c.brine.value },
        { series: 'salt-master', value: c.salt.value },
      ],
    }));
    out.push(barChart({ title: 'Brine master vs salt-master', unit: 'per second', groups, log: true }));
  }
  return out;
}

export function formatHtml(r: BenchResults): string {
  const sections = buildSections(r)
    .map((s) => {
      const head = `<tr>${s.headers.map((h) => `<th>${escapeXml(h)}</th>`).join('')}</tr>`;
      const rows = s.rows
        .map((row) => {
          const bad = row.some((c) => c === 'MISSED' || c.startsWith('incomplete'));
          const cls = bad ? ' class="bad"' : '';
          return `<tr${cls}>${row.map((c) => `<td>${escapeXml(c)}</td>`).join('')}</tr>`;
        })
        .join('\n');
      const note = s.note ? `<p class="note">${escapeXml(s.note)}</p>` : '';
      return `<section id="${s.id}"><h2>${escapeXml(s.title)}</h2>${note}<table>${head}\n${rows}</table></section>`;
    })
    .join('\n');
  const machine = machineLines(r)
    .map((l) => `<li>${escapeXml(l)}</li>`)
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Brine benchmarks ${escapeXml(r.startedAt)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#111827;max-width:1400px}
h1{font-size:22px}h2{font-size:17px;margin-top:28px}
table{border-collapse:collapse;font-size:12.5px;margin:8px 0}
th,td{border:1px solid #e5e7eb;padding:3px 7px;text-align:right;white-space:nowrap}
th{background:#f3f4f6}td:first-child,th:first-child,td:nth-child(2){text-align:left}
tr.bad td{background:#fef2f2}.note{color:#4b5563;max-width:1000px}
.charts{display:flex;flex-wrap:wrap;gap:20px}.charts svg{border:1px solid #e5e7eb;background:#fff}
</style></head><body>
<h1>Brine benchmarks</h1>
<ul>${machine}</ul>
<div class="charts">${charts(r).join('\n')}</div>
${sections}
</body></html>
`;
}
