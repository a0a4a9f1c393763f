import { asLogger, jsonLogger, powertoolsLogger, RedactingWriter } from '../lib/log';
import { IAM_PASSWORD, SIGNING_SECRET, WEBHOOK_TOKEN, WRONG_SK } from './support/secrets';
import { SK } from './support/targets';

/** A secret with characters JSON escapes: a line holds `\"` and `\\`, never the raw value. */
const QUOTED = 'pa"ss\\word\nwith-escapes';

function capture(secrets: readonly string[]) {
  const lines: string[] = [];
  const out = new RedactingWriter((text) => lines.push(text));
  out.addSecrets(secrets);
  const powertools = powertoolsLogger(out, { logLevel: 'DEBUG' });
  return { lines, out, powertools, logger: asLogger(powertools) };
}

describe('logs never show a known secret, wherever a log call carries it', () => {
  const secrets = [SK, IAM_PASSWORD, QUOTED, `https://hooks.example/${WEBHOOK_TOKEN}`];
  const cases: Array<[string, (l: ReturnType<typeof capture>) => void]> = [
    ['in the message', ({ logger }) => logger.info(`signing with ${SK}`)],
    ['in data, nested', ({ logger }) => logger.warn('x', { a: { b: [IAM_PASSWORD] } })],
    ['as a key', ({ logger }) => logger.debug('x', { [SK]: 1 })],
    ['in an error message', ({ logger }) => logger.error('x', { error: new Error(`bad ${SK}`) })],
    [
      "in an error's cause",
      ({ logger }) =>
        logger.error('x', { error: new Error('outer', { cause: new Error(`inner ${IAM_PASSWORD}`) }) }),
    ],
    ['as an Error argument', ({ powertools }) => powertools.error('x', new TypeError(`t ${SK}`))],
    ['with characters JSON escapes', ({ logger }) => logger.info('x', { value: QUOTED })],
    ['in a URL', ({ logger }) => logger.info('x', { url: `https://hooks.example/${WEBHOOK_TOKEN}` })],
    ['from a child logger', ({ powertools }) => powertools.createChild().info(`child ${SK}`)],
    [
      'in appended keys',
      ({ powertools }) => {
        powertools.appendKeys({ k: SK });
        powertools.info('x');
      },
    ],
  ];

  it.each(cases)('%s', (_name, act) => {
    const captured = capture(secrets);
    act(captured);
    const text = captured.lines.join('');
    expect(captured.lines.length).toBeGreaterThan(0);
    expect(text).toContain('[REDACTED]');
    for (const secret of [SK, IAM_PASSWORD, QUOTED, JSON.stringify(QUOTED).slice(1, -1), WEBHOOK_TOKEN]) {
      expect(text).not.toContain(secret);
    }
    for (const line of captured.lines) expect(() => JSON.parse(line)).not.toThrow();
  });

  it('keeps a rotated-out secret hidden, and hides a secret that contains another whole', () => {
    const { lines, out, logger } = capture([WRONG_SK]);
    out.addSecrets([SIGNING_SECRET, `${SIGNING_SECRET}-longer`]);
    logger.info(`${WRONG_SK} ${SIGNING_SECRET}-longer`);
    expect(lines.join('')).not.toMatch(/wrong-secret|SEChook|-longer/);
  });

  it('the command line logger (jsonLogger) redacts too, and writes one JSON line per record', () => {
    const lines: string[] = [];
    const logger = jsonLogger('warn', (line) => lines.push(line), { run: 'cli' }, [SK]);
    logger.info('hidden below the level');
    logger.warn('target listing failed', { message: `401 for ${SK}` });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/\n$/);
    expect(JSON.parse(lines[0] as string)).toMatchObject({
      level: 'WARN',
      message: 'target listing failed',
      service: 'dataarts-autoretry',
      run: 'cli',
      // Powertools reserves `message`: the data's own is kept under another name.
      data_message: '401 for [REDACTED]',
    });
    expect(lines[0]).not.toContain(SK);
  });
});
