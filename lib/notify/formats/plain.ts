import type { Summary } from '../summary';

/** Plain text, for SNS (email) and the generic webhook. */
export function plainText(summary: Summary): string {
  const parts = [summary.headline];
  for (const section of summary.sections)
    parts.push('', `${section.title}:`, ...section.lines.map((l) => `- ${l}`));
  if (summary.footer) parts.push('', summary.footer);
  return parts.join('\n');
}
