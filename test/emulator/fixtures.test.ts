/**
 * The documented example answers (test/fixtures/*.json) are what the client reads, and
 * the emulator, seeded from them, answers in exactly their shape.
 */

import type { Emulator } from '../../emulator/server';
import { readInstanceDetail, readInstancePage } from '../../lib/dataarts/instance';
import listAnswer from '../fixtures/list-instances.json';
import showAnswer from '../fixtures/show-instance.json';
import { akskClient, emulatorWithClock, PROJECT } from '../support/targets';

const context = { method: 'GET', path: '/fixture' };
let emulator: Emulator;
afterEach(async () => emulator?.close());

describe('documented example answers', () => {
  it('the client reads the list example', () => {
    const page = readInstancePage(JSON.stringify(listAnswer), context);
    expect(page.total).toBe(2);
    expect(page.invalid).toEqual([]);
    expect(page.instances[1]).toMatchObject({
      jobName: 'job_batch',
      instanceId: '34766',
      status: 'fail',
      jobId: '1',
      executeTime: 0.5,
    });
  });

  it('the client reads the show example (the SDK ShowJobInstanceResponse) with its nodes', () => {
    const detail = readInstanceDetail(JSON.stringify(showAnswer), context, {
      jobName: 'job_batch',
      instanceId: '34766',
    });
    expect(detail).toMatchObject({ jobName: 'job_batch', instanceId: '34766', status: 'fail' });
    expect(detail.nodes).toEqual([
      expect.objectContaining({
        nodeName: 'main',
        retryTimes: 0,
        status: 'fail',
        logPath: expect.stringMatching(/^obs:\/\//),
        instanceId: '3476601',
        queue: 'default',
      }),
    ]);
  });

  it('the emulator, seeded from the example, answers list and show in the same shape', async () => {
    const started = await emulatorWithClock();
    emulator = started.emulator;
    const { clock } = started;
    clock.set(1551671700000);
    emulator.seedFromListAnswer(PROJECT, undefined, listAnswer);
    const { client } = akskClient(emulator, clock);
    await client.listInstances({ from: 1551671500000, to: 1551671700000 });
    const listed = JSON.parse(emulator.lastBody ?? '{}') as typeof listAnswer;
    expect(Object.keys(listed).sort()).toEqual(Object.keys(listAnswer).sort());
    expect(listed.total).toBe(2);
    for (const instance of listed.instances) {
      expect(Object.keys(instance).sort()).toEqual(Object.keys(listAnswer.instances[0]!).sort());
    }
    await client.getInstance('job_batch', '34766');
    const shown = JSON.parse(emulator.lastBody ?? '{}') as typeof showAnswer;
    expect(Object.keys(shown).sort()).toEqual(Object.keys(showAnswer).sort());
    expect(Object.keys(shown.nodes[0]!).sort()).toEqual(Object.keys(showAnswer.nodes[0]!).sort());
  });
});
