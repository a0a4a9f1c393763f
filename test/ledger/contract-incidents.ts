import { randomUUID } from 'node:crypto';
import type { Incident, IncidentBoard, LedgerIncidents } from '../../lib/ledger/ledger-incidents';

const NOW = Date.UTC(2026, 11, 8, 2, 0, 0);
const EXPIRES = NOW + 30 * 86_400_000;

function incident(causeKey: string, over: Partial<Incident> = {}): Incident {
  return {
    causeKey,
    causeText: "DLI.0005: queue '<v>' is unavailable: connection to <host> refused",
    state: 'open',
    openedAt: NOW,
    since: NOW - 600_000,
    jobs: 120,
    probes: 0,
    nextProbeAt: NOW + 900_000,
    batches: 0,
    released: 0,
    held: 119,
    updatedAt: NOW,
    ...over,
  };
}

const board = (target: string, version: number, ...incidents: Incident[]): IncidentBoard => ({
  target,
  version,
  incidents: Object.fromEntries(incidents.map((i) => [i.causeKey, i])),
});

/**
 * The incident board: written whole, each write naming the version it follows, so of
 * two sweeps that read one board exactly one makes its transition. Identical on every ledger.
 */
export function incidentsContract(
  name: string,
  create: () => Promise<{ incidents?: LedgerIncidents | undefined }>,
): void {
  describe(`${name} ledger incident board contract`, () => {
    let ledger: LedgerIncidents;
    let target: string;
    beforeEach(async () => {
      const made = (await create()).incidents;
      if (!made) throw new Error('this ledger has no incident board');
      ledger = made;
      target = `生产-${randomUUID().slice(0, 6)}#a`;
    });

    it('has an empty board at version 0 for a target never written', async () => {
      expect(await ledger.board(target)).toEqual({ target, version: 0, incidents: {} });
    });

    it('keeps a written board as written, every field, apart from other targets', async () => {
      const written = board(
        target,
        1,
        incident('a1'),
        incident('b2', {
          state: 'probing',
          probes: 2,
          canary: { jobName: '作业-7', instanceId: '9007199254740993', attempt: 2, at: NOW },
          reason: 'the queue was resized by hand',
        }),
      );
      expect(await ledger.writeBoard(written, EXPIRES)).toBe(true);
      expect(await ledger.board(target)).toEqual(written);
      expect(await ledger.board(`${target}-other`)).toEqual({
        target: `${target}-other`,
        version: 0,
        incidents: {},
      });
    });

    it('grants only the write that follows the stored version: never a repeat, a gap or a step back', async () => {
      expect(await ledger.writeBoard(board(target, 2, incident('a1')), EXPIRES)).toBe(false);
      expect(await ledger.writeBoard(board(target, 1, incident('a1')), EXPIRES)).toBe(true);
      expect(await ledger.writeBoard(board(target, 1, incident('a1', { state: 'probing' })), EXPIRES)).toBe(
        false,
      );
      expect(await ledger.writeBoard(board(target, 3, incident('a1', { state: 'probing' })), EXPIRES)).toBe(
        false,
      );
      expect(await ledger.writeBoard(board(target, 2, incident('a1', { state: 'probing' })), EXPIRES)).toBe(
        true,
      );
      expect(await ledger.writeBoard(board(target, 0), EXPIRES)).toBe(false);
      expect((await ledger.board(target)).incidents.a1?.state).toBe('probing');
      expect((await ledger.board(target)).version).toBe(2);
    });

    it('of two sweeps that read one board, exactly one makes its transition (one canary per probe)', async () => {
      await ledger.writeBoard(board(target, 1, incident('a1')), EXPIRES);
      const read = await ledger.board(target);
      const canary = (jobName: string) =>
        board(
          target,
          read.version + 1,
          incident('a1', {
            state: 'probing',
            probes: 1,
            canary: { jobName, instanceId: '1', attempt: 1, at: NOW },
          }),
        );
      const granted = await Promise.all(
        ['job-a', 'job-b', 'job-c'].map((job) => ledger.writeBoard(canary(job), EXPIRES)),
      );
      expect(granted.filter(Boolean)).toHaveLength(1);
      const winner = ['job-a', 'job-b', 'job-c'][granted.indexOf(true)];
      expect((await ledger.board(target)).incidents.a1?.canary?.jobName).toBe(winner);
    });

    it('a board with no incident left is still a version others must follow', async () => {
      await ledger.writeBoard(board(target, 1, incident('a1')), EXPIRES);
      expect(await ledger.writeBoard(board(target, 2), EXPIRES)).toBe(true);
      expect(await ledger.board(target)).toEqual({ target, version: 2, incidents: {} });
      expect(await ledger.writeBoard(board(target, 1, incident('a1')), EXPIRES)).toBe(false);
    });
  });
}
