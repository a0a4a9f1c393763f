/**
 * Every relative link of the READMEs and the docs pages resolves: the file it names
 * exists, and the heading its `#anchor` names is in that file (or in the page itself).
 * Anchors are GitHub's: the heading's text, lower-cased, punctuation dropped, spaces as
 * hyphens, a repeated heading numbered `-1`, `-2`.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { docFiles } from '../readme/extract';
import { ROOT } from '../readme/shell';

/** The markdown files checked: the READMEs, docs/, and the emulator's and examples' own READMEs. */
const FILES = [...docFiles(ROOT), 'emulator/README.md', 'examples/README.md'];

/** `markdown` with its fenced blocks blanked (their lines kept empty) and its code spans removed. */
function prose(markdown: string): string[] {
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

/** Every anchor of the headings of `file`, repeats numbered as GitHub numbers them. */
function anchors(file: string): Set<string> {
  const seen = new Map<string, number>();
  const found = new Set<string>();
  const markdown = readFileSync(join(ROOT, file), 'utf8');
  let fence: string | undefined;
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
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const base = slug(heading[1]!);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    found.add(count === 0 ? base : `${base}-${count}`);
  }
  return found;
}

/** Every relative link of `file`: `[text](target)` in its prose, with its line. */
function links(file: string): Array<{ line: number; target: string }> {
  return prose(readFileSync(join(ROOT, file), 'utf8')).flatMap((text, index) =>
    [...text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)]
      .map((m) => m[1]!)
      .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target))
      .map((target) => ({ line: index + 1, target })),
  );
}

/** Why `target`, linked from `file`, does not resolve; undefined when it does. */
function broken(file: string, target: string): string | undefined {
  const [path = '', anchor] = target.split('#', 2);
  const linked = path === '' ? file : normalize(join(dirname(file), decodeURI(path)));
  if (linked.startsWith('..')) return 'leaves the repository';
  if (!existsSync(join(ROOT, linked))) return `no file ${linked}`;
  if (anchor === undefined) return undefined;
  if (!linked.endsWith('.md') || statSync(join(ROOT, linked)).isDirectory())
    return `an anchor into ${linked}`;
  return anchors(linked).has(decodeURIComponent(anchor)) ? undefined : `no heading #${anchor} in ${linked}`;
}

describe('the links of the READMEs and docs pages', () => {
  it('checks every page, the docs folder included', () => {
    expect(FILES).toEqual(
      expect.arrayContaining(['README.md', 'README.zh-CN.md', 'docs/getting-started.md']),
    );
  });

  it('every relative link and anchor resolves', () => {
    const problems = FILES.flatMap((file) =>
      links(file).flatMap(({ line, target }) => {
        const why = broken(file, target);
        return why ? [`${file}:${line}: (${target}) ${why}`] : [];
      }),
    );
    expect(problems).toEqual([]);
  });
});
