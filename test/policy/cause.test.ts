/**
 * A failure's cause signature (lib/policy/cause.ts): failures of one cause (a DLI queue
 * down, a database refusing connections, an OBS bucket denying access...) get one key
 * whatever ids, times, hosts and paths their messages carry; failures of different causes
 * get different keys. The table below is written from the shapes DataArts, DLI, MRS,
 * DWS and CDM messages take in the field: each group is one cause, seen on different
 * jobs at different times.
 */
import { type CauseRule, causeOf, normaliseMessage } from '../../lib/policy/cause';

interface Group {
  cause: string;
  /** The failed node, when the group's failures carry one. */
  node?: { type?: string; queue?: string };
  messages: string[];
}

const GROUPS: Group[] = [
  {
    cause: 'DLI queue not available',
    node: { type: 'DLISQL', queue: 'dli_etl' },
    messages: [
      "DLI.0001: Queue 'dli_etl' is not available. Job job_20261207_0001 submitted at 2026-12-07T01:00:03Z failed.",
      "DLI.0001: Queue 'dli_etl' is not available. Job job_20261207_0042 submitted at 2026-12-07T01:05:41.118+08:00 failed.",
      'DLI.0001: Queue "dli_etl" is not available. Job job_20261208_0007 submitted at 2026-12-08 02:00:00 failed.',
    ],
  },
  {
    cause: 'Spark executor lost',
    node: { type: 'MRSSpark' },
    messages: [
      'org.apache.spark.SparkException: Job aborted due to stage failure: Task 3 in stage 12.0 failed 4 times, most recent failure: Lost executor 7 on 192.168.0.12: Container container_e01_1700000000000_0042_01_000008 exited with exit status 143',
      'org.apache.spark.SparkException: Job aborted due to stage failure: Task 118 in stage 4.0 failed 4 times, most recent failure: Lost executor 21 on 192.168.3.77: Container container_e01_1700000000000_0107_01_000002 exited with exit status 143',
    ],
  },
  {
    cause: 'connection refused to the source database',
    node: { type: 'CDMJob' },
    messages: [
      'java.net.ConnectException: Connection refused (Connection refused) to db-master.prod.internal:5432 after 30000 ms',
      'java.net.ConnectException: Connection refused (Connection refused) to db-replica2.prod.internal:5432 after 15000 ms',
      'java.net.ConnectException:   Connection refused (Connection refused)\n\tto 10.12.0.9:5432 after 30 s',
    ],
  },
  {
    cause: 'OBS access denied',
    node: { type: 'DLISpark', queue: 'dli_batch' },
    messages: [
      'Status Code: 403, Error Code: AccessDenied, Request Id: 0000018C3E2A1B7F9A4C5D6E7F801234, obs://dw-raw/orders/dt=2026-12-07/part-00001.parquet',
      'Status Code: 403, Error Code: AccessDenied, Request Id: 0000018C3E2A9F00AB12CD34EF567890, obs://dw-raw/users/dt=2026-12-06/part-00017.parquet',
    ],
  },
  {
    cause: 'OBS object not found',
    node: { type: 'DLISpark', queue: 'dli_batch' },
    messages: [
      'Status Code: 404, Error Code: NoSuchKey, Request Id: 0000018C3E2A1B7F9A4C5D6E7F801234, obs://dw-raw/orders/dt=2026-12-07/_SUCCESS',
      'Status Code: 404, Error Code: NoSuchKey, Request Id: 0000018C3E2B00000000000000000001, obs://dw-raw/items/dt=2026-12-07/_SUCCESS',
    ],
  },
  {
    cause: 'Hive table not found',
    node: { type: 'HiveSQL' },
    messages: [
      "Error while compiling statement: FAILED: SemanticException [Error 10001]: Line 3:14 Table not found 'ods_orders_di'",
      "Error while compiling statement: FAILED: SemanticException [Error 10001]: Line 12:5 Table not found 'dwd_user_events'",
    ],
  },
  {
    cause: 'CDM link timeout',
    node: { type: 'CDMJob' },
    messages: [
      'CDM.0021: Link mysql_link_01 test failed: Communications link failure, the last packet sent successfully to the server was 0 milliseconds ago. Timed out after 60s (uuid 3f2b8c1e-9a4d-4f6b-8e21-7c5d0a1b2c3d)',
      'CDM.0021: Link mysql_link_07 test failed: Communications link failure, the last packet sent successfully to the server was 0 milliseconds ago. Timed out after 120s (uuid 0b7e4c2a-1d3f-4a5b-9c8d-e6f7a8b9c0d1)',
    ],
  },
  {
    cause: 'Shell script exit code 1',
    node: { type: 'Shell' },
    messages: [
      'Shell script /opt/etl/bin/load_orders.sh exited with code 1, see /tmp/dlf/shell_1733533203.log',
      'Shell script /opt/etl/bin/load_users.sh exited with code 1, see /tmp/dlf/shell_1733619610.log',
    ],
  },
  {
    cause: 'Oracle listener down',
    node: { type: 'CDMJob' },
    messages: [
      'ORA-12541: TNS:no listener (host=ora-prod-01.corp.example, port 1521) at 07-DEC-2026 01:00:03',
      'ORA-12541: TNS:no listener (host=ora-prod-02.corp.example, port 1521) at 08-DEC-2026 01:00:09',
    ],
  },
  {
    cause: 'DWS relation missing',
    node: { type: 'DWSSQL' },
    messages: [
      'ERROR: relation "dws_sales.fact_orders_20261207" does not exist, SQLSTATE 42P01, Position: 15',
      'ERROR: relation "dws_sales.fact_orders_20261208" does not exist, SQLSTATE 42P01, Position: 231',
    ],
  },
  {
    cause: 'HDFS safe mode',
    node: { type: 'MRSSpark' },
    messages: [
      'org.apache.hadoop.hdfs.server.namenode.SafeModeException: Cannot create file hdfs://nn1:8020/user/etl/staging/app_1700000000000_0042/_temporary. Name node is in safe mode.',
      'org.apache.hadoop.hdfs.server.namenode.SafeModeException: Cannot create file hdfs://nn2.prod:8020/user/etl/staging/app_1700000000000_0197/_temporary. Name node is in safe mode.',
    ],
  },
  {
    cause: 'YARN application killed',
    node: { type: 'MRSSpark' },
    messages: [
      'Application application_1700000000000_0042 was killed by user yarn at 10.0.3.4 after 1h2m3s',
      'Application application_1700000000000_1187 was killed by user yarn at 10.0.3.19 after 45m10s',
    ],
  },
];

/** Failures of one group, each with its group's node. */
const failuresOf = (group: Group) =>
  group.messages.map((errorMessage) => ({ errorMessage, ...(group.node ? { failedNode: group.node } : {}) }));

const keyOf = (failure: Parameters<typeof causeOf>[0], rules: readonly CauseRule[] = []) =>
  causeOf(failure, rules)?.key;

describe('causeOf: one cause, one key', () => {
  it('the table holds at least 25 field messages', () => {
    expect(GROUPS.flatMap((g) => g.messages).length).toBeGreaterThanOrEqual(25);
  });

  it.each(GROUPS.map((g) => [g.cause, g] as const))(
    '%s: messages that differ in ids, times, hosts and paths get one key',
    (_cause, group) => {
      const keys = new Set(failuresOf(group).map((f) => keyOf(f)));
      expect(keys.size).toBe(1);
      expect([...keys][0]).toMatch(/^[0-9a-f]{16}$/);
    },
  );

  it('messages of different causes get different keys', () => {
    const keyToCause = new Map<string | undefined, string>();
    for (const group of GROUPS) {
      const key = keyOf(failuresOf(group)[0]!);
      expect({ cause: group.cause, sharesKeyWith: keyToCause.get(key) }).toEqual({
        cause: group.cause,
        sharesKeyWith: undefined,
      });
      keyToCause.set(key, group.cause);
    }
  });

  it('the same message on another node type or another DLI queue is another cause', () => {
    const errorMessage = 'DLI.0005: There are not enough resources in the queue.';
    const keys = [
      { errorMessage, failedNode: { type: 'DLISQL', queue: 'dli_etl' } },
      { errorMessage, failedNode: { type: 'DLISQL', queue: 'dli_adhoc' } },
      { errorMessage, failedNode: { type: 'DLISpark', queue: 'dli_etl' } },
      { errorMessage },
    ].map((f) => keyOf(f));
    expect(new Set(keys).size).toBe(4);
  });

  it('case does not tell causes apart; the text keeps the case and names node and queue', () => {
    const upper = causeOf({ errorMessage: 'Connection REFUSED', failedNode: { type: 'DLISQL' } }, []);
    const lower = causeOf({ errorMessage: 'connection refused', failedNode: { type: 'dlisql' } }, []);
    expect(upper?.key).toBe(lower?.key);
    expect(causeOf(failuresOf(GROUPS[0]!)[0]!, [])).toEqual({
      key: expect.stringMatching(/^[0-9a-f]{16}$/),
      text: "DLI.0001: Queue '<v>' is not available. Job <id> submitted at <time> failed. (DLISQL, queue dli_etl)",
    });
  });

  it('a failure with a node but no message is a cause of its node alone', () => {
    const a = causeOf({ failedNode: { type: 'Shell' } }, []);
    expect(a).toEqual({ key: expect.stringMatching(/^[0-9a-f]{16}$/), text: '(no message) (Shell)' });
    expect(causeOf({ errorMessage: '   ', failedNode: { type: 'Shell' } }, [])?.key).toBe(a?.key);
  });

  it('no message and no node: no cause (such failures are never grouped)', () => {
    expect(causeOf({}, [])).toBeUndefined();
    expect(causeOf({ errorMessage: ' \n\t ' }, [])).toBeUndefined();
    expect(causeOf({ errorMessage: '', failedNode: {} }, [])).toBeUndefined();
  });
});

describe('causeOf: named causes', () => {
  const rules: CauseRule[] = [
    { pattern: 'ORA-125(41|14)', cause: 'oracle-prod down' },
    { pattern: 'mysql_link', cause: 'mysql source down' },
  ];

  it("messages a rule matches share the rule's cause, however else they differ", () => {
    const causes = [
      { errorMessage: 'ORA-12541: TNS:no listener', failedNode: { type: 'CDMJob' } },
      {
        errorMessage:
          'Caused by: java.sql.SQLException: ORA-12514: TNS:listener does not currently know of service',
      },
      { errorMessage: 'ora-12541 while loading', failedNode: { type: 'DLISQL', queue: 'q' } },
    ].map((f) => causeOf(f, rules));
    expect(new Set(causes.map((c) => c?.key)).size).toBe(1);
    expect(causes[0]).toEqual({
      key: expect.stringMatching(/^[0-9a-f]{16}$/),
      text: 'oracle-prod down',
      named: 'oracle-prod down',
    });
  });

  it('the first matching rule names the cause; different names are different keys', () => {
    const both = causeOf({ errorMessage: 'mysql_link_01: ORA-12541' }, rules);
    const mysql = causeOf({ errorMessage: 'CDM.0021: Link mysql_link_07 test failed' }, rules);
    expect(both?.named).toBe('oracle-prod down');
    expect(mysql?.named).toBe('mysql source down');
    expect(both?.key).not.toBe(mysql?.key);
  });

  it('a named cause is not the normalised message that happens to equal its name', () => {
    const named = causeOf({ errorMessage: 'ORA-12541' }, [{ pattern: 'ORA', cause: 'x' }]);
    const plain = causeOf({ errorMessage: 'x' }, []);
    expect(named?.key).not.toBe(plain?.key);
  });

  it('a pattern that could run for very long is not used: the message groups as usual', () => {
    const unsafe: CauseRule[] = [{ pattern: '(a+)+$', cause: 'never' }];
    const failure = {
      errorMessage: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!',
    };
    expect(causeOf(failure, unsafe)).toEqual(causeOf(failure, []));
  });

  it('with no rule matching, the message decides', () => {
    const failure = { errorMessage: 'Connection refused' };
    expect(causeOf(failure, rules)).toEqual(causeOf(failure, []));
    expect(causeOf(failure, rules)?.named).toBeUndefined();
  });
});

describe('normaliseMessage', () => {
  it.each([
    ['numbers', 'Task 3 in stage 12.0 failed 4 times', 'Task <n> in stage <n> failed <n> times'],
    ['uuids', 'request 3f2b8c1e-9a4d-4f6b-8e21-7c5d0a1b2c3d failed', 'request <id> failed'],
    ['hex ids', 'trace 0x7f3a9c and span 9a4c5d6e7f80 lost', 'trace <id> and span <id> lost'],
    ['YARN, job and container ids', 'application_1700000000000_0042 job_20261207_0001', '<id> <id>'],
    ['ISO times', 'at 2026-12-07T01:00:03.5Z and 2026-12-07 01:00:03+08:00', 'at <time> and <time>'],
    [
      'clock times and dates',
      'started 2026/12/07 23:40:30,125 ended 01:02:03',
      'started <time> <time> ended <time>',
    ],
    ['durations', 'after 30000 ms, 1.5s, 1h2m3s and 10 minutes', 'after <dur>, <dur>, <dur> and <dur>'],
    ['IPs with or without port', 'to 10.0.0.5:5432 from 192.168.1.1', 'to <host> from <host>'],
    ['host:port', 'connect to db-master.prod.internal:5432 failed', 'connect to <host> failed'],
    [
      'OBS, HDFS and other URLs',
      'read obs://bucket/a/b.csv, hdfs://nn:8020/x and https://x.y/z?q=1',
      'read <url>, <url> and <url>',
    ],
    ['file paths', 'see /tmp/dlf/x.log and /opt/etl/run.sh', 'see <path> and <path>'],
    [
      'quoted values, in any quotes',
      'table \'ods_a\' column "c1" key `k`',
      "table '<v>' column '<v>' key '<v>'",
    ],
    ['runs of whitespace', '  Connection\t\trefused \n  by peer  ', 'Connection refused by peer'],
  ])('masks %s', (_what, before, after) => {
    expect(normaliseMessage(before)).toBe(after);
  });

  it.each([
    ['DataArts and DLI error codes', 'DLF.0137 DLI.0001 APIGW.0301 CDM.0021'],
    ['Oracle and PostgreSQL codes, SQLSTATE', 'ORA-12541 ORA-00942 SQLSTATE 42P01 SQLSTATE 08001'],
    ['Java exception classes', 'java.net.ConnectException java.net.SocketTimeoutException'],
    ['HTTP and exit codes after their keyword', 'Status Code: 403 status 404 exit code 137 HTTP 503'],
    ['the words that name the failure', 'queue is not available: Connection refused'],
  ])('keeps %s', (_what, text) => {
    expect(normaliseMessage(text)).toBe(text);
  });

  it('tells apart what the keywords keep: 403 from 404, exit code 1 from 137', () => {
    expect(normaliseMessage('Status Code: 403')).not.toBe(normaliseMessage('Status Code: 404'));
    expect(normaliseMessage('exit code 1')).not.toBe(normaliseMessage('exit code 137'));
  });

  it('is at most 300 characters', () => {
    const long = 'Connection refused by the upstream service while reading the batch '.repeat(20);
    expect(normaliseMessage(long).length).toBeLessThanOrEqual(300);
    expect(normaliseMessage(long)).toMatch(/^Connection refused by the upstream/);
  });

  it.each([
    ['one long word', 'a'.repeat(100_000)],
    ['dotted labels with no port', 'a.'.repeat(50_000)],
    ['hyphenated labels', 'a-'.repeat(50_000)],
    ['unclosed quotes', `'${'x'.repeat(99_999)}`],
    ['slashes', '/a'.repeat(50_000)],
    ['digits and separators', '1.2-3:'.repeat(16_000)],
    ['id-like underscores', 'a_'.repeat(50_000)],
  ])('a pathological 100 KB message (%s) is normalised at once', (_shape, message) => {
    const started = performance.now();
    normaliseMessage(message);
    causeOf({ errorMessage: message }, [{ pattern: 'x{2}y', cause: 'n' }]);
    // Linear work on this input is well under a millisecond; backtracking would take minutes.
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
