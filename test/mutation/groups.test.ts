/**
 * The mutation-testing groups (test/mutation/groups.cjs) name files and tests by text:
 * a module or test renamed later would silently drop out of `npm run mutate`. These
 * checks keep the names true; they do not run Stryker.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '../..');
const { groups, selected } = require('../mutation/groups.cjs') as {
  groups: Record<string, { mutate: string[]; tests: string[]; skip?: string[]; skipTests?: string[] }>;
  selected: (name?: string) => { name: string; mutate: string[]; skipTests: string[] };
};

const testFiles = readdirSync(join(root, 'test'), { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.test.ts'))
  .map((file) => `test/${file}`);

describe.each(Object.entries(groups))('mutation group %s', (_name, group) => {
  it('names modules that exist', () => {
    // `!path` leaves a module out of a glob: it must exist too.
    for (const file of group.mutate.filter((path) => !path.includes('*')))
      expect(existsSync(join(root, file.replace(/^!/, '')))).toBe(true);
  });

  it('skips suites and tests that exist', () => {
    for (const suite of group.skip ?? [])
      expect(testFiles.some((file) => file.endsWith(`/${suite}`))).toBe(true);
    // A name is a describe's title, or that title, a space and the start of one of its tests' titles.
    const titles = testFiles.flatMap((file) =>
      [...readFileSync(join(root, file), 'utf8').matchAll(/(?:describe|it)\('([^']+)'/g)].map(
        (m) => m[1] ?? '',
      ),
    );
    for (const name of group.skipTests ?? [])
      expect(
        titles.some(
          (title) =>
            name === title ||
            (name.startsWith(`${title} `) &&
              titles.some((test) => test.startsWith(name.slice(title.length + 1)))),
        ),
      ).toBe(true);
  });
});

describe('choosing a mutation group', () => {
  it('refuses a name that is not a group, naming the allowed ones', () => {
    expect(() => selected('sweep')).toThrow(/MUTATE_GROUP=sweep is not a group; allowed: policy, ledger/);
  });

  it('without a name, takes every group as one', () => {
    const all = selected('');
    expect(all.name).toBe('mutation');
    expect(all.mutate).toEqual(Object.values(groups).flatMap((group) => group.mutate));
    expect(all.skipTests).toEqual([]);
  });
});
