import type { Summary } from './summary';

/**
 * Cuts a summary to a channel's size budget. Lines go from the end of the priority
 * order (restarts before storms before target errors), and the message then ends with
 * how many items were left out and where to see them all. `fits` renders nothing: it
 * judges a rendered body, so each format measures exactly what its platform limits.
 *
 * The number of lines kept is found by bisection (a body grows with every line kept),
 * then checked, so the answer always fits when anything can.
 */
export function fitSummary<T>(summary: Summary, render: (s: Summary) => T, fits: (body: T) => boolean): T {
  const total = summary.sections.reduce((n, s) => n + s.lines.length, 0);
  const whole = render(summary);
  if (fits(whole)) return whole;
  let low = 0;
  let high = total - 1;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (fits(render(keep(summary, mid, total)))) low = mid;
    else high = mid - 1;
  }
  return render(keep(summary, low, total));
}

/** The summary with its first `count` lines, in priority order, and a footer for the rest. */
export function keep(summary: Summary, count: number, total: number): Summary {
  let left = count;
  const sections = summary.sections.flatMap((s) => {
    const lines = s.lines.slice(0, left);
    left -= lines.length;
    return lines.length ? [{ ...s, lines }] : [];
  });
  return {
    ...summary,
    sections,
    footer: summary.messages.leftOut(total - count, summary.fullReport),
  };
}

export const utf8Bytes = (text: string): number => Buffer.byteLength(text, 'utf8');
