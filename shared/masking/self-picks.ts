// Why this file exists: a dictionary strategy (first-name, last-name, full-name) must never mask a value to
// itself, and the only values it could do that to are dictionary entries (or pairs) whose keyed hash picks
// themselves. Which ones those are depends only on the key and the dictionary, so they are found here, once per
// statement, rather than by a second hash and a comparison per row in SQL: a row then costs one hash and one
// pick, and only the (rare) listed values take the next entry.
import { createHash } from 'node:crypto';

/** The 0-based index the SQL picks for `lower`: 32 bits of its keyed hash, from hex character `from`, mod `size`. */
export function pickIndex(key: string, lower: string, size: number, from = 0): number {
  const hex = createHash('sha256').update(`${key}:${lower}`, 'utf8').digest('hex');
  return Number.parseInt(hex.slice(from, from + 8), 16) % size;
}

/**
 * The dictionary entries picked by their own lower-cased form, lower-cased. Dictionaries are ASCII, so the
 * database's LOWER agrees with this one on them whatever its collation.
 */
export function selfPickedNames(key: string, dictionary: readonly string[]): string[] {
  return dictionary
    .map((entry) => entry.toLowerCase())
    .filter((lower, position) => pickIndex(key, lower, dictionary.length) === position);
}

/** The "First Last" pairs whose lower-cased form picks that very pair (first name from hex 0, last from 8). */
export function selfPickedPairs(key: string, firsts: readonly string[], lasts: readonly string[]): string[] {
  const pairs: string[] = [];
  firsts.forEach((first, i) => {
    lasts.forEach((last, j) => {
      const lower = `${first} ${last}`.toLowerCase();
      if (pickIndex(key, lower, firsts.length) === i && pickIndex(key, lower, lasts.length, 8) === j) {
        pairs.push(lower);
      }
    });
  });
  return pairs;
}
