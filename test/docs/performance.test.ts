/**
 * docs/dev/performance.md: every measured figure is in a block its command writes
 * (`npm run bench -- --write-docs`, `npm run sizes`), headed with when and at which commit
 * it was measured; none is typed by hand in the prose around them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

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
