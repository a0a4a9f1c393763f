import { execFile } from 'node:child_process';
import { mkdtemp, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { METRIC_NAMES, METRIC_NAMESPACE } from '../../lib/metrics';
import { packagedTemplate, ROOT, secretArnParam, serverless, TARGETS_PARAM } from '../support/serverless';

/**
 * The function's bundle, minified (keepNames) with @aws-sdk/* from the runtime: about
 * 190 KB, 34 KB of it Powertools Logger and Metrics. The command line's parts (the file
 * ledger, the table) stay out of it; the budget fails a change that pulls them in.
 */
/** The breaker of incidents took the bundle from 191 KB to 215 KB (measured): room for it and a little more. */
const BUNDLE_BUDGET_BYTES = 240_000;

/** A stage's own params: the stage guard refuses the placeholders with the schedule on. */
const PROD_PARAMS = ['--param', TARGETS_PARAM, '--param', secretArnParam('prod')];

type Resource = { Type: string; Properties: Record<string, unknown>; Condition?: string };
let resources: Record<string, Resource>;
let packageDir: string;

beforeAll(async () => {
  packageDir = await mkdtemp(join(tmpdir(), 'sls-package-'));
  // Offline, no AWS credentials needed: osls packages without calling AWS.
  await serverless(['package', '--stage', 'prod', '--package', packageDir, ...PROD_PARAMS]);
  const template = await packagedTemplate(packageDir);
  resources = template.Resources;
  // Packaging bundles with esbuild in child processes: slow on a loaded 2-core CI machine.
}, 300_000);

const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

describe('serverless package (the CloudFormation template that deploys)', () => {
  it('runs the function on nodejs22.x with reserved concurrency 1', () => {
    const fn = resources.SweepLambdaFunction!.Properties;
    expect(fn.Runtime).toBe('nodejs22.x');
    expect(fn.ReservedConcurrentExecutions).toBe(1);
    expect(fn.Handler).toBe('handlers/sweep.handler');
    const env = (fn.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(env.LEDGER_TABLE).toBe(resources.LedgerTable!.Properties.TableName);
    expect(env.TOPIC_NAME).toBe((resources.SummaryTopic!.Properties as { TopicName: string }).TopicName);
    expect(env.STAGE).toBe('prod');
    expect(env.POWERTOOLS_LOG_LEVEL).toBe('info');
    expect(env.POWERTOOLS_LOGGER_SAMPLE_RATE).toBe('0');
  });

  it('never replays a failed asynchronous invocation', () => {
    const [[, config]] = ofType('AWS::Lambda::EventInvokeConfig') as [[string, Resource]];
    expect(config.Properties.MaximumRetryAttempts).toBe(0);
  });

  it('schedules the sweep every 15 minutes', () => {
    const [[, rule]] = ofType('AWS::Events::Rule') as [[string, Resource]];
    expect(rule.Properties.ScheduleExpression).toBe('rate(15 minutes)');
    expect(rule.Properties.State).toBe('ENABLED');
  });

  it('has the ledger table: on demand, TTL on expiresAt, point-in-time recovery', () => {
    const table = resources.LedgerTable!.Properties;
    expect(table.BillingMode).toBe('PAY_PER_REQUEST');
    expect(table.TimeToLiveSpecification).toEqual({ AttributeName: 'expiresAt', Enabled: true });
    expect(table.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(table.KeySchema).toEqual([{ AttributeName: 'pk', KeyType: 'HASH' }]);
  });

  it('has the summary topic, an optional email subscription and three alarms on it', () => {
    expect(ofType('AWS::SNS::Topic')).toHaveLength(1);
    expect(resources.SummaryEmail?.Condition).toBe('HasAlarmEmail');
    const alarms = ofType('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
    expect(alarms.map((a) => a.MetricName).sort()).toEqual(['Errors', 'Exhausted', 'TargetFailed']);
    for (const alarm of alarms) expect(alarm.AlarmActions).toEqual([{ Ref: 'SummaryTopic' }]);
  });

  it('has a dashboard of every figure an operator reads first, on the metrics the function publishes', () => {
    const dashboards = ofType('AWS::CloudWatch::Dashboard');
    expect(dashboards).toHaveLength(1);
    const [[, dashboard]] = dashboards as [[string, Resource]];
    const sub = (dashboard.Properties.DashboardBody as { 'Fn::Sub': string })['Fn::Sub'];
    const body = JSON.parse(sub) as { widgets: Array<{ properties: { metrics: unknown[][] } }> };
    const shown = new Set(body.widgets.flatMap((w) => w.properties.metrics.map((m) => `${m[0]}/${m[1]}`)));
    for (const name of METRIC_NAMES) expect(shown).toContain(`${METRIC_NAMESPACE}/${name}`);
    for (const name of ['TargetFailed', 'NotifyFailed', 'Throttled'])
      expect(shown).toContain(`${METRIC_NAMESPACE}/${name}`);
    expect(shown).toContain('AWS/Lambda/Errors');
    expect(sub).toContain('"Stage", "prod"');
  });

  it('grants least privilege: each statement scoped to its one resource', () => {
    const role = resources.IamRoleLambdaExecution!.Properties as {
      Policies: Array<{ PolicyDocument: { Statement: Array<{ Action: string[]; Resource: unknown }> } }>;
    };
    const statements = role.Policies[0]!.PolicyDocument.Statement;
    const find = (action: string) => statements.filter((s) => s.Action.includes(action));
    expect(find('secretsmanager:GetSecretValue')).toEqual([
      {
        Effect: 'Allow',
        Action: ['secretsmanager:GetSecretValue'],
        Resource: expect.stringMatching(/^arn:aws:secretsmanager:/),
      },
    ]);
    expect(find('dynamodb:UpdateItem')).toEqual([
      {
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:UpdateItem'],
        Resource: { 'Fn::GetAtt': ['LedgerTable', 'Arn'] },
      },
    ]);
    // Query only on the two sparse indexes (attempts in flight, attempted entries), never on the table.
    expect(find('dynamodb:Query')).toEqual([
      {
        Effect: 'Allow',
        Action: ['dynamodb:Query'],
        Resource: [
          // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax, not a template
          { 'Fn::Sub': '${LedgerTable.Arn}/index/leases' },
          // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax, not a template
          { 'Fn::Sub': '${LedgerTable.Arn}/index/attempts' },
        ],
      },
    ]);
    expect(find('sns:Publish')).toEqual([
      { Effect: 'Allow', Action: ['sns:Publish'], Resource: { Ref: 'SummaryTopic' } },
    ]);
    for (const statement of statements) {
      expect(JSON.stringify(statement.Resource)).not.toBe('"*"');
      expect(statement.Action.some((a) => a.endsWith(':*') || a === '*')).toBe(false);
    }
    const actions = statements.flatMap((s) => s.Action);
    expect(actions).not.toContain('dynamodb:Scan');
    expect(actions).not.toContain('cloudwatch:PutMetricData');
  });

  it(`keeps the function bundle under ${BUNDLE_BUDGET_BYTES / 1000} KB`, async () => {
    const zip = await stat(join(packageDir, 'dataarts-autoretry.zip'));
    // Bundle + source map (mappings only: sourcesContent is off), compressed.
    expect(zip.size).toBeLessThan(BUNDLE_BUDGET_BYTES);
    const { stdout } = await promisify(execFile)('unzip', ['-l', join(packageDir, 'dataarts-autoretry.zip')]);
    const bundle = stdout.split('\n').find((l) => l.trim().endsWith('handlers/sweep.js'));
    const size = Number(bundle?.trim().split(/\s+/)[0]);
    expect(size).toBeGreaterThan(10_000);
    expect(size).toBeLessThan(BUNDLE_BUDGET_BYTES);
  });

  it('leaves the command line and the terminal rendering out of the function (its tables and their width library)', async () => {
    const zip = join(packageDir, 'dataarts-autoretry.zip');
    const { stdout } = await promisify(execFile)('unzip', ['-p', zip, 'handlers/sweep.js.map'], {
      maxBuffer: 64 * 1024 * 1024,
    });
    const sources: string[] = JSON.parse(stdout).sources;
    expect(sources.some((source) => source.includes('lib/sweep/sweep.ts'))).toBe(true);
    expect(
      sources.filter((source) => /lib\/(cli|render)\/|node_modules\/string-width\//.test(source)),
    ).toEqual([]);
  });
});

describe('serverless invoke local', () => {
  it('runs the real handler against the emulator and dynalite (npm run local-stack -- --invoke)', async () => {
    const { stdout } = await promisify(execFile)(
      join(ROOT, 'node_modules/.bin/tsx'),
      ['scripts/local-stack.ts', '--invoke'],
      {
        cwd: ROOT,
        env: { ...process.env, AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'x' },
      },
    );
    expect(stdout).toContain('EMULATOR restarts accepted: 2');
    const json = stdout.slice(stdout.indexOf('\n{\n') + 1, stdout.lastIndexOf('\n}') + 2);
    const report = JSON.parse(json);
    expect(report.totals).toEqual({ restarted: 2, 'instance-type': 1 });
    expect(stdout).not.toContain('local-stack-secret-key');
  }, 300_000);
});
