import { ZH_CN_CONFIG_DESCRIPTIONS } from '../../lib/text/config-descriptions.zh-CN';

/**
 * What a Chinese output may hold in Latin letters: what the user typed or named (job,
 * target and file names), and what is the same in every language, because a person
 * copies it into a search, a config file or a shell: codes, field paths, option names.
 */
const ALWAYS_ALLOWED: readonly RegExp[] = [
  /https?:\/\/\S+/g,
  // Paths and file names: /tmp/x/sweep.json, ./sweep.json, config.schema.json, docs/ledger.md.
  /(?:\.{0,2}\/)?[\p{L}\p{N}_.-]+(?:\/[\p{L}\p{N}_.-]+)+/gu,
  // Code as Markdown and the templates quote it: `offset`.
  /`[^`\n]*`/g,
  // IAM actions: dynamodb:Scan.
  /\b[a-z]+:[A-Z]\w+/g,
  // A file's extension: .lock, .json.
  /(?<![\w.])\.[a-z]+\b/g,
  // A quoted value is a literal: an allowed value ("manual-stop"), or what the file said.
  /"[^"\n]*"/g,
  // Kebab-case codes: outcome and status codes (backing-off, manual-stop), dataarts-autoretry.
  /\b[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)+\b/g,
  // Ids: a sweep's (the first 8 hex digits of a UUID).
  /\b[0-9a-f]{8}\b/g,
  // Field paths and dotted names: targets[0].projectId, policy.lookback, DLF.0137, sweep.json.
  /[\p{L}\p{N}_$]+(?:\[\d*\])*(?:\.[\p{L}\p{N}_$]+(?:\[\d*\])*)+/gu,
  /[\w$]+\[\d*\]/g,
  // Option names: --dry-run, -c.
  /--?[a-zA-Z][\w-]*/g,
  // Codes and environment variables: CONFIG_INVALID, HUAWEICLOUD_SDK_AK, SIGTERM, API.
  /\b[A-Z][A-Z0-9_]{1,}\b/g,
  // camelCase keys standing alone: maxAttempts, neverRetryOn, timeZone.
  /\b[a-z]+(?:[A-Z][a-z0-9]*)+\b/g,
];

/** Every key of the configuration file (`targets`, `name`, `lookback`…): a key is a field's name. */
const CONFIG_KEYS = new Set(Object.keys(ZH_CN_CONFIG_DESCRIPTIONS).flatMap((path) => path.split(/[.[\]$]+/)));

/** Names of products, standards and zones, which a Chinese text writes in Latin letters too. */
const PROPER_NAMES = new Set([
  'DataArts',
  'Webhook',
  'http',
  'https',
  'DynamoDB',
  'Huawei',
  'Lambda',
  'Ctrl',
  'Asia',
  'Shanghai',
  'GMT',
  'UTC',
  'JSON',
  'IANA',
  'Scan',
  'Slack',
  'npx',
  'serverless',
  'validate',
  'stage',
  'sweep',
  'history',
  'explain',
  'reset',
  'init',
  'notify',
  'incidents',
  'close',
  'test',
  'help',
]);

/**
 * The English words (three letters or more) left in `text` once `data` (strings from the
 * user's own input, e.g. job names) and every always-allowed token are taken out.
 */
export function englishWords(text: string, data: readonly string[] = []): string[] {
  let rest = text;
  for (const item of [...data].sort((a, b) => b.length - a.length)) rest = rest.split(item).join(' ');
  for (const pattern of ALWAYS_ALLOWED) rest = rest.replace(pattern, ' ');
  const words = rest.match(/[A-Za-z]{3,}/g) ?? [];
  return [...new Set(words.filter((word) => !PROPER_NAMES.has(word) && !CONFIG_KEYS.has(word)))];
}
