// The unique-index rules of the pre-flight (see shared/masking/unique.ts) and the mapping of a run-time duplicate
// to the index it violated: from the driver error's structured fields and the catalog, never its message.
import { describe, expect, it } from 'vitest';
import { describeUniqueViolation, isUniqueViolation, uniqueViolation } from '#shared/masking/errors';
import type { Strategy } from '#shared/masking/rules';
import { type UniqueIndex, type UniqueKey, uniqueVerdict } from '#shared/masking/unique';

const key = (over: Partial<UniqueKey> = {}): UniqueKey => ({
  lowered: false,
  caseInsensitive: false,
  prefix: null,
  ...over,
});
const index = (
  name: string,
  keys: Record<string, UniqueKey>,
  over: Partial<UniqueIndex> = {},
): UniqueIndex => ({
  name,
  columns: Object.keys(keys),
  keys: new Map(Object.entries(keys)),
  inExpression: [],
  nullsNotDistinct: false,
  width: Object.keys(keys).length,
  ...over,
});
const verdict = (strategy: Strategy, idx: UniqueIndex, all: UniqueIndex[] = [idx]) =>
  uniqueVerdict(strategy, 'email', idx, all).kind;

describe('uniqueVerdict', () => {
  const plain = index('customers_email_key', { email: key() });

  it.each<[Strategy, string]>([
    [{ strategy: 'fixed', value: 'x' }, 'refused'],
    [{ strategy: 'fixed', value: null }, 'safe'],
    [{ strategy: 'null' }, 'safe'],
    [{ strategy: 'partial', keepFirst: 1 }, 'refused'],
    [{ strategy: 'digits-mask' }, 'refused'],
    [{ strategy: 'digits-randomize' }, 'refused'],
    [{ strategy: 'first-name' }, 'refused'],
    [{ strategy: 'last-name' }, 'refused'],
    [{ strategy: 'full-name' }, 'refused'],
    [{ strategy: 'text-scrub' }, 'refused'],
    [{ strategy: 'noise', ratio: 0.1, min: 1, max: 5 }, 'refused'],
    [{ strategy: 'noise', ratio: 0.1 }, 'refused'],
    [{ strategy: 'date-shift', maxDays: 3 }, 'refused'],
    [{ strategy: 'hash', length: 15 }, 'refused'],
    [{ strategy: 'hash', length: 16 }, 'safe'],
    [{ strategy: 'hash' }, 'safe'],
    [{ strategy: 'shuffle' }, 'safe'],
    [{ strategy: 'email' }, 'count-case-twins'],
  ])('%j on a case-sensitive one-column unique index: %s', (strategy, expected) => {
    expect(verdict(strategy, plain)).toBe(expected);
  });

  it('allows email without counting where the comparison ignores case or a unique lower(column) index exists', () => {
    expect(verdict({ strategy: 'email' }, index('i', { email: key({ caseInsensitive: true }) }))).toBe(
      'safe',
    );
    const lowered = index('lower_idx', { email: key({ lowered: true }) });
    expect(verdict({ strategy: 'email' }, plain, [plain, lowered])).toBe('safe');
    expect(verdict({ strategy: 'email' }, lowered, [plain, lowered])).toBe('safe');
  });

  it('judges hash and email by the characters a prefix index compares', () => {
    expect(verdict({ strategy: 'hash', length: 32 }, index('p', { email: key({ prefix: 10 }) }))).toBe(
      'refused',
    );
    expect(
      verdict({ strategy: 'email' }, index('p', { email: key({ prefix: 17, caseInsensitive: true }) })),
    ).toBe('refused');
    expect(
      verdict({ strategy: 'email' }, index('p', { email: key({ prefix: 18, caseInsensitive: true }) })),
    ).toBe('safe');
  });

  it('refuses null under NULLS NOT DISTINCT, shuffle on a composite index, anything but null inside an expression', () => {
    expect(verdict({ strategy: 'null' }, index('n', { email: key() }, { nullsNotDistinct: true }))).toBe(
      'refused',
    );
    const pair = index('pair', { tenant: key(), email: key() });
    expect(verdict({ strategy: 'shuffle' }, pair)).toBe('refused');
    expect(verdict({ strategy: 'hash' }, pair)).toBe('safe');
    const expression = index('expr', {}, { columns: ['email'], inExpression: ['email'], width: 1 });
    expect(verdict({ strategy: 'hash' }, expression)).toBe('refused');
    expect(verdict({ strategy: 'null' }, expression)).toBe('safe');
  });

  it('names the index and the strategy in its reason, never a value', () => {
    const result = uniqueVerdict({ strategy: 'fixed', value: 'SECRET-VALUE' }, 'email', plain, [plain]);
    expect(result).toMatchObject({ kind: 'refused' });
    const why = result.kind === 'refused' ? result.why : '';
    expect(why).toContain('customers_email_key');
    expect(why).toContain('strategy fixed');
    expect(why).not.toContain('SECRET-VALUE');
  });
});

describe('run-time unique violations', () => {
  const indexes = [
    { name: 'customers_email_key', columns: ['email'] },
    { name: 'customers_tenant_nick', columns: ['tenant', 'nick'] },
  ];
  // What node-postgres and mysql2 throw: the structured fields, and a message that quotes the value.
  const pgError = Object.assign(
    new Error('duplicate key value violates unique constraint "customers_email_key"'),
    {
      code: '23505',
      constraint: 'customers_email_key',
      detail: 'Key (email)=(ann@x.org) already exists.',
    },
  );
  const mysqlError = Object.assign(new Error("Duplicate entry 'ann@x.org' for key 'customers_tenant_nick'"), {
    code: 'ER_DUP_ENTRY',
    errno: 1062,
    sqlMessage: "Duplicate entry 'ann@x.org' for key 'customers_tenant_nick'",
  });

  it('recognises 23505 and errno 1062 only', () => {
    expect(isUniqueViolation(pgError)).toBe(true);
    expect(isUniqueViolation(mysqlError)).toBe(true);
    expect(isUniqueViolation({ code: '23514' })).toBe(false);
    expect(isUniqueViolation(null)).toBe(false);
  });

  it('takes the PostgreSQL constraint from the error field and its columns from the catalog', () => {
    const violation = uniqueViolation(pgError, indexes, ['email', 'nick']);
    expect(violation).toEqual({ constraints: ['customers_email_key'], columns: ['email'] });
    expect(describeUniqueViolation(violation, indexes)).toBe('unique index customers_email_key (email)');
  });

  it('names a PostgreSQL constraint the catalog did not list only when it is a plain name', () => {
    expect(uniqueViolation({ ...pgError, constraint: 'made_later' }, indexes, []).constraints).toEqual([
      'made_later',
    ]);
    expect(uniqueViolation({ ...pgError, constraint: "x' (ann@x.org)" }, indexes, []).constraints).toEqual(
      [],
    );
  });

  it('on MySQL, names the catalog indexes over the columns the statement wrote, never reading the message', () => {
    const one = uniqueViolation(mysqlError, indexes, ['nick']);
    expect(one).toEqual({ constraints: ['customers_tenant_nick'], columns: ['tenant', 'nick'] });
    const both = uniqueViolation(mysqlError, indexes, ['email', 'nick']);
    const text = describeUniqueViolation(both, indexes);
    expect(text).toBe(
      'one of unique indexes customers_email_key (email), customers_tenant_nick (tenant, nick)',
    );
    expect(describeUniqueViolation(uniqueViolation(mysqlError, indexes, ['city']), indexes)).toBe(
      'a unique index',
    );
    expect(JSON.stringify([one, both, text])).not.toContain('ann@x.org');
  });
});
