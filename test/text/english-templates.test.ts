import { zhProblem, zhSentence } from '../../lib/text/english-templates.zh-CN';
import { englishWords } from '../support/english-words';

/**
 * Each English sentence other modules build, as they write it, comes out in Chinese:
 * no English word is left but the values, codes and names it carries (`data`).
 */
const PROBLEMS: ReadonlyArray<[english: string, data?: string[]]> = [
  ['unknown key; did you mean "lookback"? (allowed keys are lookback, jobs)', ['lookback', 'jobs']],
  ['unknown key; allowed keys are lookback, jobs', ['lookback', 'jobs']],
  ['is required'],
  ['is required (a JSON configuration file)'],
  ['is required (the job name)'],
  ['is required with --reason'],
  ['is required with retryLocation "specified_node", and only then', ['retryLocation', 'specified_node']],
  ['is required: why the budget is given back (kept in the ledger)'],
  [
    'is required: {"type":"file","path":"x"} or {"type":"dynamodb","table":"t"}',
    ['{"type":"file","path":"x"}', '{"type":"dynamodb","table":"t"}'],
  ],
  ['is required: the 16 hex digits `incidents` shows in CAUSE KEY', ['incidents']],
  ['is required: the target the incident is on'],
  ['is required: why the incident is closed by hand (kept in the ledger)'],
  ['must name a target of the configuration (prod, backup), got "nope"', ['prod', 'backup', 'nope']],
  ["is not valid JSON: Unexpected token 'x'", ["'x'"]],
  ['is not valid JSON: Unexpected end of JSON input'],
  ['is not valid JSON: Unexpected non-whitespace character after JSON'],
  ["is not valid JSON: Expected property name or '}'"],
  ['is not valid JSON: Expected double-quoted property name'],
  ["is not valid JSON: Expected ',' or '}' after property value in object"],
  ["is not valid JSON: Expected ',' or ']' after array element"],
  ["is not valid JSON: Expected ':' after property name in JSON"],
  ['is not valid JSON: Unterminated string in JSON'],
  ['is not valid JSON: Bad control character in string literal'],
  ['is not valid JSON: Bad escaped character'],
  ['is not valid JSON'],
  ['cannot read /etc/sweep.json: ENOENT', ['/etc/sweep.json', 'ENOENT']],
  ['cannot write /etc/sweep.json: EACCES', ['/etc/sweep.json', 'EACCES']],
  ['/tmp/sweep.json exists; refusing to overwrite it', ['/tmp/sweep.json']],
  ['must be a non-empty string'],
  ['must be at most 2048 characters'],
  ['must be a whole number from 1 to 64'],
  ['must be a number from 0 to 1'],
  ['must be true or false', ['true', 'false']],
  ['must have from 1 to 200 items'],
  ['must be an array'],
  ['must be an object'],
  ['must be an http(s) URL', ['http(s)', 'URL']],
  ['must not contain credentials'],
  ['must be an IANA time zone, e.g. Asia/Shanghai', ['IANA', 'Asia/Shanghai']],
  [
    'must be a duration like "90s", "10m", "2h", "7d" (at most 365d) or whole seconds',
    ['"90s"', '"10m"', '"2h"', '"7d"', '365d'],
  ],
  ['must be a whole number of seconds from 60 to 86400'],
  ['must be a duration of at least 1m, e.g. "15m"', ['1m', '"15m"']],
  ['must be from 1m to 30d', ['1m', '30d']],
  ['must be at least backoff.base (600000 ms)', ['backoff.base']],
  ['must be at least 1m', ['1m']],
  ['must be at most 24h', ['24h']],
  ['must be one of "fail", "manual-stop"', ['"fail"', '"manual-stop"']],
  ['must name one of prod, backup', ['prod', 'backup']],
  ['must be an instance id (digits)'],
  ['must be a job-name glob or a list of them'],
  [
    'must be longer than policy.lookback, or an expired record could let an instance be retried again',
    ['policy.lookback'],
  ],
  ['must be set together with the other'],
  ['must be set with nodeName', ['nodeName']],
  ['must be 1-64 letters, digits, "_", "." or "-"', ['"_"', '"."', '"-"']],
  ['must be a project id (letters, digits, "-")', ['"-"']],
  [
    'must be a DynamoDB table name (3-255 letters, digits, "_", "." or "-")',
    ['DynamoDB', '"_"', '"."', '"-"'],
  ],
  [
    "is still the placeholder of the init template (replace-me): put the project id of the target's region here (console: My Credentials > API Credentials > Projects)",
    ['init', 'replace-me'],
  ],
  ['"prod" is used twice; names must be unique', ['"prod"']],
  [
    'addresses the same project and workspace as targets[0] ("prod"): p1/default',
    ['targets[0]', '"prod"', 'p1/default'],
  ],
  ['2 (manually scheduled) cannot be rerun by DataArts; leave it out', ['DataArts']],
  [
    'is ambiguous: --verbose logs every decision, --version (or -V) prints the version',
    ['--verbose', '--version', '-V'],
  ],
  [
    "Unknown option '--dry'. To specify a positional argument starting with a '-', place it at the end of the command after '--', as in '-- \"--dry\"",
    ["'--dry'"],
  ],
  ["Option '--config <value>' argument missing", ["'--config", "<值>'"]],
  ["Unexpected argument 'x'. This command does not take positional arguments", ["'x'"]],
  [
    'name what to show: --target NAME, --job NAME and/or --instance ID',
    ['--target', '--job', '--instance', 'ID'],
  ],
  [
    'reset needs --instance ID or --job NAME (a target alone is too wide)',
    ['reset', '--instance', 'ID', '--job'],
  ],
  ['secret.json is not valid JSON', ['secret.json']],
  ['secret.json has no "webhooks" object', ['secret.json', '"webhooks"']],
  ['init takes at most one path', ['init']],
  ['the only subcommand is "notify test"', ['"notify test"']],
];

const SENTENCES: ReadonlyArray<[english: string, data?: string[]]> = [
  [
    'errorMessage matches neverRetryOn "permission denied"',
    ['errorMessage', 'neverRetryOn', '"permission denied"'],
  ],
  ['errorMessage matches no retryOn pattern', ['errorMessage', 'retryOn']],
  ['no errorMessage, and unknownFailure is "skip"', ['errorMessage', 'unknownFailure', '"skip"']],
  ['the failed node or its type is unknown, and unknownFailure is "skip"', ['unknownFailure', '"skip"']],
  ['failed node prepare is a Shell: in neverRetryNodeTypes', ['prepare', 'Shell', 'neverRetryNodeTypes']],
  ['failed node load is a DLISQL: not in failedNodeTypes', ['load', 'DLISQL', 'failedNodeTypes']],
  ['manually scheduled instances (type 2) cannot be rerun'],
  ['instance type 3 is not in instanceTypes [0,5,6,7]', ['instanceTypes']],
  ['marked force-success by an operator', ['force-success']],
  ['newer instance 42 of this job succeeded'],
  ['storm suspected: 21 distinct jobs failed (limit 20)'],
  ['30 of 40 instances failed (75% > 50%) (the count said 38)'],
  [
    'the cap was filled by older failures first (not evaluated: its ledger entry was not read)',
    ['the cap was filled by older failures first'],
  ],
  ['no ledger entry'],
  ['attempt 2 is in flight until 2026-11-24T08:10:00Z', ['2026-11-24T08:10:00Z']],
  [
    'attempt 2 was in flight when its sweep stopped; the next sweep records it as interrupted, reset after that',
  ],
  ["attempt 2's outcome is unknown until 2026-11-24T08:10:00Z", ['2026-11-24T08:10:00Z']],
];

describe('the English sentences other modules build, in Chinese', () => {
  it.each(PROBLEMS)('a problem: %s', (english, data = []) => {
    const zh = zhProblem(english);
    expect(zh).not.toBe(english);
    expect(englishWords(zh, data)).toEqual([]);
  });

  it('a problem keeps what was given, in words the reader reads', () => {
    expect(zhProblem('must be an object, got an array')).toBe('须为对象，实际为 数组');
    expect(zhProblem('must be at least 1m, got 500 ms')).toBe('至少为 1m，实际为 500 毫秒');
    expect(zhProblem('something no template knows')).toBe('something no template knows');
  });

  it.each(SENTENCES)('a decision detail: %s', (english, data = []) => {
    const zh = zhSentence(english);
    expect(zh).toBeDefined();
    expect(englishWords(zh ?? '', data)).toEqual([]);
  });

  it('a sentence no template knows is undefined: the caller says the outcome instead', () => {
    expect(zhSentence('a sentence from a later version')).toBeUndefined();
  });
});
