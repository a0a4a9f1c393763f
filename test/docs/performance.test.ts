/**
 * docs/dev/performance.md: every measured figure is in a block its command writes
 * (`npm run bench -- --write-docs`, `npm run sizes`), headed with when and at which commit
 * it was measured; none is typed by hand in the prose around them.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeMeasuredBlock } from '../../scripts/doc-block';

const PAGE = readFileSync(join(__dirname, '../../docs/dev/performance.md'), 'utf8');
const BLOCKS = [
  ['bench', 'npm run bench -- --quick --write-docs'],
  ['incident-day', 'npm run bench -- --incident-day --write-docs'],
  ['sizes', 'npm run sizes'],
] as const;
const block = (name: string) => new RegExp(`<!-- ${name}:start -->([\\s\\S]*?)<!-- ${name}:end -->`);

describe('docs/dev/performance.md', () => {
  it.each(BLOCKS)('has one %s block, headed with its command, a UTC date and a commit (run `%s`)', (name) => {
    expect(PAGE.split(`<!-- ${name}:start -->`)).toHaveLength(2);
    const body = block(name).exec(PAGE)?.[1] ?? '';
    expect(body.trim().split('\n')[0]).toMatch(
      /^Measured by npm run .+ on \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC at commit ([0-9a-f]{7,}|unknown) /,
    );
  });

  it('has no measured figure outside the blocks (a decimal with a unit, as the commands print them)', () => {
    const prose = BLOCKS.reduce((text, [name]) => text.replace(block(name), ''), PAGE);
    expect(prose.match(/\d+\.\d+\s?(ms|s|KB|MB|x)\b/g) ?? []).toEqual([]);
  });
});

describe('a measured block written by its command (scripts/doc-block.ts)', () => {
  const folder = mkdtempSync(join(tmpdir(), 'doc-block-'));
  const page = (file: string, text: string) => {
    mkdirSync(join(folder, file, '..'), { recursive: true });
    writeFileSync(join(folder, file), text);
    return join(folder, file);
  };
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('writes the same figures into the Chinese twin that shows the block, and leaves a twin without it alone', () => {
    const block = '<!-- sizes:start -->\nold\n<!-- sizes:end -->\n';
    const english = page('docs/speed.md', `# Speed\n\n${block}`);
    const chinese = page('docs/zh-CN/speed.md', `# 速度\n\n${block}`);
    const other = page('docs/zh-CN/other.md', '# 其他\n');
    writeMeasuredBlock(english, 'sizes', 'npm run sizes', ['bundle 1.0 KB']);
    const figures = (file: string) => readFileSync(file, 'utf8').split('<!-- sizes:start -->')[1];
    expect(figures(english)).toContain('bundle 1.0 KB');
    expect(figures(chinese)).toBe(figures(english));
    expect(readFileSync(other, 'utf8')).toBe('# 其他\n');
    writeMeasuredBlock(page('docs/alone.md', block), 'sizes', 'npm run sizes', ['bundle 2.0 KB']);
    expect(figures(join(folder, 'docs/alone.md'))).toContain('bundle 2.0 KB');
  });
});
