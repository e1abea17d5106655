/** "Did you mean …?" suggestions for mistyped ids, config keys and options. */

/** Optimal-string-alignment (Damerau–Levenshtein) distance: insertions, deletions, substitutions, swaps. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = [];
  for (let i = 0; i <= a.length; i++) d.push([i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 0; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/**
 * The candidate closest to `input`, or undefined when none is close. Tried in order: a match ignoring
 * case, `-` and `_`; the smallest edit distance if it is at most min(3, max(1, ⌊length/3⌋)); a unique
 * candidate that starts with `input`.
 */
export function suggest(input: string, candidates: readonly string[]): string | undefined {
  const norm = (s: string) => s.toLowerCase().replace(/[-_]/g, '');
  const exact = candidates.find((c) => norm(c) === norm(input));
  if (exact !== undefined) return exact;
  const limit = Math.min(3, Math.max(1, Math.floor(input.length / 3)));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const dist = editDistance(norm(input), norm(c));
    if (dist < bestDistance) {
      bestDistance = dist;
      best = c;
    }
  }
  if (best !== undefined && bestDistance <= limit) return best;
  // a prefix ('epoch' for 'epochs', 'lr' for 'lrSchedule') is a good guess too
  const prefixed = candidates.filter((c) => norm(c).startsWith(norm(input)) && input.length >= 2);
  return prefixed.length === 1 ? prefixed[0] : undefined;
}
