import { parseConfig, parseConfigText, targetIdentity } from '../../lib/config/parse';
import { DEFAULT_LIST_OPTIONS } from '../../lib/dataarts/list-instances';
import { ConfigError } from '../../lib/errors';
import { parseDuration } from '../../lib/util/duration';

const thrown = (fn: () => unknown): ConfigError => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('did not throw');
};

const minimal = () => ({
  targets: [{ name: 'prod', endpoint: 'https://dayu-dlf.cn-north-4.myhuaweicloud.com', projectId: 'abc123' }],
  ledger: { type: 'dynamodb', table: 'dataarts-autoretry-ledger' },
});

describe('parseConfig', () => {
  it('applies every documented default to a minimal config', () => {
    const config = parseConfig(minimal());
    expect(config.policy).toMatchObject({
      lookbackMs: 24 * 3_600_000,
      jobs: ['*'],
      excludeJobs: [],
      maxRestartsPerSweep: 50,
      maxRestartsPerHour: 200,
      stormGuard: { enabled: true, maxFailedJobs: 20, maxFailedRatio: 0.5, minInstances: 20 },
      concurrency: 4,
      rateLimit: 10,
    });
    expect(config.policy.defaults).toMatchObject({
      statuses: ['fail'],
      instanceTypes: [0, 5, 6, 7],
      maxAttempts: 3,
      firstRetryDelayMs: 300_000,
      backoff: { baseMs: 600_000, factor: 2, maxMs: 7_200_000, jitter: 'equal' },
      skipSuperseded: false,
      enabled: true,
    });
    expect(config.client).toEqual({
      timeoutMs: 10_000,
      retries: 3,
      maxRetryAfterMs: 30_000,
      paging: 'auto',
      maxWindowMs: 7 * 86_400_000,
      maxListRequests: DEFAULT_LIST_OPTIONS.maxRequests,
      restartLagMs: 60_000,
    });
    expect(config.ledger).toMatchObject({ retentionMs: 14 * 86_400_000 });
  });

  it('returns a deeply frozen object', () => {
    const config = parseConfig(minimal());
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.policy.defaults.backoff)).toBe(true);
    expect(Object.isFrozen(config.targets[0])).toBe(true);
  });

  it('merges rule overrides (backoff field by field) over the defaults', () => {
    const config = parseConfig({
      ...minimal(),
      policy: {
        maxAttempts: 4,
        rules: [{ match: ['ods_*', 'dwd_*'], maxAttempts: 1, backoff: { base: '1m' }, enabled: false }],
      },
    });
    expect(config.policy.rules[0]?.overrides).toMatchObject({
      maxAttempts: 1,
      enabled: false,
      backoff: { baseMs: 60_000, maxMs: 7_200_000 },
    });
  });

  const bad: Array<
    [string, (c: ReturnType<typeof minimal> & Record<string, unknown>) => void, string, RegExp]
  > = [
    ['unknown root key', (c) => Object.assign(c, { polcy: {} }), 'polcy', /unknown key/],
    ['no targets', (c) => Object.assign(c, { targets: [] }), 'targets', /from 1 to 50 items/],
    ['target not an object', (c) => Object.assign(c, { targets: ['x'] }), 'targets[0]', /must be an object/],
    [
      'target typo',
      (c) => Object.assign(c.targets[0]!, { projctId: 'x' }),
      'targets[0].projctId',
      /unknown key/,
    ],
    [
      'bad endpoint',
      (c) => Object.assign(c.targets[0]!, { endpoint: 'dayu-dlf' }),
      'targets[0].endpoint',
      /http\(s\) URL/,
    ],
    [
      'ftp endpoint',
      (c) => Object.assign(c.targets[0]!, { endpoint: 'ftp://x' }),
      'targets[0].endpoint',
      /http\(s\) URL/,
    ],
    [
      'credentials in endpoint',
      (c) => Object.assign(c.targets[0]!, { endpoint: 'https://u:p@x' }),
      'targets[0].endpoint',
      /credentials/,
    ],
    ['duplicate names', (c) => c.targets.push({ ...c.targets[0]! }), 'targets[1].name', /used twice/],
    ['bad name', (c) => Object.assign(c.targets[0]!, { name: 'a b' }), 'targets[0].name', /letters, digits/],
    ['missing ledger', (c) => Object.assign(c, { ledger: undefined }), 'ledger', /required/],
    [
      'ledger type',
      (c) => Object.assign(c, { ledger: { type: 'redis' } }),
      'ledger.type',
      /"dynamodb", "file"/,
    ],
    [
      'file ledger key',
      (c) => Object.assign(c, { ledger: { type: 'file', table: 'x' } }),
      'ledger.table',
      /unknown key/,
    ],
    [
      'retention below lookback',
      (c) => Object.assign(c, { ledger: { type: 'file', path: 'x', retention: '1h' } }),
      'ledger.retention',
      /longer than policy.lookback/,
    ],
    [
      'maxAttempts 0',
      (c) => Object.assign(c, { policy: { maxAttempts: 0 } }),
      'policy.maxAttempts',
      /from 1 to 20/,
    ],
    [
      'maxAttempts string',
      (c) => Object.assign(c, { policy: { maxAttempts: '3' } }),
      'policy.maxAttempts',
      /whole number/,
    ],
    [
      'negative cap',
      (c) => Object.assign(c, { policy: { maxRestartsPerSweep: -1 } }),
      'policy.maxRestartsPerSweep',
      /from 0/,
    ],
    [
      'huge cap',
      (c) => Object.assign(c, { policy: { maxRestartsPerHour: 1e12 } }),
      'policy.maxRestartsPerHour',
      /to 1000000/,
    ],
    [
      'bad duration',
      (c) => Object.assign(c, { policy: { firstRetryDelay: '5 minutes' } }),
      'policy.firstRetryDelay',
      /duration like/,
    ],
    [
      'lookback too long',
      (c) => Object.assign(c, { policy: { lookback: '60d' } }),
      'policy.lookback',
      /from 1m to 30d/,
    ],
    [
      'status success',
      (c) => Object.assign(c, { policy: { statuses: ['success'] } }),
      'policy.statuses[0]',
      /"fail", "manual-stop"/,
    ],
    [
      'manual instance type',
      (c) => Object.assign(c, { policy: { instanceTypes: [0, 2] } }),
      'policy.instanceTypes[1]',
      /cannot be rerun/,
    ],
    [
      'jitter',
      (c) => Object.assign(c, { policy: { backoff: { jitter: 'random' } } }),
      'policy.backoff.jitter',
      /"equal", "full", "none"/,
    ],
    [
      'backoff max < base',
      (c) => Object.assign(c, { policy: { backoff: { base: '1h', max: '10m' } } }),
      'policy.backoff.max',
      /at least/,
    ],
    [
      'backoff typo',
      (c) => Object.assign(c, { policy: { backoff: { bse: '1m' } } }),
      'policy.backoff.bse',
      /unknown key/,
    ],
    [
      'rule without match',
      (c) => Object.assign(c, { policy: { rules: [{ maxAttempts: 1 }] } }),
      'policy.rules[0].match',
      /required/,
    ],
    [
      'rule typo',
      (c) => Object.assign(c, { policy: { rules: [{ match: 'x', maxAtempts: 1 }] } }),
      'policy.rules[0].maxAtempts',
      /unknown key/,
    ],
    [
      'rule lookback not allowed',
      (c) => Object.assign(c, { policy: { rules: [{ match: 'x', lookback: '1h' }] } }),
      'policy.rules[0].lookback',
      /unknown key/,
    ],
    [
      'specified node without name',
      (c) => Object.assign(c, { policy: { restart: { retryLocation: 'specified_node' } } }),
      'policy.restart.nodeName',
      /required/,
    ],
    [
      'storm ratio > 1',
      (c) => Object.assign(c, { policy: { stormGuard: { maxFailedRatio: 1.5 } } }),
      'policy.stormGuard.maxFailedRatio',
      /from 0 to 1/,
    ],
    ['rate limit 0', (c) => Object.assign(c, { policy: { rateLimit: 0 } }), 'policy.rateLimit', /from 0.1/],
    ['paging', (c) => Object.assign(c, { client: { paging: 'cursor' } }), 'client.paging', /"auto", "page"/],
    [
      'timeout too long',
      (c) => Object.assign(c, { client: { timeout: '10m' } }),
      'client.timeout',
      /100ms to 120s/,
    ],
    [
      'list budget too small',
      (c) => Object.assign(c, { client: { maxListRequests: 5 } }),
      'client.maxListRequests',
      /from 10 to 100000/,
    ],
    ['policy null', (c) => Object.assign(c, { policy: null }), 'policy', /must be an object/],
  ];

  it.each(bad)('rejects %s, naming the field', (_name, mutate, field, problem) => {
    const config = minimal() as ReturnType<typeof minimal> & Record<string, unknown>;
    mutate(config);
    let error: unknown;
    try {
      parseConfig(config);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).field).toBe(field);
    expect((error as ConfigError).problem).toMatch(problem);
  });

  describe('targets that address the same place', () => {
    const endpoint = 'https://dayu-dlf.cn-north-4.myhuaweicloud.com';
    const withTargets = (...targets: Array<Record<string, string>>) => ({
      ...minimal(),
      targets: targets.map((t, i) => ({ name: `t${i}`, endpoint, projectId: 'abc123', ...t })),
    });

    it.each([
      ['a trailing slash', { endpoint: `${endpoint}/` }, {}],
      ['upper case scheme and host', { endpoint: 'HTTPS://DAYU-DLF.cn-north-4.MyHuaweiCloud.com' }, {}],
      ['the default port', { endpoint: `${endpoint}:443//` }, {}],
      ['one workspace named twice', { workspace: 'ws-1' }, { workspace: 'ws-1' }],
    ])('are refused when they differ only by %s, naming both', (_case, a, b) => {
      const config = withTargets(
        { name: 'cn4-prod', ...a },
        { name: 'other', workspace: 'ws-other' },
        { name: 'again', ...b },
      );
      let error: unknown;
      try {
        parseConfig(config);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).field).toBe('targets[2]');
      const workspace = 'workspace' in b ? b.workspace : '(default)';
      expect((error as ConfigError).message).toBe(
        `targets[2]: addresses the same project and workspace as targets[0] ("cn4-prod"): ${endpoint} project abc123 workspace ${workspace}`,
      );
    });

    it.each([
      ['workspaces', { workspace: 'ws-1' }, { workspace: 'ws-2' }],
      ['a workspace and the default one', { workspace: 'ws-1' }, {}],
      ['projects', { projectId: 'abc124' }, {}],
      ['ports', { endpoint: `${endpoint}:8443` }, {}],
      ['hosts', { endpoint: 'https://dayu-dlf.cn-east-3.myhuaweicloud.com' }, {}],
    ])('are accepted when they differ by %s', (_case, a, b) => {
      expect(parseConfig(withTargets(a, b)).targets).toHaveLength(2);
    });

    it('targetIdentity is the normalized endpoint, the project and the workspace', () => {
      expect(targetIdentity({ endpoint: 'HTTP://Example.COM:80/dlf/', projectId: 'p1' })).toBe(
        'http://example.com/dlf project p1 workspace (default)',
      );
      expect(targetIdentity({ endpoint: 'https://example.com:8443', projectId: 'p1', workspace: 'w' })).toBe(
        'https://example.com:8443 project p1 workspace w',
      );
    });
  });

  it.each([
    [
      'a missing comma',
      '{\n  "targets": [],\n  "policy": {"lookback": "1d" "maxAttempts": 3}\n}',
      '3:31',
      "Expected ',' or '}' after property value",
    ],
    ['a bad token', '{\n  "ledger": tru}', '2:16', "Unexpected token '}'"],
    ['a line break where a value goes on', '{\n  "ledger": tru\n}', '2:16', "Unexpected token '\\n'"],
    ['a file cut short', '{"targets": [\n', '2:1', 'Unexpected end of JSON input'],
  ])('reports a JSON syntax error (%s) as file:line:column', (_name, text, at, reason) => {
    const error = thrown(() => parseConfigText(text, 'prod.json'));
    expect(error.message).toBe(`prod.json:${at}: is not valid JSON: ${reason}`);
  });
});

describe('parseDuration', () => {
  it.each([
    ['90s', 90_000],
    ['10m', 600_000],
    ['2h', 7_200_000],
    ['7d', 604_800_000],
    ['250ms', 250],
    ['1.5h', 5_400_000],
    [30, 30_000],
  ])('%s', (input, ms) => expect(parseDuration(input, 'x')).toBe(ms));

  it.each([['10'], ['-5m'], ['5 m'], [1.5], [-1], ['400d'], [null]])('rejects %p', (input) => {
    expect(() => parseDuration(input, 'field.name')).toThrow(/field.name/);
  });
});

describe('every problem at once', () => {
  it('lists each bad field in one ConfigError: path, what is allowed, what was given', () => {
    let error: unknown;
    try {
      parseConfig({
        targets: [{ name: 'a b', endpoint: 'ftp://x', projectId: 'p' }],
        ledger: { type: 'dynamodb', table: 'x' },
        policy: {
          lookback: '60d',
          instanceTypes: [0, 2],
          rules: [{ match: 'a' }, { match: 'b' }, { match: ['c', ''], maxAttempts: 21 }],
          restart: { nodeName: 'n1' },
        },
        client: { timeout: 5 * 60 },
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message.split('\n')).toEqual([
      'targets[0].name: must be 1-64 letters, digits, "_", "." or "-", got "a b"',
      'targets[0].endpoint: must be an http(s) URL, got "ftp://x"',
      'ledger.table: must be a DynamoDB table name (3-255 letters, digits, "_", "." or "-"), got "x"',
      'policy.lookback: must be from 1m to 30d, got "60d"',
      'policy.instanceTypes[1]: 2 (manually scheduled) cannot be rerun by DataArts; leave it out',
      'policy.restart.nodeName: is required with retryLocation "specified_node", and only then',
      'policy.rules[2].match[1]: must be a non-empty string, got ""',
      'policy.rules[2].maxAttempts: must be a whole number from 1 to 20, got 21',
      'client.timeout: must be from 100ms to 120s, got 300',
    ]);
  });

  it('names each bad target and rule by its index, the cross-field checks included', () => {
    const endpoint = 'https://dayu-dlf.cn-north-4.myhuaweicloud.com';
    const targets: Array<Record<string, string>> = Array.from({ length: 6 }, (_, i) => ({
      name: `t${i}`,
      endpoint,
      projectId: `p${i}`,
    }));
    Object.assign(targets[1]!, { workspace: '工作区' });
    Object.assign(targets[3]!, { workspace: 'ws-1\n' });
    Object.assign(targets[4]!, { name: 't0' });
    Object.assign(targets[5]!, { projectId: 'p2' });
    const error = thrown(() =>
      parseConfig({
        ...minimal(),
        targets,
        policy: {
          neverRetryOn: ['timeout', '(a+)+'],
          rules: [
            { match: 'a' },
            { match: 'b', backoff: { base: '1h', max: '1m' } },
            { match: 'c', restart: { retryLocation: 'specified_node' } },
          ],
        },
      }),
    );
    expect(error.message.split('\n')).toEqual([
      'targets[1].workspace: contains characters an HTTP header cannot carry (only visible ASCII is allowed), got "工作区"',
      'targets[3].workspace: contains whitespace or a line break (check for a trailing newline), got "ws-1\\n"',
      'policy.neverRetryOn[1]: nests a quantifier inside a repeated group (e.g. "(a+)+"), which can run for very long, got "(a+)+"',
      'policy.rules[2].restart.nodeName: is required with retryLocation "specified_node", and only then',
      'policy.rules[1].backoff.max: must be at least backoff.base (3600000 ms), got 60000 ms',
      'targets[4].name: "t0" is used twice; names must be unique',
      `targets[5]: addresses the same project and workspace as targets[2] ("t2"): ${endpoint} project p2 workspace (default)`,
    ]);
  });

  it('names every unknown key of an object, not only the first', () => {
    const config = minimal();
    Object.assign(config.targets[0]!, { projctId: 'x', workspce: 'w' });
    const error = thrown(() => parseConfig({ ...config, polcy: {}, client: { timout: '5s', retires: 2 } }));
    expect(error.issues.map((i) => i.field)).toEqual([
      'targets[0].projctId',
      'targets[0].workspce',
      'client.timout',
      'client.retires',
      'polcy',
    ]);
    expect(error.issues[1]?.problem).toMatch(
      /^unknown key; did you mean "workspace"\? \(allowed keys are name, endpoint, projectId/,
    );
  });

  it('names the unknown keys of display and notify as of every other object, with a did-you-mean', () => {
    const error = thrown(() =>
      parseConfig({ ...minimal(), display: { timezone: 'UTC', locle: 'en' }, notify: { remindEvry: '6h' } }),
    );
    expect(error.issues.map((i) => `${i.field}: ${i.problem.replace(/ \(allowed keys are .*/, '')}`)).toEqual(
      [
        'notify.remindEvry: unknown key; did you mean "remindEvery"?',
        'display.timezone: unknown key; did you mean "timeZone"?',
        'display.locle: unknown key; did you mean "locale"?',
      ],
    );
  });

  it('names every unknown key and every missing field at once, with a did-you-mean for near misses', () => {
    const config = minimal();
    const targets = [
      config.targets[0]!,
      { name: 'b', endpoint: 'https://b.example.com' },
      { name: 'c', endpoint: 'https://c.example.com', projctId: 'p' },
    ];
    const error = thrown(() =>
      parseConfig({ ...config, targets, policy: { lookbak: '1d', maxAttemps: 3, zzz: 1 }, clent: {} }),
    );
    expect(
      error.issues.map((i) => `${i.field}: ${i.problem.replace(/;? \(?allowed keys are .*/, '')}`),
    ).toEqual([
      'targets[2].projctId: unknown key; did you mean "projectId"?',
      'policy.lookbak: unknown key; did you mean "lookback"?',
      'policy.maxAttemps: unknown key; did you mean "maxAttempts"?',
      'policy.zzz: unknown key',
      'clent: unknown key; did you mean "client"?',
      'targets[1].projectId: is required',
      'targets[2].projectId: is required',
    ]);
    expect(error.issues[3]?.problem).toMatch(/^unknown key; allowed keys are /);
  });

  it.each([
    ['blank workspace', { targets: [{ name: 'a', endpoint: 'https://x', projectId: 'p', workspace: ' ' }] }],
    ['maxFailedJobs above its maximum', { policy: { stormGuard: { maxFailedJobs: 2_000_000 } } }],
    ['restartLag above 1h', { client: { restartLag: '2h' } }],
    ['maxWindow below 1m', { client: { maxWindow: '30s' } }],
    [
      'ledger endpoint with credentials',
      { ledger: { type: 'dynamodb', table: 'tbl', endpoint: 'http://u:p@h' } },
    ],
  ])('rejects %s', (_name, patch) => {
    expect(() => parseConfig({ ...minimal(), ...patch })).toThrow(ConfigError);
  });
});
