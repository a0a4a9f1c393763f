import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { AttemptOutcome, ClaimRequest, InstanceKey, Ledger } from '../../lib/ledger/ledger';
import { keyString } from '../../lib/ledger/ledger';
import { mayClaim } from '../../lib/ledger/ledger-state';

/**
 * The attempt rule is stated once, as `mayClaim` (lib/ledger/ledger-state.ts); the file
 * ledger applies it, DynamoDB translates it into conditions. This contract drives a
 * ledger through random histories of one instance (claims with stale or fresh counts,
 * older, equal and newer failures, backoffs, listings before or after a lease ended;
 * settles of every outcome; releases; interruptions) and checks, before every claim,
 * that the ledger grants it exactly when `mayClaim` says so of the entry it holds.
 */

const T0 = Date.UTC(2026, 10, 24, 8, 0, 0);
const MIN = 60_000;
const OUTCOMES: AttemptOutcome[] = ['restarted', 'rejected', 'not-found', 'unconfirmed'];

type Step =
  | {
      op: 'claim';
      expectedDelta: -1 | 0 | 1;
      maxAttempts: number;
      failure: number;
      advance: number;
      backoff: number;
      observedLag: number;
    }
  | { op: 'settle'; outcome: AttemptOutcome; advance: number }
  | { op: 'release'; advance: number }
  | { op: 'interrupt'; advance: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('claim' as const),
      expectedDelta: fc.constantFrom(-1 as const, 0 as const, 0 as const, 1 as const),
      maxAttempts: fc.integer({ min: 1, max: 3 }),
      // Failure times from a small set, so equal, older and newer failures all come up.
      failure: fc.integer({ min: 1, max: 4 }),
      advance: fc.constantFrom(0, 1, 5, 30),
      backoff: fc.constantFrom(0, 2, 10),
      // The listing began this many minutes before the claim (a lease may end between).
      observedLag: fc.constantFrom(0, 4, 20),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('settle' as const),
      outcome: fc.constantFrom(...OUTCOMES),
      advance: fc.constantFrom(0, 1, 5),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('release' as const), advance: fc.constantFrom(0, 1) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('interrupt' as const), advance: fc.constantFrom(0, 20) }),
  },
);

export function claimRuleContract(name: string, make: () => Promise<Ledger>, runs = 40): void {
  describe(`${name}: the claim rule`, () => {
    it('grants a claim exactly when mayClaim does, whatever the history of the instance', async () => {
      const ledger = await make();
      await fc.assert(
        fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 10 }), async (steps) => {
          const key: InstanceKey = { target: 'rule', workspace: 'w', jobName: 'j', instanceId: randomUUID() };
          let now = T0;
          let owned: { attempt: number; claimId: string } | undefined;
          for (const s of steps) {
            now += s.advance * MIN;
            const entry = (await ledger.read([key])).get(keyString(key));
            if (s.op === 'claim') {
              const request: ClaimRequest = {
                expectedAttempts: Math.max(0, (entry?.attempts ?? 0) + s.expectedDelta),
                maxAttempts: s.maxAttempts,
                now,
                notBefore: now + s.backoff * MIN,
                expiresAt: now + 86_400_000,
                claimId: randomUUID(),
                leaseUntil: now + 3 * MIN,
                failureAt: T0 - 60 * MIN + s.failure * MIN,
                observedAt: now - s.observedLag * MIN,
              };
              const expected = mayClaim(entry, request);
              expect({ step: s, entry, granted: await ledger.claim(key, request) }).toEqual({
                step: s,
                entry,
                granted: expected,
              });
              if (expected) owned = { attempt: request.expectedAttempts + 1, claimId: request.claimId };
            } else if (owned && s.op === 'settle') {
              await ledger.settle(key, { ...owned, at: now, outcome: s.outcome });
            } else if (owned && s.op === 'release') {
              await ledger.release(key, owned.attempt, owned.claimId, now);
            } else if (owned && s.op === 'interrupt') {
              await ledger.markInterrupted(key, owned.attempt, owned.claimId, now);
            }
          }
        }),
        { numRuns: runs, seed: 7 },
      );
    });
  });
}
