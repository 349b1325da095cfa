/**
 * Plain-text tables for the terminal, fitted to its width: text left-aligned, figures
 * right-aligned; too wide a table first wraps its headers and text cells, then splits into
 * several tables that each repeat the row's key columns. No line is longer than the width.
 */
import type { BenchResults } from '../results.js';
import { columnAligns, type Align } from './align.js';
import { buildSections, machineLines, type Section } from './sections.js';

/** The width used when the output is not a terminal (a pipe or a file). */
export const DEFAULT_COLUMNS = 100;
/** The narrowest width tables are fitted to (a single figure wider than that still makes a longer line). */
export const MIN_COLUMNS = 40;
const GAP = 2;

function width(s: string): number {
  return [...s].length;
}

function longestWord(s: string): number {
  return Math.max(0, ...s.split(/\s+/).map(width));
}

/** Word-wraps `text` to lines of at most `w` characters, cutting words longer than a line. */
export function wrapText(text: string, w: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (let word of text.split(/\s+/).filter(Boolean)) {
    while (width(word) > w) {
      if (line) lines.push(line);
      const chars = [...word];
      lines.push(chars.slice(0, w).join(''));
      word = chars.slice(w).join('');
      line = '';
    }
    if (!word) continue;
    if (!line) line = word;
    else if (width(line) + 1 + width(word) <= w) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line || lines.length === 0) lines.push(line);
  return lines;
}

interface Column {
  header: string;
  cells: string[];
  align: Align;
  /** Widest cell or header. */
  full: number;
  /** Widest cell, the header wrapped at its spaces (short of its longest word). */
  cells_: number;
  /** Narrowest it may get: figures never wrap; text wraps at word boundaries down to a short line. */
  min: number;
}

function columnsOf(headers: string[], rows: string[][], aligns: Align[]): Column[] {
  return headers.map((header, i) => {
    const cells = rows.map((r) => r[i] ?? '');
    const widest = Math.max(0, ...cells.map(width));
    const align = aligns[i] ?? 'left';
    const headerMin = Math.min(longestWord(header), 14);
    const min = Math.max(
      1,
      align === 'right' ? Math.max(widest, headerMin) : Math.max(headerMin, Math.min(12, widest)),
    );
    return { header, cells, align, full: Math.max(width(header), widest), cells_: Math.max(1, widest, headerMin), min };
  });
}

const total = (widths: number[]): number => widths.reduce((a, b) => a + b, 0) + GAP * Math.max(0, widths.length - 1);

/** Column widths that fit `columns`, or undefined when even the narrowest do not. */
function fit(cols: Column[], columns: number): number[] | undefined {
  const widths = cols.map((c) => c.full);
  // First wrap headers wider than their column's cells (costs a header line, not a line per row).
  for (let i = 0; i < cols.length && total(widths) > columns; i++) {
    widths[i] = Math.max(cols[i]!.cells_, widths[i]! - (total(widths) - columns));
  }
  while (total(widths) > columns) {
    // Then narrow the widest column that can still give way (long text wraps).
    let best = -1;
    for (let i = 0; i < cols.length; i++) {
      if (widths[i]! > cols[i]!.min && (best < 0 || widths[i]! > widths[best]!)) best = i;
    }
    if (best < 0) return undefined;
    widths[best]!--;
  }
  return widths;
}

function render(cols: Column[], widths: number[]): string {
  const line = (cells: string[]): string[] => {
    const wrapped = cells.map((c, i) => wrapText(c, widths[i]!));
    const height = Math.max(...wrapped.map((w) => w.length));
    const out: string[] = [];
    for (let l = 0; l < height; l++) {
      out.push(
        wrapped
          .map((w, i) => {
            const text = w[l] ?? '';
            const pad = ' '.repeat(Math.max(0, widths[i]! - width(text)));
            return cols[i]!.align === 'right' ? pad + text : text + pad;
          })
          .join(' '.repeat(GAP))
          .trimEnd(),
      );
    }
    return out;
  };
  const rows = cols[0]?.cells.map((_, r) => cols.map((c) => c.cells[r]!)) ?? [];
  return [
    ...line(cols.map((c) => c.header)),
    widths.map((w) => '─'.repeat(w)).join(' '.repeat(GAP)),
    ...rows.flatMap(line),
  ].join('\n');
}

export interface TextTableOptions {
  /** Terminal width (default DEFAULT_COLUMNS). */
  columns?: number;
  /** Column indexes repeated in every part when the table has to be split (default the first). */
  keys?: number[];
}

export function renderTextTable(headers: string[], rows: string[][], options: TextTableOptions = {}): string {
  const columns = Math.max(MIN_COLUMNS, options.columns ?? DEFAULT_COLUMNS);
  const cols = columnsOf(headers, rows, columnAligns(headers, rows));
  const keys = (options.keys ?? [0]).filter((k) => k < cols.length);
  // Keys that leave no room for another column are dropped from the end (the first always stays).
  const widestOther = Math.max(0, ...cols.filter((_, i) => !keys.includes(i)).map((c) => c.min));
  while (keys.length > 1 && total([...keys.map((k) => cols[k]!.min), widestOther]) > columns) keys.pop();
  const comfortable = (subset: number[]): boolean => total(subset.map((i) => cols[i]!.cells_)) <= columns;
  const all = cols.map((_, i) => i);
  // Wrapping headers is enough: one table.
  if (comfortable(all)) return render(cols, fit(cols, columns)!);
  // Rather than wrap every row's text, split into tables of whole columns, each led by the key
  // columns that name the row, when that makes every part fit unwrapped.
  const rest = all.filter((i) => !keys.includes(i));
  const packBy = (size: (c: Column) => number): number[][] => {
    const keyWidth = total(keys.map((k) => size(cols[k]!)));
    const parts: number[][] = [];
    let part: number[] = [];
    for (const i of rest) {
      const next = [...part, i];
      if (part.length > 0 && keyWidth + GAP + total(next.map((j) => size(cols[j]!))) > columns) {
        parts.push(part);
        part = [i];
      } else part = next;
    }
    if (part.length) parts.push(part);
    return parts;
  };
  const renderParts = (parts: number[][]): string =>
    parts
      .map((p) => {
        const subset = [...keys, ...p].map((i) => cols[i]!);
        return render(subset, fit(subset, columns) ?? subset.map((c) => c.min));
      })
      .join('\n\n');
  if (keys.length > 0 && rest.length > 0) {
    const parts = packBy((c) => c.cells_);
    if (parts.every((p) => comfortable([...keys, ...p]))) return renderParts(parts);
  }
  // Long text: one table, its text wrapped; failing that, parts at their narrowest.
  const whole = fit(cols, columns);
  return whole ? render(cols, whole) : renderParts(packBy((c) => c.min));
}

function section(s: Section, columns: number): string {
  const title = wrapText(s.title, columns).join('\n');
  return `${title}\n${renderTextTable(s.headers, s.rows, { columns, ...(s.keys ? { keys: s.keys } : {}) })}`;
}

/** The terminal report, fitted to `columns` (default: the terminal's width, else DEFAULT_COLUMNS). */
export function formatTable(results: BenchResults, columns = process.stdout.columns || DEFAULT_COLUMNS): string {
  const w = Math.max(MIN_COLUMNS, columns);
  const machine = machineLines(results).flatMap((l) => wrapText(l, w));
  return [machine.join('\n'), ...buildSections(results).map((s) => section(s, w))].join('\n\n') + '\n';
}
