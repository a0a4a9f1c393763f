/**
 * Writes config.schema.json and report.schema.json from the valibot schemas, the one
 * definition of both: `npm run schemas` after changing a schema.
 * test/config/schemas.test.ts regenerates them in memory and fails while the files on
 * disk are stale.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ConversionConfig, toJsonSchema } from '@valibot/to-json-schema';
import { ConfigSchema } from '../lib/config/schema/config';
import { SweepReportSchema } from '../lib/sweep/report';

/**
 * Checks, cross-field rules and transforms have no JSON-schema form of their own: each
 * schema that uses one writes the keywords it means beside it (`jsonSchema({...})` in
 * lib/config/schema/), so the converter only skips them. The config converts up to its
 * first transform (`input`: editors check what is written, not what it becomes); the
 * report is what the sweep writes (`output`).
 */
const CONVERSION: ConversionConfig = {
  target: 'draft-2020-12',
  errorMode: 'throw',
  ignoreActions: ['check', 'raw_check', 'partial_check'],
  // A record keyed by a list of names (the report's counts): JSON schema says it with propertyNames.
  overrideSchema: ({ valibotSchema, jsonSchema }) =>
    valibotSchema.type === 'record' && jsonSchema.propertyNames ? jsonSchema : undefined,
};

const ID = 'https://github.com/dataarts-autoretry';
const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** Each generated file's name and text, exactly as they are written. */
export function generatedSchemas(): Record<string, string> {
  const { $schema, ...config } = toJsonSchema(ConfigSchema, { ...CONVERSION, typeMode: 'input' });
  const { $schema: _, ...report } = toJsonSchema(SweepReportSchema, { ...CONVERSION, typeMode: 'output' });
  // The draft and the id first, as editors and readers expect them.
  return {
    'config.schema.json': json({ $schema, $id: `${ID}/config.schema.json`, ...config }),
    'report.schema.json': json({ $schema, $id: `${ID}/report.schema.json`, ...report }),
  };
}

if (require.main === module) {
  const root = join(__dirname, '..');
  const files = Object.entries(generatedSchemas()).map(([file, text]) => {
    writeFileSync(join(root, file), text);
    return file;
  });
  // In the project's one format, so `npm run lint` passes on what was just written.
  execFileSync(join(root, 'node_modules/.bin/biome'), ['format', '--write', ...files], {
    cwd: root,
    stdio: 'inherit',
  });
  process.stdout.write(`wrote ${files.join(', ')}\n`);
}
