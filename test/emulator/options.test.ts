/**
 * The emulator's options for replaying rerun interleavings (restart lag, reruns per
 * failure, lenient restarts, a clock that moves during requests) and for API fidelity
 * (strict bounds, gateway codes, error shapes, request ids). Everything is driven by
 * the shared ManualClock over real HTTP, with raw signed requests so that each test
 * controls exactly what is sent and sees exactly what is answered.
 */

import { ManualClock } from '../../emulator/manual-clock';
import type { Emulator, EmulatorOptions } from '../../emulator/server';
import type { InstanceSeed } from '../../emulator/state';
import { AkSkAuthenticator } from '../../lib/dataarts/auth';
import { canonicalQuery, encodePath } from '../../lib/dataarts/signer';
import { AK, emulatorWithClock, PROJECT, SK, T0 } from '../support/targets';

const MIN = 60_000;
const HOUR = 60 * MIN;
const JOB = 'job_a';
const LIST = `/v1/${PROJECT}/jobs/instances/detail`;
const showPath = (id: number | string) => `/v1/${PROJECT}/jobs/${JOB}/instances/${id}`;
const restartPath = (id: number | string) => `${showPath(id)}/restart`;

let emulator: Emulator;
let clock: ManualClock;
afterEach(async () => emulator?.close());

async function start(options: Partial<EmulatorOptions> = {}, seeds: InstanceSeed[] = [failed(1)]) {
  ({ emulator, clock } = await emulatorWithClock(options));
  emulator.seed(PROJECT, undefined, seeds);
}

/** A failed instance that ended 30 minutes before T0; reruns last 10 minutes. */
function failed(id: number, over: Partial<InstanceSeed> = {}): InstanceSeed {
  return {
    jobName: JOB,
    instanceId: id,
    planTime: T0 - HOUR,
    startTime: T0 - HOUR,
    endTime: T0 - 30 * MIN,
    status: 'fail',
    runMs: 10 * MIN,
    ...over,
  };
}

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: answers are inspected loosely in tests
  json: any;
}

/** One signed request, sent as is: no retries, no headers added but the signature's. */
async function call(
  method: 'GET' | 'POST',
  path: string,
  options: { query?: Record<string, string>; headers?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<Answer> {
  const url = new URL(emulator.url);
  const query = options.query ?? {};
  const headers = { ...options.headers };
  const auth = await new AkSkAuthenticator({ ak: AK, sk: SK }, PROJECT, () => clock.now()).authorize({
    method,
    host: url.host,
    path,
    query,
    headers,
  });
  const search = canonicalQuery(query);
  const response = await fetch(`${url.origin}${encodePath(path)}${search ? `?${search}` : ''}`, {
    method,
    headers: { ...headers, ...auth },
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    text,
    json: text ? JSON.parse(text) : undefined,
  };
}

const restart = (id: number | string = 1) =>
  call('POST', restartPath(id), { headers: { 'Content-Type': 'application/json' } });
const show = async (id: number | string = 1) => (await call('GET', showPath(id))).json;
const list = (query: Record<string, string> = {}) =>
  call('GET', LIST, { query: { minPlanTime: String(T0 - 2 * HOUR), maxPlanTime: String(T0), ...query } });

/** Waits (without a timeout) until the emulator recorded an answer-less restart. */
async function untilRecorded(status: number): Promise<void> {
  while (!emulator.requests.some((r) => r.route === 'restart' && r.status === status)) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('restart lag', () => {
  it('without a lag a restart shows at once, as always', async () => {
    await start();
    expect((await restart()).status).toBe(204);
    expect(await show()).toMatchObject({ status: 'running', startTime: T0 });
    expect((await show()).endTime).toBeUndefined();
  });

  it('with a lag the 204 comes first; the rerun shows only when the lag is over', async () => {
    await start({ restartLagMs: 5 * MIN }, [failed(1, { script: ['fail'] })]);
    expect((await restart()).status).toBe(204);
    expect(emulator.restarts(1)).toBe(1);
    expect(await show()).toMatchObject({ status: 'fail', endTime: T0 - 30 * MIN });
    expect((await list()).json.instances[0]).toMatchObject({ status: 'fail', endTime: T0 - 30 * MIN });

    clock.advance(5 * MIN - 1);
    expect((await show()).status).toBe('fail');
    clock.advance(1);
    const running = await show();
    expect(running).toMatchObject({ status: 'running', startTime: T0 + 5 * MIN });
    expect(running.endTime).toBeUndefined();

    clock.advance(10 * MIN);
    expect(await show()).toMatchObject({ status: 'fail', endTime: T0 + 15 * MIN });
  });

  it('a read long after the lag sees the rerun already ended, timed from when it was due', async () => {
    await start({ restartLagMs: 5 * MIN }, [failed(1, { afterScript: 'success' })]);
    await restart();
    clock.advance(HOUR);
    expect(await show()).toMatchObject({
      status: 'success',
      startTime: T0 + 5 * MIN,
      endTime: T0 + 15 * MIN,
    });
  });

  it('setRestartLag applies to restarts accepted from then on', async () => {
    await start({}, [failed(1), failed(2)]);
    await restart(1);
    emulator.setRestartLag(MIN);
    await restart(2);
    expect((await show(1)).status).toBe('running');
    expect((await show(2)).status).toBe('fail');
    clock.advance(MIN);
    expect((await show(2)).status).toBe('running');
  });

  it('settleAll applies pending reruns without a request', async () => {
    await start({ restartLagMs: MIN });
    await restart();
    clock.advance(MIN);
    const [instance] = emulator.state.all();
    expect(instance?.status).toBe('fail');
    emulator.settleAll();
    expect(instance).toMatchObject({ status: 'running', startTime: T0 + MIN });
  });

  it.each([500, 502, 504] as const)('processed %s with a lag: rerun pending, answer lost', async (kind) => {
    await start({ restartLagMs: MIN });
    emulator.inject({ route: 'restart', kind, processed: true });
    expect((await restart()).status).toBe(kind);
    expect(emulator.restarts(1)).toBe(1);
    expect((await show()).status).toBe('fail');
    clock.advance(MIN);
    expect((await show()).status).toBe('running');
  });

  it('processed reset with a lag: the connection drops, the rerun is pending', async () => {
    await start({ restartLagMs: MIN });
    emulator.inject({ route: 'restart', kind: 'reset', processed: true });
    await expect(restart()).rejects.toThrow();
    expect(emulator.restarts(1)).toBe(1);
    expect((await show()).status).toBe('fail');
    clock.advance(MIN);
    expect((await show()).status).toBe('running');
  });

  it('processed hang with a lag: no answer ever, the rerun is pending', async () => {
    await start({ restartLagMs: MIN });
    emulator.inject({ route: 'restart', kind: 'hang', processed: true });
    const abort = new AbortController();
    const hung = call('POST', restartPath(1), {
      headers: { 'Content-Type': 'application/json' },
      signal: abort.signal,
    });
    await untilRecorded(-1);
    abort.abort();
    await expect(hung).rejects.toThrow();
    expect(emulator.restarts(1)).toBe(1);
    expect((await show()).status).toBe('fail');
    clock.advance(MIN);
    expect((await show()).status).toBe('running');
  });

  it('an unprocessed fault leaves nothing pending', async () => {
    await start({ restartLagMs: MIN });
    emulator.inject({ route: 'restart', kind: 502 });
    expect((await restart()).status).toBe(502);
    clock.advance(MIN);
    expect(emulator.restarts(1)).toBe(0);
    expect((await show()).status).toBe('fail');
  });
});

describe('reruns per failure', () => {
  it('a second restart while the first is pending is accepted and answers the same failure', async () => {
    await start({ restartLagMs: 5 * MIN });
    expect((await restart()).status).toBe(204);
    clock.advance(2 * MIN);
    expect((await restart()).status).toBe(204);
    expect(emulator.restarts(1)).toBe(2);
    expect(emulator.rerunsPerFailure(1)).toBe(2);
    expect(emulator.maxRerunsPerFailure()).toBe(2);
    // The second replaced the first: one rerun, due 5 minutes after the second.
    clock.advance(3 * MIN);
    expect((await show()).status).toBe('fail');
    clock.advance(2 * MIN);
    expect(await show()).toMatchObject({ status: 'running', startTime: T0 + 7 * MIN });
  });

  it('a restart of each new failure counts once per failure', async () => {
    await start({}, [failed(1, { afterScript: 'fail' })]);
    await restart();
    clock.advance(10 * MIN);
    expect((await show()).status).toBe('fail');
    expect((await restart()).status).toBe(204);
    expect(emulator.restarts(1)).toBe(2);
    expect(emulator.rerunsPerFailure(1)).toBe(1);
    expect(emulator.maxRerunsPerFailure()).toBe(1);
  });

  it('by default a running instance refuses a restart', async () => {
    await start();
    await restart();
    const refused = await restart();
    expect(refused.status).toBe(400);
    expect(refused.json.error_code).toBe('DLF.EMU3');
    expect(emulator.rerunsPerFailure(1)).toBe(1);
  });

  it('acceptRunningRestart: a running instance takes it, counted against its last failure', async () => {
    await start({ acceptRunningRestart: true }, [failed(1), failed(2, { status: 'waiting' })]);
    await restart(1);
    clock.advance(MIN);
    expect((await restart(1)).status).toBe(204);
    expect(emulator.rerunsPerFailure(1)).toBe(2);
    expect(await show(1)).toMatchObject({ status: 'running', startTime: T0 + MIN });
    expect((await restart(2)).status).toBe(204);
    expect(emulator.rerunsPerFailure(2)).toBe(1);
  });

  it('setAcceptRunningRestart switches it at runtime', async () => {
    await start();
    await restart();
    emulator.setAcceptRunningRestart(true);
    expect((await restart()).status).toBe(204);
    emulator.setAcceptRunningRestart(false);
    expect((await restart()).status).toBe(400);
    expect(emulator.rerunsPerFailure(1)).toBe(2);
  });

  it('a run that ends before a pending rerun starts is a new failure', async () => {
    // Running since T0 - 5 min, ends at T0 + 5 min; a lenient restart at T0 is due at T0 + 8 min.
    const seed = failed(1, { status: 'running', startTime: T0 - 5 * MIN, script: ['fail', 'success'] });
    delete seed.endTime;
    await start({ acceptRunningRestart: true, restartLagMs: 8 * MIN }, [seed]);
    expect((await restart()).status).toBe(204);
    clock.advance(6 * MIN);
    expect(await show()).toMatchObject({ status: 'fail', endTime: T0 + 5 * MIN });
    // Still pending, the instance shows the new failure: this restart answers that one.
    expect((await restart()).status).toBe(204);
    expect(emulator.restarts(1)).toBe(2);
    expect(emulator.rerunsPerFailure(1)).toBe(1);
    clock.advance(8 * MIN);
    expect(await show()).toMatchObject({ status: 'running', startTime: T0 + 14 * MIN });
  });

  it('acceptedRestarts logs each accepted restart: when, which instance, which failure it answered', async () => {
    await start({ restartLagMs: MIN }, [failed(1, { afterScript: 'fail' }), failed(2)]);
    await restart(1);
    clock.advance(2 * MIN);
    // A restart refused (instance 1 is running) is not logged.
    expect((await restart(1)).status).toBe(400);
    clock.advance(10 * MIN);
    await restart(1);
    await restart(2);
    expect(emulator.acceptedRestarts()).toEqual([
      { at: T0, jobName: JOB, instanceId: '1', failure: 0, failedAt: T0 - 30 * MIN },
      // The rerun started at T0 + 1 min and failed after its ten-minute run: a new failure.
      { at: T0 + 12 * MIN, jobName: JOB, instanceId: '1', failure: 1, failedAt: T0 + 11 * MIN },
      { at: T0 + 12 * MIN, jobName: JOB, instanceId: '2', failure: 0, failedAt: T0 - 30 * MIN },
    ]);
  });

  it('is 0 for an instance never restarted or unknown', async () => {
    await start();
    expect(emulator.rerunsPerFailure(1)).toBe(0);
    expect(emulator.rerunsPerFailure(999)).toBe(0);
    expect(emulator.maxRerunsPerFailure()).toBe(0);
  });
});

describe('a clock that moves while requests are in flight', () => {
  it('every request advances the shared clock when it arrives', async () => {
    await start({ advanceOnRequestMs: 1000, restartLagMs: 2000 });
    await restart(); // arrives at T0 + 1 s: the rerun is due at T0 + 3 s
    expect(clock.now()).toBe(T0 + 1000);
    expect((await show()).status).toBe('fail'); // T0 + 2 s
    expect(await show()).toMatchObject({ status: 'running', startTime: T0 + 3000 }); // T0 + 3 s
    expect(clock.now()).toBe(T0 + 3000);
  });

  it('setAdvanceOnRequest switches it at runtime', async () => {
    await start();
    await show();
    expect(clock.now()).toBe(T0);
    emulator.setAdvanceOnRequest(250);
    await show();
    await list();
    expect(clock.now()).toBe(T0 + 500);
  });

  it('uses options.advance when given', async () => {
    let now = T0;
    const moved: number[] = [];
    await start({
      clock: new ManualClock(T0),
      advanceOnRequestMs: 10,
      advance: (ms) => {
        moved.push(ms);
        now += ms;
      },
    });
    await show();
    expect(moved).toEqual([10]);
    expect(now).toBe(T0 + 10);
  });

  it('refuses to advance a clock it cannot move', async () => {
    const fixed = { now: () => T0 };
    await expect(emulatorWithClock({ clock: fixed as ManualClock, advanceOnRequestMs: 1 })).rejects.toThrow(
      /advance/,
    );
    ({ emulator } = await emulatorWithClock({ clock: fixed as ManualClock }));
    expect(() => emulator.setAdvanceOnRequest(1)).toThrow(/advance/);
  });
});

describe('API fidelity options', () => {
  const edges = [failed(1, { planTime: T0 - 2 * HOUR }), failed(2, { planTime: T0 }), failed(3)];

  it('list bounds are strict by default: an instance on either bound is left out', async () => {
    await start({}, edges);
    const answer = (await list()).json;
    expect(answer.total).toBe(1);
    expect(answer.instances[0].instanceId).toBe(3);
  });

  it('strictBounds: false reads both bounds inclusively (a lenient server)', async () => {
    await start({ strictBounds: false }, edges);
    expect((await list()).json.total).toBe(3);
  });

  it('maxWindowMs applies to every list request, limit=1 too', async () => {
    await start({ maxWindowMs: HOUR });
    const refused = await list({ limit: '1' });
    expect(refused.status).toBe(400);
    expect((await list({ limit: '1', minPlanTime: String(T0 - HOUR) })).status).toBe(200);
  });

  it('a 7-day cap is on by default, for counts too; Infinity turns it off', async () => {
    const DAY = 24 * HOUR;
    await start();
    const week = { limit: '1', minPlanTime: String(T0 - 7 * DAY) };
    expect((await list(week)).status).toBe(200);
    const longer = { limit: '1', minPlanTime: String(T0 - 7 * DAY - 1) };
    expect((await list(longer)).status).toBe(400);
    await emulator.close();
    await start({ maxWindowMs: Number.POSITIVE_INFINITY });
    expect((await list({ ...longer, minPlanTime: String(T0 - 30 * DAY) })).status).toBe(200);
  });

  it('timeField: startTime filters on start time (newer editions), not plan time', async () => {
    const late = failed(1, { planTime: T0 - 5 * HOUR, startTime: T0 - HOUR });
    const early = failed(2, { planTime: T0 - HOUR, startTime: T0 - 5 * HOUR });
    await start({ timeField: 'startTime' }, [late, early]);
    expect((await list()).json.instances.map((i: { instanceId: number }) => i.instanceId)).toEqual([1]);
  });

  const many = Array.from({ length: 25 }, (_, i) => failed(i + 1, { planTime: T0 - HOUR + i }));
  const ids = async (query: Record<string, string>) =>
    (await list({ limit: '10', ...query })).json.instances.map((i: { instanceId: number }) => i.instanceId);

  it('offsetMode: page index (default) or record offset', async () => {
    await start({}, many);
    expect(await ids({ offset: '1' })).toEqual([15, 14, 13, 12, 11, 10, 9, 8, 7, 6]);
    await emulator.close();
    await start({ offsetMode: 'record' }, many);
    expect(await ids({ offset: '1' })).toEqual([24, 23, 22, 21, 20, 19, 18, 17, 16, 15]);
  });

  it('listOrder unordered: pages in an order unrelated to time, each page shuffled, still a partition', async () => {
    await start({ listOrder: 'unordered' }, many);
    const pages = [await ids({ offset: '0' }), await ids({ offset: '1' }), await ids({ offset: '2' })];
    const all = pages.flat();
    expect([...all].sort((a, b) => a - b)).toEqual(many.map((s) => s.instanceId));
    const newestFirst = (page: number[]) => page.every((id, i) => i === 0 || id < (page[i - 1] as number));
    expect(pages.every(newestFirst)).toBe(false);
    expect(await ids({ offset: '1' })).toEqual(pages[1]);
  });

  it('pageOverlap: each page after the first repeats records of the page before', async () => {
    await start({ pageOverlap: 3 }, many);
    expect(await ids({ offset: '1' })).toEqual([18, 17, 16, 15, 14, 13, 12, 11, 10, 9]);
    expect(await ids({ offset: '2' })).toEqual([8, 7, 6, 5, 4, 3, 2, 1]);
  });

  it('reportTotal: the claimed total lies as told (over, under, capped at the page size)', async () => {
    const claimed: Array<{ actual: number; limit: number; offset: number }> = [];
    await start(
      {
        reportTotal: (actual, query) => {
          claimed.push({ actual, ...query });
          return Math.min(actual, query.limit);
        },
      },
      many,
    );
    const answer = (await list({ limit: '10', offset: '1' })).json;
    expect(answer.total).toBe(10);
    expect(answer.instances).toHaveLength(10);
    expect(claimed).toEqual([{ actual: 25, limit: 10, offset: 1 }]);
  });

  it('by default a POST without Content-Type is refused by the gateway (400 APIGW.0106)', async () => {
    await start();
    const refused = await call('POST', restartPath(1));
    expect(refused.status).toBe(400);
    expect(refused.json).toMatchObject({
      error_code: 'APIGW.0106',
      error_msg: 'Invalid header parameter: Content-Type, required',
    });
    expect(emulator.restarts(1)).toBe(0);
    expect((await restart()).status).toBe(204);
  });

  it('requireContentType: false plays a lenient gateway that accepts it', async () => {
    await start({ requireContentType: false });
    expect((await call('POST', restartPath(1))).status).toBe(204);
  });

  it('route-missing and no-permission are never processed', async () => {
    await start();
    emulator.inject({ route: 'restart', kind: 'route-missing', processed: true });
    emulator.inject({ route: 'restart', kind: 'no-permission', processed: true, nth: 2 });
    const missing = await restart();
    expect(missing.status).toBe(404);
    expect(missing.json.error_code).toBe('APIGW.0101');
    const denied = await restart();
    expect(denied.status).toBe(400);
    expect(denied.json.error_code).toBe('DLF.6888');
    expect(denied.json.error_msg).toMatch(/account permissions/);
    expect(emulator.restarts(1)).toBe(0);
  });

  it('route-missing answers before authentication', async () => {
    await start({ accessKeys: {} });
    emulator.inject({ route: 'list', kind: 'route-missing' });
    expect((await list()).status).toBe(404);
    expect((await list()).status).toBe(401);
  });

  it('gatewayPrefix: APIGW by default on every gateway code; APIG plays the older pages', async () => {
    await start({ accessKeys: {} });
    expect((await call('GET', '/nowhere')).json.error_code).toBe('APIGW.0101');
    expect((await list()).json.error_code).toBe('APIGW.0301');
    await emulator.close();
    await start({ gatewayPrefix: 'APIG' });
    emulator.inject({ route: 'restart', kind: 'route-missing' });
    expect((await restart()).json.error_code).toBe('APIG.0101');
    expect((await call('GET', '/nowhere')).json.error_code).toBe('APIG.0101');
  });

  it.each([
    ['error_code', { error_code: 'DLF.0137', error_msg: 'Job instance does not exist.' }],
    ['code', { code: 'DLF.0137', message: 'Job instance does not exist.' }],
    ['nested', { error: { code: 'DLF.0137', message: 'Job instance does not exist.' } }],
  ] as const)('errorShape %s', async (errorShape, body) => {
    await start({ errorShape });
    const answer = await call('GET', showPath(999));
    expect(answer.status).toBe(400);
    expect(answer.json).toEqual(body);
  });

  it('every answer carries an X-Request-Id; gateway errors repeat it in the body', async () => {
    await start();
    const answers = [await list(), await restart(), await restart(), await call('GET', '/nowhere')];
    expect(answers.map((a) => a.status)).toEqual([200, 204, 400, 404]);
    const ids = answers.map((a) => a.headers.get('x-request-id'));
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set(ids).size).toBe(ids.length);
    expect(answers[3]?.json.request_id).toBe(ids[3]);
    expect(emulator.requests.map((r) => r.requestId)).toEqual(ids);
  });

  it('a seeded errorMessage is listed while the instance is failed', async () => {
    await start({}, [failed(1, { errorMessage: 'DLI queue busy', afterScript: 'fail' })]);
    expect((await list()).json.instances[0].errorMessage).toBe('DLI queue busy');
    await restart();
    expect((await list()).json.instances[0].errorMessage).toBeUndefined();
    clock.advance(10 * MIN);
    expect((await list()).json.instances[0]).toMatchObject({
      status: 'fail',
      errorMessage: 'DLI queue busy',
    });
  });

  it('the show answer is the SDK ShowJobInstanceResponse: its id, type and operator marks, no jobId, nodes with instanceId and queue', async () => {
    await start({}, [failed(1, { jobId: 42, instanceType: 5, forceSuccess: true })]);
    const shown = await show();
    expect(Object.keys(shown).sort()).toEqual(
      [
        'endTime',
        'forceSuccess',
        'ignoreSuccess',
        'instanceId',
        'instanceType',
        'jobName',
        'nodes',
        'planTime',
        'startTime',
        'status',
        'total',
      ].sort(),
    );
    expect(shown).toMatchObject({ instanceId: 1, instanceType: 5, forceSuccess: true, ignoreSuccess: false });
    expect(shown.nodes[0]).toMatchObject({
      nodeName: 'main',
      instanceId: expect.any(Number),
      queue: 'default',
    });
    emulator.inject({ route: 'show', kind: 'end-time-missing' });
    expect(await show()).not.toHaveProperty('endTime');
  });

  it('version is the job version: a restart does not bump it', async () => {
    await start({}, [failed(1, { version: 3 })]);
    await restart();
    expect((await list()).json.instances[0]).toMatchObject({ status: 'running', version: 3 });
  });
});
