/**
 * Writes docs/configuration-reference.md and docs/zh-CN/configuration-reference.md from
 * config.schema.json as gen-schemas.ts produces it, so the valibot schema stays the one
 * source of every key, type, default, bound and description: `npm run docs:config` after
 * changing a schema. The Chinese descriptions come from lib/text/config-descriptions.zh-CN.ts;
 * test/docs/config-reference.test.ts fails while a file is stale or a translation is missing.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ZH_CN_CONFIG_DESCRIPTIONS } from '../lib/text/config-descriptions.zh-CN';
import { generatedSchemas } from './gen-schemas';

/** The part of a JSON schema this reference reads. */
interface Schema {
  type?: string;
  const?: unknown;
  enum?: unknown[];
  description?: string;
  default?: unknown;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
}

/** One key of the configuration, as one row of the table. */
interface Row {
  path: string;
  /** The union variant the key belongs to (`ledger.type` is `file`), when it belongs to one. */
  when?: string;
  required: boolean;
  schema: Schema;
}

/** Every key under `schema`, depth first, each path written as the error messages write it. */
function rows(schema: Schema, path: string, when?: string): Row[] {
  const found: Row[] = [];
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    const childPath = path ? `${path}.${key}` : key;
    const required = schema.required?.includes(key) ?? false;
    found.push({ path: childPath, required, schema: child, ...(when ? { when } : {}) });
    found.push(...nested(child, childPath, when));
  }
  return found;
}

/** The keys inside one key's value: an object's keys, a list's items', or each union variant's. */
function nested(schema: Schema, path: string, when?: string): Row[] {
  if (schema.properties) return rows(schema, path, when);
  if (schema.items?.properties) return rows(schema.items, `${path}[]`, when);
  // A union of objects told apart by a `type` constant (the ledger): each variant's keys, labelled.
  return (schema.oneOf ?? []).flatMap((variant) => {
    const tag = variant.properties?.type?.const;
    return rows(variant, path, tag === undefined ? when : `\`${path}.type\` = \`${String(tag)}\``);
  });
}

const code = (value: unknown) => `\`${typeof value === 'string' ? value : JSON.stringify(value)}\``;

/** The type as a reader writes it: `string`, `string[]`, `string | integer`. */
function typeOf(schema: Schema): string {
  if (schema.const !== undefined) return code(schema.const);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return [...new Set(alternatives.map(typeOf))].join(' \\| ');
  if (schema.type === 'array' && schema.items) return `${typeOf(schema.items)}[]`;
  return schema.type ?? 'any';
}

/** What one (non-union) schema allows, beyond its type. */
function bounds(schema: Schema): string[] {
  const found: string[] = [];
  if (schema.enum) found.push(`one of ${schema.enum.map(code).join(', ')}`);
  if (schema.minimum !== undefined || schema.maximum !== undefined) {
    found.push(`${schema.minimum ?? '…'} to ${schema.maximum ?? '…'}`);
  }
  if (schema.exclusiveMinimum !== undefined) found.push(`> ${schema.exclusiveMinimum}`);
  if (schema.exclusiveMaximum !== undefined) found.push(`< ${schema.exclusiveMaximum}`);
  if (schema.minItems !== undefined || schema.maxItems !== undefined) {
    found.push(`${schema.minItems ?? 0} to ${schema.maxItems ?? '…'} items`);
  }
  if (schema.minLength !== undefined) found.push(`at least ${schema.minLength} characters`);
  if (schema.maxLength !== undefined) found.push(`at most ${schema.maxLength} characters`);
  if (schema.pattern !== undefined) found.push(`matches ${code(schema.pattern)}`);
  if (schema.format !== undefined) found.push(`format ${schema.format}`);
  if (schema.items && !schema.items.properties) {
    const each = allowed(schema.items);
    if (each) found.push(`each: ${each}`);
  }
  return found;
}

/** What a key allows, each union alternative on its own. */
function allowed(schema: Schema): string {
  const alternatives = schema.anyOf ?? (schema.oneOf?.every((v) => !v.properties) ? schema.oneOf : undefined);
  if (alternatives) {
    return alternatives
      .map((alternative) => `${typeOf(alternative)}: ${bounds(alternative).join('; ') || 'any'}`)
      .join('<br>');
  }
  return bounds(schema).join('; ');
}

/** A table cell: pipes escaped (GitHub ends a cell at any `|`, even in code), lines joined. */
const cell = (text: string) => text.replace(/(?<!\\)\|/g, '\\|').replace(/\n/g, ' ') || '—';

/** The words of each page; the table's facts are the schema's, the same in both. */
interface Page {
  file: string;
  intro: string;
  header: string;
  required: string;
  describe(row: Row): string;
}

const PAGES: Page[] = [
  {
    file: 'docs/configuration-reference.md',
    intro: [
      '# Configuration reference',
      '',
      'Every key of the configuration file, generated from its schema (`lib/config/schema/`)',
      'by `npm run docs:config`: do not edit by hand. [Configuration](configuration.md)',
      'explains how the keys work together; `[]` in a path stands for a list index',
      '(`targets[0].endpoint`), as error messages write it.',
    ].join('\n'),
    header: '| key | type | default | allowed | description |',
    required: 'required',
    describe: (row) => row.schema.description ?? '',
  },
  {
    file: 'docs/zh-CN/configuration-reference.md',
    intro: [
      '# 配置参考',
      '',
      '配置文件的每个键，由其 schema（`lib/config/schema/`）经 `npm run docs:config` 生成，请勿手改。',
      '各键如何配合见[配置](configuration.md)；路径中的 `[]` 表示列表下标',
      '（如 `targets[0].endpoint`），与错误信息的写法一致。',
    ].join('\n'),
    header: '| 键 | 类型 | 默认值 | 允许值 | 说明 |',
    required: '必填',
    describe: (row) => ZH_CN_CONFIG_DESCRIPTIONS[row.path] ?? '',
  },
];

function line(page: Page, row: Row): string {
  const key = `${code(row.path)}${row.when ? ` (${row.when})` : ''}`;
  const fallback = row.required ? page.required : '';
  const byDefault = row.schema.default === undefined ? fallback : code(row.schema.default);
  return `| ${[key, typeOf(row.schema), byDefault, allowed(row.schema), page.describe(row)].map(cell).join(' | ')} |`;
}

function configRows(): Row[] {
  const schema = JSON.parse(generatedSchemas()['config.schema.json'] ?? '{}') as Schema;
  return rows(schema, '');
}

/** Each page's name and text, exactly as they are written. */
export function configReference(): Record<string, string> {
  const all = configRows();
  return Object.fromEntries(
    PAGES.map((page) => {
      const separator = `|${' --- |'.repeat(5)}`;
      const table = [page.header, separator, ...all.map((row) => line(page, row))].join('\n');
      return [page.file, `${page.intro}\n\n${table}\n`];
    }),
  );
}

/** Keys with no Chinese description, and Chinese descriptions of keys the schema no longer has. */
export function translationGaps(): { missing: string[]; unknown: string[] } {
  const paths = new Set(configRows().map((row) => row.path));
  const translated = Object.keys(ZH_CN_CONFIG_DESCRIPTIONS);
  return {
    missing: [...paths].filter((path) => !translated.includes(path)),
    unknown: translated.filter((path) => !paths.has(path)),
  };
}

if (require.main === module) {
  const gaps = translationGaps();
  if (gaps.missing.length + gaps.unknown.length > 0) {
    process.stderr.write(
      `lib/text/config-descriptions.zh-CN.ts: no translation for ${gaps.missing.join(', ') || 'none'}; ` +
        `translations of unknown keys ${gaps.unknown.join(', ') || 'none'}\n`,
    );
    process.exit(1);
  }
  const root = join(__dirname, '..');
  for (const [file, text] of Object.entries(configReference())) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), text);
    process.stdout.write(`wrote ${file}\n`);
  }
}
