// BoundSql sends exactly the values its SQL text uses: PostgreSQL refuses a parameter the text never mentions
// (42P18, its type cannot be inferred), and a value left out of the text has no business reaching the server.

import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BoundSql, boundKeys } from '#shared/masking/dialects/dialect';
import { purposeKey, purposeKeys } from '#shared/masking/keys';

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

describe('purpose keys', () => {
  const salt = 'a-salt-of-the-team';

  it('are one 64-hex key per purpose, stable for a salt, different per purpose and per salt', () => {
    const keys = purposeKeys(salt);
    expect(Object.keys(keys).sort()).toEqual(['email', 'first-name', 'full-name', 'hash', 'last-name']);
    for (const key of Object.values(keys)) expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set(Object.values(keys)).size).toBe(5);
    expect(purposeKeys(salt)).toEqual(keys);
    const other = purposeKeys(`${salt}.`);
    for (const purpose of Object.keys(keys) as (keyof typeof keys)[])
      expect(other[purpose]).not.toBe(keys[purpose]);
  });

  it('are HMAC-SHA-256 of a versioned label under the salt, so the salt cannot be read back from them', () => {
    const expected = createHmac('sha256', salt).update('dms-scheduler/masking/v1/email').digest('hex');
    expect(purposeKey(salt, 'email')).toBe(expected);
    expect(Object.values(purposeKeys(salt)).some((key) => key.includes(salt))).toBe(false);
  });

  it('are bound once per purpose per statement, wherever the purpose recurs', () => {
    const bound = new BoundSql();
    const key = boundKeys(bound, purposeKeys(salt));
    const text = `SELECT ${key('email')}, ${key('hash')}, ${key('email')}`;
    expect(bound.finalize(text, 'numbered')).toEqual({
      sql: 'SELECT $1, $2, $1',
      params: [purposeKey(salt, 'email'), purposeKey(salt, 'hash')],
    });
    expect(bound.finalize(text, 'positional').params).toEqual([
      purposeKey(salt, 'email'),
      purposeKey(salt, 'hash'),
      purposeKey(salt, 'email'),
    ]);
  });
});
