import { displayWidth, padEnd, truncate } from './display-width';

/** How a table fits a terminal. */
export interface LayoutOptions {
  /** Terminal columns; without it (piped output) nothing is cut. */
  width?: number;
  /**
   * Columns that may be cut first, each with its weight: the column that is widest for
   * its weight gives up space first, so when a reason (weight 2) and a job name (1)
   * must both be cut, the reason keeps about twice the columns.
   */
  flexible?: Readonly<Record<number, number>>;
  /** Paints a cell after it is padded (colour never counts toward width). */
  paint?: (cell: string, column: number, row: number) => string;
}

const GAP = 2;
/** A flexible column keeps this much (times its weight) before any other column is cut. */
const MIN_FLEX = 8;
/** No column is cut below this (times its weight): one character and the `…`. */
const MIN_CUT = 2;

/**
 * Rows as aligned columns, measured in display columns (a Chinese character is two)
 * and, given a width, cut so that every line fits: flexible columns give up space
 * first, the widest for its weight each time, ending in `…`; then, on a terminal too
 * narrow even for that, the widest of all the columns.
 */
export function layoutTable(rows: readonly string[][], options: LayoutOptions = {}): string {
  const first = rows[0];
  if (!first) return '';
  // A loop, not Math.max(...rows): spreading ~125,000+ arguments overflows the call stack.
  const widths = first.map((_, column) =>
    rows.reduce((widest, row) => Math.max(widest, displayWidth(row[column] ?? '')), 0),
  );
  if (options.width !== undefined) {
    const over = () => widths.reduce((a, b) => a + b, 0) + GAP * (widths.length - 1) - (options.width ?? 0);
    const flexible = options.flexible ?? { [widths.length - 1]: 1 };
    shrink(widths, over, flexible, MIN_FLEX);
    // Too narrow even so: every column gives, the flexible ones still by their weights.
    shrink(
      widths,
      over,
      { ...Object.fromEntries(widths.map((_, column) => [column, 1])), ...flexible },
      MIN_CUT,
    );
  }
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

/** Takes columns one at a time from the column widest for its weight, down to `min` × its weight. */
function shrink(
  widths: number[],
  over: () => number,
  weights: Readonly<Record<number, number>>,
  min: number,
): void {
  const columns = Object.keys(weights).map(Number);
  while (over() > 0) {
    let widest: number | undefined;
    for (const column of columns) {
      const width = widths[column] ?? 0;
      const share = width / (weights[column] ?? 1);
      if (share <= min) continue;
      if (widest === undefined || share > (widths[widest] ?? 0) / (weights[widest] ?? 1)) widest = column;
    }
    if (widest === undefined) return;
    widths[widest] = (widths[widest] ?? 0) - 1;
  }
}
