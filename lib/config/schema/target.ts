import * as v from 'valibot';
import { headerProblem } from '../../dataarts/header-values';
import { describe, jsonSchema, strict, text } from './primitives';
import { httpUrl } from './url';

/** How every placeholder of the `init` template begins: such a value is never a real one. */
export const TEMPLATE_PLACEHOLDER = 'replace-with-';

/** One DataArts project/workspace to sweep. */
export const TargetSchema = strict({
  name: v.pipe(
    text({ pattern: /^[A-Za-z0-9_.-]{1,64}$/, hint: '1-64 letters, digits, "_", "." or "-"' }),
    jsonSchema({ description: 'Unique, stable name; part of every ledger key (renaming resets budgets).' }),
  ),
  endpoint: httpUrl('DLF endpoint, e.g. https://dayu-dlf.cn-north-4.myhuaweicloud.com'),
  projectId: v.pipe(
    text({ pattern: /^[A-Za-z0-9-]{1,64}$/, hint: 'a project id (letters, digits, "-")' }),
    // `init` writes a placeholder that is a valid id in form: refused before any request fails on it.
    v.check(
      (id) => !id.startsWith(TEMPLATE_PLACEHOLDER),
      (issue) =>
        `is still the placeholder of the init template (${describe(issue.input)}): put the project id of the target's region here (console: My Credentials > API Credentials > Projects)`,
    ),
    jsonSchema({ description: 'Huawei Cloud project id.' }),
  ),
  workspace: v.exactOptional(
    v.pipe(
      text(),
      // Sent as a header on every request: refused here, with the target's index, before any is sent.
      v.rawCheck(({ dataset, addIssue }) => {
        const problem = dataset.typed ? headerProblem(dataset.value) : undefined;
        if (problem) addIssue({ message: `${problem}, got ${describe(dataset.value)}` });
      }),
      jsonSchema({
        description: 'Workspace id (the `workspace` header). Omit for the default workspace.',
        pattern: '^[!-~]+$',
      }),
    ),
  ),
  iamEndpoint: v.exactOptional(
    httpUrl('IAM endpoint, only for IAM user (password) credentials (default: HUAWEICLOUD_IAM_ENDPOINT).'),
  ),
});

export type TargetConfig = Readonly<v.InferOutput<typeof TargetSchema>>;

/**
 * The place a target addresses, as one comparable string: the endpoint with scheme and
 * host in lower case, the default port and trailing slashes dropped, then the project and
 * the workspace (`(default)` when none is set, which is the default workspace). Two
 * targets with one identity would each get their own retry budget for the same instances.
 */
export function targetIdentity(target: Pick<TargetConfig, 'endpoint' | 'projectId' | 'workspace'>): string {
  const workspace = target.workspace === undefined ? '(default)' : target.workspace;
  return `${normalizeEndpoint(target.endpoint)} project ${target.projectId} workspace ${workspace}`;
}

/** WHATWG URL parsing already lower-cases scheme and host and drops the scheme's default port. */
function normalizeEndpoint(endpoint: string): string {
  const url = new URL(endpoint);
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
}

/** A problem with a set of targets, by index: a duplicate name or place. */
export interface TargetsProblem {
  readonly index: number;
  readonly key?: 'name';
  readonly message: string;
}

/**
 * Names are unique (they key the ledger) and each place is swept by one target only:
 * a second one would rerun every instance again. A target left undefined (invalid on
 * its own) is skipped; indexes stay those of the list.
 */
export function targetsProblems(targets: readonly (TargetConfig | undefined)[]): TargetsProblem[] {
  const problems: TargetsProblem[] = [];
  const names = new Set<string>();
  const places = new Map<string, number>();
  targets.forEach((target, index) => {
    if (target === undefined) return;
    if (names.has(target.name))
      problems.push({ index, key: 'name', message: `"${target.name}" is used twice; names must be unique` });
    names.add(target.name);
    const identity = targetIdentity(target);
    const first = places.get(identity);
    if (first === undefined) places.set(identity, index);
    else {
      const message = `addresses the same project and workspace as targets[${first}] ("${targets[first]?.name}"): ${identity}`;
      problems.push({ index, message });
    }
  });
  return problems;
}
