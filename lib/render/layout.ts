import { displayWidth, padEnd, truncate } from './display-width';

/** Columns that may be cut to fit a terminal, last first (the others are short codes). */
export interface LayoutOptions {
  /** Terminal columns; without it (piped output) nothing is cut. */
  width?: number;
  /** Indexes of columns that may be cut, in the order they give up space. */
  flexible?: readonly number[];
  /** Paints a cell after it is padded (colour never counts toward width). */
  paint?: (cell: string, column: number, row: number) => string;
}

const GAP = 2;
const MIN_FLEX = 8;

/**
 * Rows as aligned columns, measured in display columns (a Chinese character is two)
 * and, given a width, cut so that every line fits: flexible columns give up space,
 * ending in `…`, down to a minimum each.
 */
export function layoutTable(rows: readonly string[][], options: LayoutOptions = {}): string {
  const first = rows[0];
  if (!first) return '';
  // A loop, not Math.max(...rows): spreading ~125,000+ arguments overflows the call stack.
  const widths = first.map((_, column) =>
    rows.reduce((widest, row) => Math.max(widest, displayWidth(row[column] ?? '')), 0),
  );
  if (options.width !== undefined) shrink(widths, options.width, options.flexible ?? [widths.length - 1]);
  return rows
    .map((row, r) =>
      row
        .map((cell, column) => {
          const width = widths[column] ?? 0;
          const cut = truncate(cell, width);
          const padded = column === row.length - 1 ? cut : padEnd(cut, width);
          return options.paint ? options.paint(padded, column, r) : padded;
        })
        .join(' '.repeat(GAP))
        .trimEnd(),
    )
    .join('\n');
}

function shrink(widths: number[], total: number, flexible: readonly number[]): void {
  let over = widths.reduce((a, b) => a + b, 0) + GAP * (widths.length - 1) - total;
  for (const column of flexible) {
    if (over <= 0) return;
    const width = widths[column] ?? 0;
    const give = Math.min(over, Math.max(0, width - MIN_FLEX));
    widths[column] = width - give;
    over -= give;
  }
}
