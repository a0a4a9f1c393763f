/**
 * Every configuration example of the READMEs and the docs pages is one the tool accepts:
 * each `json`/`jsonc` block that is a configuration (its first key is one of the
 * configuration's sections) passes the real validator, `//` comments allowed as the
 * command line allows them. A fragment shown on purpose (one section, a key's value) is
 * marked with a `<!-- partial -->` line before its block and is skipped.
 */
import { stripJsonComments } from '../../lib/cli/jsonc';
import { parseConfigText } from '../../lib/config/parse';
import { docBlocks } from '../readme/extract';
import { ROOT } from '../readme/shell';

/** The configuration's top-level keys: a block whose first key is one of them is a configuration example. */
const SECTIONS = /^\s*\{?\s*"(\$schema|targets|ledger|policy|client|notify|display)"\s*:/;

const examples = docBlocks(ROOT).filter(
  (b) => (b.lang === 'json' || b.lang === 'jsonc') && SECTIONS.test(stripJsonComments(b.text)),
);

describe('the configuration examples of the READMEs and docs pages', () => {
  it('finds them in the READMEs and in docs/', () => {
    const files = new Set(examples.filter((b) => !b.partial).map((b) => b.file));
    expect([...files]).toEqual(
      expect.arrayContaining(['README.md', 'README.zh-CN.md', 'docs/configuration.md']),
    );
  });

  it('each whole example passes the validator, and only fragments are marked partial', () => {
    const refused = examples
      .filter((b) => !b.partial)
      .flatMap((b) => {
        try {
          parseConfigText(stripJsonComments(b.text), `${b.file}:${b.line}`);
          return [];
        } catch (error) {
          return [`${b.file}:${b.line}: ${(error as Error).message}`];
        }
      });
    expect(refused).toEqual([]);
    // A block marked partial that the validator accepts is a whole example: it should be checked.
    const wronglyPartial = examples
      .filter((b) => b.partial)
      .filter((b) => {
        try {
          parseConfigText(stripJsonComments(b.text), b.file);
          return true;
        } catch {
          return false;
        }
      });
    expect(wronglyPartial.map((b) => `${b.file}:${b.line}`)).toEqual([]);
  });
});
