/**
 * The Chinese edition matches the English one page for page: every user page of docs/
 * (docs/dev/ is for maintainers, in English only) has its twin in docs/zh-CN/ and
 * README.md has README.zh-CN.md, each with the same headings (levels, in order), the
 * same fenced blocks (commands and examples, identical), the same measured blocks, and the
 * same tables' shape.
 * A Chinese page links to the Chinese twin of a page wherever one exists.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { docBlocks } from '../readme/extract';
import { ROOT } from '../readme/shell';
import { headings, linkedFile, links, tableShapes } from './markdown';

/** Read from the folders, so a new page requires its twin. */
const pages = (dir: string) =>
  readdirSync(join(ROOT, dir), { withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.md'))
    .map((entry) => entry.name)
    .sort();

const TWINS: Array<[english: string, chinese: string]> = [
  ['README.md', 'README.zh-CN.md'],
  ...pages('docs').map((name): [string, string] => [`docs/${name}`, `docs/zh-CN/${name}`]),
];
const present = TWINS.filter(([, chinese]) => existsSync(join(ROOT, chinese)));
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');
const blocks = docBlocks(ROOT);
const blocksOf = (file: string) =>
  blocks.filter((b) => b.file === file).map((b) => ({ lang: b.lang, partial: b.partial, text: b.text }));
/** The measured blocks of a page (scripts/doc-block.ts): each name with its header and figures. */
const measured = (file: string) =>
  [...read(file).matchAll(/<!-- ([\w-]+):start -->([\s\S]*?)<!-- \1:end -->/g)].map((m) => [m[1], m[2]]);

describe('the Chinese edition of the docs', () => {
  it('has a twin of every user page, and no page without an English original', () => {
    expect(TWINS.map(([english]) => english)).toEqual(
      expect.arrayContaining(['README.md', 'docs/getting-started.md', 'docs/configuration-reference.md']),
    );
    expect(
      TWINS.filter(([, chinese]) => !existsSync(join(ROOT, chinese))).map(([, chinese]) => chinese),
    ).toEqual([]);
    expect(pages('docs/zh-CN').map((name) => `docs/zh-CN/${name}`)).toEqual(
      TWINS.slice(1).map(([, chinese]) => chinese),
    );
  });

  it('README.md links to README.zh-CN.md at its top, and back', () => {
    expect(read('README.md').split('\n').slice(0, 5).join('\n')).toContain('](README.zh-CN.md)');
    expect(read('README.zh-CN.md').split('\n').slice(0, 5).join('\n')).toContain('](README.md)');
  });

  describe.each(present)('%s and %s', (english, chinese) => {
    it('have the same headings: levels and count, in order', () => {
      const levels = (file: string) => headings(read(file)).map((h) => '#'.repeat(h.level));
      expect(levels(chinese)).toEqual(levels(english));
    });

    it('have the same fenced blocks, identical and in order', () => {
      expect(blocksOf(chinese)).toEqual(blocksOf(english));
    });

    it('show the same measured blocks, with the same figures (the generators write both)', () => {
      expect(measured(chinese)).toEqual(measured(english));
    });

    it('have tables of the same shape, in order', () => {
      expect(tableShapes(read(chinese))).toEqual(tableShapes(read(english)));
    });

    it('link to the Chinese twin of a page wherever one exists', () => {
      const english = links(chinese).flatMap(({ line, target }) => {
        const linked = linkedFile(chinese, target);
        const twin = TWINS.find(([page]) => page === linked)?.[1];
        // The language switcher at the top of README.zh-CN.md is the one link meant for the English page.
        const switcher = chinese === 'README.zh-CN.md' && linked === 'README.md' && line <= 5;
        return twin && !switcher && existsSync(join(ROOT, twin))
          ? [`${chinese}:${line}: (${target}) → ${twin}`]
          : [];
      });
      expect(english).toEqual([]);
    });
  });
});
