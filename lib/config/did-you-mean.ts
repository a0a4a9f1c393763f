/**
 * The allowed key a mistyped one most likely meant: within two edits (a dropped, added,
 * changed or swapped letter; fewer for short keys, where two edits reach anything), or
 * else one that starts with it or that it starts with (`lookbackHours`, `maxRestarts`).
 * Case is ignored: `projectid` meant `projectId`.
 */
export function didYouMean(key: string, allowed: readonly string[]): string | undefined {
  const given = key.toLowerCase();
  const most = Math.min(2, Math.ceil(given.length / 3));
  let best: { key: string; distance: number } | undefined;
  for (const candidate of allowed) {
    const distance = editDistance(given, candidate.toLowerCase());
    if (distance <= most && (!best || distance < best.distance)) best = { key: candidate, distance };
  }
  if (best) return best.key;
  if (given.length < 3) return undefined;
  return allowed.find((candidate) => {
    const c = candidate.toLowerCase();
    return c.startsWith(given) || given.startsWith(c);
  });
}

/** Levenshtein distance: the fewest one-letter insertions, deletions and changes from a to b. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const change = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      row.push(Math.min(change, (previous[j] as number) + 1, (row[j - 1] as number) + 1));
    }
    previous = row;
  }
  return previous[b.length] as number;
}
