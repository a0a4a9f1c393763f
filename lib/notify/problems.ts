import type { SweepReport } from '../sweep/report';

/**
 * A condition that lasts across sweeps and so would repeat in every summary: a target
 * that cannot be swept, a credential that is refused, a storm. Keyed by target, not
 * by error code, so a target failing first with a timeout and then with a 500 is one
 * problem, announced once. An incident is keyed by target and cause: announced when it
 * opens, over when it closes.
 */
export interface Problem {
  key: string;
  kind: 'target' | 'auth' | 'storm' | 'incident';
  target: string;
}

/** A target error is an authentication problem when DataArts or IAM refused the credential. */
export function errorKind(code: string): 'auth' | 'target' {
  return /AUTHENTICATION|NOT_AUTHORIZED/.test(code) ? 'auth' : 'target';
}

export function problemsOf(report: SweepReport): Problem[] {
  const problems: Problem[] = [];
  for (const t of report.targets) {
    if (t.error) {
      const kind = errorKind(t.error.code);
      problems.push({ key: `${kind}:${t.target}`, kind, target: t.target });
    }
    if (t.storm.suspected) problems.push({ key: `storm:${t.target}`, kind: 'storm', target: t.target });
    for (const i of t.incidents ?? [])
      if (i.state !== 'closed')
        problems.push({ key: incidentKey(t.target, i.causeKey), kind: 'incident', target: t.target });
  }
  return problems;
}

export function incidentKey(target: string, causeKey: string): string {
  return `incident:${target}:${causeKey}`;
}
