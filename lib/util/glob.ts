/**
 * Job-name globs: `*` matches any run of characters, `?` one character; everything
 * else is literal (job names may contain regex metacharacters and any Unicode).
 */
export function globToRegExp(glob: string): RegExp {
  let source = '';
  for (const char of glob) {
    if (char === '*') source += '.*';
    else if (char === '?') source += '.';
    else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 'su');
}

export function matchesAny(name: string, globs: readonly RegExp[]): boolean {
  return globs.some((glob) => glob.test(name));
}
