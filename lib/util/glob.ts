/**
 * Job-name globs: `*` matches any run of characters (line breaks included), `?` one
 * character; everything else is literal (job names may contain regex metacharacters and
 * any Unicode).
 *
 * Matched by a two-pointer scan, not a regular expression: a backtracking engine takes
 * exponential time on globs like `*_*_*_*_x`, and a sweep blocked on one name misses
 * every deadline. This is O(name × glob) at worst.
 */

/** A glob split into code points, so `?` stands for one whole character (an emoji too). */
export type Glob = readonly string[];

/** Compiles `glob` once (when the config is read). */
export function compileGlob(glob: string): Glob {
  return Array.from(glob);
}

/** Whether `name` matches at least one of `globs`. */
export function matchesAny(name: string, globs: readonly Glob[]): boolean {
  const chars = Array.from(name);
  return globs.some((glob) => matches(glob, chars));
}

/**
 * Greedy matching with one backtrack point: on a mismatch, the last `*` seen swallows one
 * more character and the scan resumes after it. Earlier stars never need revisiting, as
 * the last one can absorb anything they could.
 */
function matches(glob: Glob, name: readonly string[]): boolean {
  let g = 0;
  let n = 0;
  let star = -1;
  let swallowedUpTo = 0;
  while (n < name.length) {
    const c = glob[g];
    if (c === '*') {
      star = g++;
      swallowedUpTo = n;
    } else if (c !== undefined && (c === '?' || c === name[n])) {
      g++;
      n++;
    } else if (star >= 0) {
      g = star + 1;
      n = ++swallowedUpTo;
    } else {
      return false;
    }
  }
  while (glob[g] === '*') g++;
  return g === glob.length;
}
