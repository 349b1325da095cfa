/** Plain-text tables for the terminal. */
import type { BenchResults } from '../results.js';
import { buildSections, machineLines, type Section } from './sections.js';

function width(s: string): number {
  return [...s].length;
}

export function renderTextTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => {
        const pad = ' '.repeat(widths[i]! - width(c));
        return i === 0 || isNaN(Number(c.replace(/[^0-9.]/g, '') || 'x')) ? c + pad : pad + c;
      })
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function section(s: Section): string {
  return `${s.title}\n${renderTextTable(s.headers, s.rows)}`;
}

export function formatTable(results: BenchResults): string {
  return [machineLines(results).join('\n'), ...buildSections(results).map(section)].join('\n\n') + '\n';
}
