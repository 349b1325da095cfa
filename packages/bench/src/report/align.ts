/** Which columns of a report table hold figures (right-aligned) and which hold text (left-aligned). */

export type Align = 'left' | 'right';

/**
 * A figure as the formatters write it: "12.3k", "54 µs", "0.60×", "1 KiB", "41+41", "0.97 (sat.)",
 * "1000 (2 proc)", or "–" for a figure that was not measured.
 */
const FIGURE = /^[+-]?\d[\d.,]*(\+\d+)?\s*(k|M)?\s*(µs|ms|s|×|%|B|KiB|MiB|GiB)?(\s+\([^)]*\))?$/;

export function isFigure(cell: string): boolean {
  return cell === '–' || FIGURE.test(cell.trim());
}

/** A column is right-aligned when every cell is a figure (and at least one has a digit). */
export function columnAligns(headers: string[], rows: string[][]): Align[] {
  return headers.map((_, i) => {
    const cells = rows.map((r) => r[i] ?? '').filter((c) => c !== '');
    const figures = cells.length > 0 && cells.every(isFigure) && cells.some((c) => /\d/.test(c));
    return figures ? 'right' : 'left';
  });
}
