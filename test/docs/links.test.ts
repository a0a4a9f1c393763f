/**
 * Every relative link of the READMEs and the docs pages resolves: the file it names
 * exists, and the heading its `#anchor` names is in that file (or in the page itself).
 * Anchors are GitHub's: the heading's text, lower-cased, punctuation dropped, spaces as
 * hyphens, a repeated heading numbered `-1`, `-2`.
 */
import { docFiles } from '../readme/extract';
import { ROOT } from '../readme/shell';
import { broken, links } from './markdown';

/** The markdown files checked: the READMEs, docs/, and the emulator's and examples' own READMEs. */
const FILES = [...docFiles(ROOT), 'emulator/README.md', 'examples/README.md'];

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
