import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configReference, translationGaps } from '../../scripts/gen-config-reference';

const ROOT = join(__dirname, '../..');

describe('the configuration reference', () => {
  it.each(Object.entries(configReference()))('%s is up to date (run `npm run docs:config`)', (file, text) => {
    const written = existsSync(join(ROOT, file)) ? readFileSync(join(ROOT, file), 'utf8') : '(missing)';
    expect(written).toBe(text);
  });

  it('has a Chinese description for every key, and none for a key the schema no longer has', () => {
    expect(translationGaps()).toEqual({ missing: [], unknown: [] });
  });

  it('names every key by its full path, with its default and bounds from the schema', () => {
    const english = configReference()['docs/configuration-reference.md'] ?? '';
    for (const path of [
      'targets[].endpoint',
      'policy.backoff.base',
      'ledger.timeout',
      'policy.rules[].match',
    ]) {
      expect(english).toContain(`| \`${path}\``);
    }
    expect(english).toMatch(/\| `policy\.maxAttempts` \| integer \| `3` \| 1 to 20 \|/);
  });

  it('describes every key (a row without a description ends in an empty cell)', () => {
    const english = configReference()['docs/configuration-reference.md'] ?? '';
    const rows = english.split('\n').filter((line) => line.startsWith('| `'));
    expect(rows.filter((row) => row.endsWith('| — |'))).toEqual([]);
  });

  it('keeps the description of a key whose value is transformed (an endpoint)', () => {
    const english = configReference()['docs/configuration-reference.md'] ?? '';
    const row = english.split('\n').find((line) => line.startsWith('| `targets[].endpoint`'));
    expect(row).toContain('DLF endpoint, e.g. https://dayu-dlf.cn-north-4.myhuaweicloud.com');
  });
});
