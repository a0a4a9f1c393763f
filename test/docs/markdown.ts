/**
 * Reading the docs pages as GitHub renders them: their prose outside fenced blocks, their
 * headings and anchors, their relative links, their tables. Shared by the links test and
 * the Chinese edition's parity test.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { ROOT } from '../readme/shell';

/** `markdown` with its fenced blocks blanked (their lines kept empty) and its code spans removed. */
export function prose(markdown: string): string[] {
  let fence: string | undefined;
  return markdown.split('\n').map((line) => {
    const open = /^\s*(`{3,}|~{3,})/.exec(line);
    if (fence) {
      if (line.trim().startsWith(fence) && line.trim().replace(/[`~]/g, '') === '') fence = undefined;
      return '';
    }
    if (open) {
      fence = open[1];
      return '';
    }
    return line.replace(/(`+)[^`]*?\1/g, '');
  });
}

/** GitHub's anchor of a heading's text. */
function slug(heading: string): string {
  const text = heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/`/g, '')
    .trim()
    .toLowerCase();
  return text.replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '').replace(/ /g, '-');
}

/** The headings of `markdown` outside its fenced blocks, in order: level and text. */
export function headings(markdown: string): Array<{ level: number; text: string }> {
  let fence: string | undefined;
  const found: Array<{ level: number; text: string }> = [];
  for (const line of markdown.split('\n')) {
    const open = /^\s*(`{3,}|~{3,})/.exec(line);
    if (fence) {
      if (line.trim().startsWith(fence) && line.trim().replace(/[`~]/g, '') === '') fence = undefined;
      continue;
    }
    if (open) {
      fence = open[1];
      continue;
    }
    const heading = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) found.push({ level: heading[1]!.length, text: heading[2]! });
  }
  return found;
}

/** Every anchor of the headings of `file`, repeats numbered as GitHub numbers them. */
function anchors(file: string): Set<string> {
  const seen = new Map<string, number>();
  const found = new Set<string>();
  for (const { text } of headings(readFileSync(join(ROOT, file), 'utf8'))) {
    const base = slug(text);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    found.add(count === 0 ? base : `${base}-${count}`);
  }
  return found;
}

/** Every relative link of `file`: `[text](target)` in its prose, with its line. */
export function links(file: string): Array<{ line: number; target: string }> {
  return prose(readFileSync(join(ROOT, file), 'utf8')).flatMap((text, index) =>
    [...text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)]
      .map((m) => m[1]!)
      .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target))
      .map((target) => ({ line: index + 1, target })),
  );
}

/** The file, relative to the repository, that `target` (linked from `file`) names. */
export function linkedFile(file: string, target: string): string {
  const [path = ''] = target.split('#', 1);
  return path === '' ? file : normalize(join(dirname(file), decodeURI(path)));
}

/** Why `target`, linked from `file`, does not resolve; undefined when it does. */
export function broken(file: string, target: string): string | undefined {
  const anchor = target.split('#', 2)[1];
  const linked = linkedFile(file, target);
  if (linked.startsWith('..')) return 'leaves the repository';
  if (!existsSync(join(ROOT, linked))) return `no file ${linked}`;
  if (anchor === undefined) return undefined;
  if (!linked.endsWith('.md') || statSync(join(ROOT, linked)).isDirectory())
    return `an anchor into ${linked}`;
  return anchors(linked).has(decodeURIComponent(anchor)) ? undefined : `no heading #${anchor} in ${linked}`;
}

/** The columns of a table's delimiter row (`|---|:---:|`). */
function columns(delimiter: string): number {
  return delimiter
    .trim()
    .replace(/^\||\|$/g, '')
    .split('|').length;
}

/** The shape of every table of `markdown` outside its fenced blocks, in order: rows (the header's included) × columns. */
export function tableShapes(markdown: string): string[] {
  const shapes: string[] = [];
  let rows: string[] = [];
  const close = () => {
    if (rows.length >= 2 && /^\s*\|?\s*:?-{3,}/.test(rows[1]!)) {
      shapes.push(`${rows.length - 1} rows × ${columns(rows[1]!)} columns`);
    }
    rows = [];
  };
  for (const line of prose(markdown)) {
    if (line.trim().startsWith('|')) rows.push(line);
    else close();
  }
  close();
  return shapes;
}
