// BoundSql sends exactly the values its SQL text uses: PostgreSQL refuses a parameter the text never mentions
// (42P18, its type cannot be inferred), and a value left out of the text has no business reaching the server.
import { describe, expect, it } from 'vitest';
import { BoundSql, usesSalt } from '#shared/masking/dialects/dialect';

describe('BoundSql', () => {
  it('numbers only the markers present, in order of first appearance, a repeated marker once', () => {
    const bound = new BoundSql();
    const unused = bound.bind('not in the text');
    const a = bound.bind('a');
    const b = bound.bind(2);
    expect(unused).not.toBe(a);
    expect(bound.finalize(`SELECT ${b}, ${a}, ${b}`, 'numbered')).toEqual({
      sql: 'SELECT $1, $2, $1',
      params: [2, 'a'],
    });
  });

  it('sends no parameter for a text without markers', () => {
    const bound = new BoundSql();
    bound.bind('salt');
    expect(bound.finalize('SELECT 1', 'numbered')).toEqual({ sql: 'SELECT 1', params: [] });
    expect(bound.finalize('SELECT 1', 'positional')).toEqual({ sql: 'SELECT 1', params: [] });
  });

  it('sends positional values in textual order, once per occurrence', () => {
    const bound = new BoundSql();
    bound.bind('unused');
    const a = bound.bind('a');
    const b = bound.bind('b');
    expect(bound.finalize(`SELECT ${b}, ${a}, ${b}`, 'positional')).toEqual({
      sql: 'SELECT ?, ?, ?',
      params: ['b', 'a', 'b'],
    });
  });
});

describe('usesSalt', () => {
  it('is true exactly for the deterministic strategies', () => {
    expect(
      (
        [
          'hash',
          'email',
          'first-name',
          'last-name',
          'full-name',
          'digits-mask',
          'null',
          'shuffle',
          'text-scrub',
          'noise',
        ] as const
      ).map((strategy) => usesSalt({ strategy } as Parameters<typeof usesSalt>[0])),
    ).toEqual([true, true, true, true, true, false, false, false, false, false]);
  });
});
