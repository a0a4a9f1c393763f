import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generatedSchemas } from '../../scripts/gen-schemas';

describe('generated JSON schemas', () => {
  // Compared as JSON: the files on disk are in Biome's format, the generator's is plain.
  it.each(Object.entries(generatedSchemas()))('%s is up to date (run `npm run schemas`)', (file, text) => {
    expect(JSON.parse(readFileSync(join(__dirname, '../..', file), 'utf8'))).toEqual(JSON.parse(text));
  });
});
