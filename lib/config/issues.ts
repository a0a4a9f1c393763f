import * as v from 'valibot';
import { ConfigError, type ConfigIssue } from '../errors/config-error';
import { describe } from './schema/primitives';

type Issue = v.BaseIssue<unknown>;

/** `policy.rules[2].maxAttempts` from the issue's path, under `root` (e.g. `event`). */
function fieldOf(path: readonly v.IssuePathItem[] | undefined, root: string): string {
  let field = root;
  for (const { key } of path ?? []) {
    if (typeof key === 'number') field += `[${key}]`;
    else field += field ? `.${String(key)}` : String(key);
  }
  return field || 'config';
}

/**
 * A union that fails names no option; when the value fits one option's type and fails
 * deeper inside it (a list with one bad item), that option's issues say more.
 */
function explain(issue: Issue): Issue[] {
  const at = issue.path ?? [];
  if (issue.type !== 'union' || !issue.issues) return [issue];
  const deeper = issue.issues.filter((sub) => (sub.path?.length ?? 0) > 0 || sub.kind !== 'schema');
  if (deeper.length === 0) return [issue];
  return deeper.flatMap((sub) => {
    const path = [...at, ...(sub.path ?? [])];
    return explain(path.length > 0 ? { ...sub, path: path as [v.IssuePathItem, ...v.IssuePathItem[]] } : sub);
  });
}

/**
 * The issue's message with what the input was replaced, in every form a message shows
 * it: valibot's `received`, `describe`'s (quoted, cut at 60 characters), and as is.
 * An empty value is never searched for: it matches between every two characters.
 */
function withoutValue(issue: Issue): string {
  const { input } = issue;
  if (input === undefined || input === null || typeof input === 'object') return issue.message;
  return [issue.received, describe(input), String(input)]
    .filter((shown) => shown !== '')
    .reduce((message, shown) => message.replaceAll(shown, '(value hidden)'), issue.message);
}

/**
 * One ConfigError for every issue valibot found, one line each, the first one also as
 * `field`/`problem`. With `hideValues`, what the input was is never repeated (a secret).
 */
export function configError(
  issues: readonly [Issue, ...Issue[]],
  root = '',
  hideValues = false,
): ConfigError {
  const seen = new Set<string>();
  const list: ConfigIssue[] = [];
  // Unknown keys first: a typo usually explains the "is required" next to it.
  const typos = (issue: Issue) => (issue.expected === 'never' ? 0 : 1);
  for (const issue of issues.flatMap(explain).sort((a, b) => typos(a) - typos(b))) {
    const field = fieldOf(issue.path, root);
    if (seen.has(field)) continue; // the first problem of a field says enough
    seen.add(field);
    list.push({ field, problem: hideValues ? withoutValue(issue) : issue.message });
  }
  const [first, ...more] = list as [ConfigIssue, ...ConfigIssue[]];
  return new ConfigError(first.field, first.problem, more);
}

/** Validates `input` with `schema`, or throws one ConfigError listing every problem. */
export function parseWith<S extends v.GenericSchema>(
  schema: S,
  input: unknown,
  options: { root?: string; hideValues?: boolean } = {},
): v.InferOutput<S> {
  const result = v.safeParse(schema, input);
  if (!result.success) throw configError(result.issues, options.root, options.hideValues);
  return result.output;
}
