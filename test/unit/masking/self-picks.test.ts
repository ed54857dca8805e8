// The dictionary strategies find the entries that would pick themselves in this process, not in SQL: that is
// only sound while the dictionaries are ASCII (the database's LOWER then agrees with this one whatever its
// collation) and hold each name once, case aside (the next entry of a self-pick is then another name).
import { describe, expect, it } from 'vitest';
import { FIRST_NAMES, LAST_NAMES } from '#shared/masking/dictionaries';
import { pickIndex, selfPickedNames, selfPickedPairs } from '#shared/masking/self-picks';

describe('self-picks', () => {
  it.each([
    ['FIRST_NAMES', FIRST_NAMES],
    ['LAST_NAMES', LAST_NAMES],
  ])('%s is ASCII, each name once case aside', (_, dictionary) => {
    expect(dictionary.filter((name) => !/^[\x20-\x7e]+$/.test(name))).toEqual([]);
    expect(new Set(dictionary.map((name) => name.toLowerCase())).size).toBe(dictionary.length);
  });

  it('lists exactly the names and pairs whose own pick is themselves', () => {
    for (const key of ['k1', 'k2', 'k3']) {
      const names = selfPickedNames(key, FIRST_NAMES);
      for (const [position, name] of FIRST_NAMES.entries()) {
        const picksItself = pickIndex(key, name.toLowerCase(), FIRST_NAMES.length) === position;
        expect(names.includes(name.toLowerCase())).toBe(picksItself);
      }
      for (const pair of selfPickedPairs(key, FIRST_NAMES, LAST_NAMES)) {
        const [first = '', last = ''] = pair.split(' ');
        expect(FIRST_NAMES[pickIndex(key, pair, FIRST_NAMES.length)]?.toLowerCase()).toBe(first);
        expect(LAST_NAMES[pickIndex(key, pair, LAST_NAMES.length, 8)]?.toLowerCase()).toBe(last);
      }
    }
  });
});
