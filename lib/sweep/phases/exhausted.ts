import { cutMessage } from '../../policy/failure-rules';
import { type MarkInput, markBounded } from '../marks';
import type { Planned } from '../planned';
import type { ExhaustedPort } from '../ports';
import type { ExhaustedItem } from '../report';

export type ExhaustedInput = MarkInput & { ledger: ExhaustedPort };

/**
 * Exhausted budgets are reported once, by the sweep that first sees them (the ledger's
 * mark decides which). A dry run reports what a real sweep would report now, and marks
 * nothing.
 */
export async function reportExhausted(
  input: ExhaustedInput,
  planned: readonly Planned[],
  now: number,
): Promise<ExhaustedItem[]> {
  const fresh = planned.filter(
    ({ decision, entry }) =>
      decision.action === 'skip' &&
      decision.reason === 'budget-exhausted' &&
      entry !== undefined &&
      entry.exhaustedReportedAt === undefined,
  );
  const marked = await markBounded(input, fresh, (p) => input.ledger.markExhausted(p.key, now));
  return fresh.flatMap((p, i) => {
    const { entry } = p;
    if (!marked[i] || !entry) return [];
    return [
      {
        ...p.key,
        attempts: entry.attempts,
        maxAttempts: p.rule.maxAttempts,
        ...(entry.lastOutcome ? { lastOutcome: entry.lastOutcome } : {}),
        // What the last failure was: the first thing the human it goes to needs.
        ...(p.instance.errorMessage ? { lastError: cutMessage(p.instance.errorMessage) } : {}),
      },
    ];
  });
}
