// How a `sql` hook script is cut into statements: only at lines reading exactly `-- statement`, so semicolons
// in strings, function bodies and comments never split a statement; comment-only sections are not statements.
// A failing statement is reported by its number and the driver's error codes, never by the driver's message,
// which quotes row values (the report reaches logs and alerts).
import { describe, expect, it } from 'vitest';
import type { TargetDatabase } from '#shared/database/target';
import { describeDriverError, splitStatements, sqlHook } from '#shared/hooks/kinds/sql';
import { hookContext } from '../../../support/hooks.ts';
import { rejection } from '../../../support/rejection.ts';

describe('splitStatements', () => {
  it.each([
    ['one statement without markers', 'DELETE FROM audit_log;', ['DELETE FROM audit_log;']],
    [
      'sections at marker lines',
      'DELETE FROM a\n-- statement\nDELETE FROM b',
      ['DELETE FROM a', 'DELETE FROM b'],
    ],
    ['markers with spaces, any case, CRLF', 'A\r\n  --  Statement  \r\nB', ['A', 'B']],
    ['semicolons inside a statement', "UPDATE t SET v = 'a;b'; -- keep", ["UPDATE t SET v = 'a;b'; -- keep"]],
    [
      'comment-only and empty sections dropped',
      '-- header\n\n-- statement\nSELECT 1\n-- statement\n\n',
      ['SELECT 1'],
    ],
    [
      'a marker inside a longer comment is not a marker',
      '-- see "-- statement" below\nSELECT 1',
      ['-- see "-- statement" below\nSELECT 1'],
    ],
    ['nothing', '-- only comments', []],
  ])('%s', (_, script, expected) => {
    expect(splitStatements(script)).toEqual(expected);
  });
});

/** Driver errors as node-postgres and mysql2 throw them, with messages that quote row values. */
const PG_BAD_BIGINT = Object.assign(new Error('invalid input syntax for type bigint: "+44 20 7946 0958"'), {
  name: 'error',
  code: '22P02',
  severity: 'ERROR',
});
const PG_DUPLICATE_KEY = Object.assign(
  new Error('duplicate key value violates unique constraint "customers_email_key"'),
  {
    name: 'error',
    code: '23505',
    detail: 'Key (email)=(ann@example.com) already exists.',
  },
);
const MYSQL_DUPLICATE_ENTRY = Object.assign(
  new Error("Duplicate entry 'O'Brien, Ann' for key 'customers.name'"),
  {
    code: 'ER_DUP_ENTRY',
    errno: 1062,
    sqlState: '23000',
    sqlMessage: "Duplicate entry 'O'Brien, Ann' for key 'customers.name'",
  },
);
const VALUES = ['+44', '7946', '0958', 'Brien', 'Ann', 'ann@example.com', 'customers'];

describe('describeDriverError', () => {
  it.each([
    ['PostgreSQL: a value in double quotes', PG_BAD_BIGINT, 'SQLSTATE 22P02'],
    ['PostgreSQL: a value in the detail', PG_DUPLICATE_KEY, 'SQLSTATE 23505'],
    ['MySQL: a value with a quote in it', MYSQL_DUPLICATE_ENTRY, 'ER_DUP_ENTRY (errno 1062), SQLSTATE 23000'],
    [
      'a client-side failure',
      Object.assign(new Error('Connection lost'), { code: 'PROTOCOL_CONNECTION_LOST' }),
      'PROTOCOL_CONNECTION_LOST',
    ],
    [
      'an error without a code',
      new Error("value 'O'Brien, Ann' refused"),
      'Error without an error code (message withheld)',
    ],
    ['a thrown string', "value 'O'Brien, Ann' refused", 'string without an error code (message withheld)'],
  ])('%s: the codes only', (_, error, expected) => {
    const described = describeDriverError(error);
    expect(described).toBe(expected);
    for (const value of VALUES) expect(described).not.toContain(value);
  });

  it('does not take a code that is not a code (a message in the code field)', () => {
    expect(describeDriverError({ code: "Duplicate entry 'O'Brien, Ann'", errno: 1062 })).toBe('errno 1062');
    expect(describeDriverError({ code: 'ann@example.com' })).toBe(
      'object without an error code (message withheld)',
    );
  });
});

describe('a failing statement', () => {
  /** A target whose every query fails with `error`, inside a transaction that rolls back. */
  const failingWith = (error: unknown): TargetDatabase => {
    const database: TargetDatabase = {
      dialect: 'postgres',
      database: 'staging',
      query: async () => {
        throw error;
      },
      transaction: (work) => work(database),
      close: async () => undefined,
      abort: () => undefined,
    };
    return database;
  };

  it.each([
    ['PostgreSQL', PG_BAD_BIGINT, 'SQLSTATE 22P02'],
    ['MySQL', MYSQL_DUPLICATE_ENTRY, 'ER_DUP_ENTRY (errno 1062), SQLSTATE 23000'],
  ])('is reported by its number and the %s error codes, with no value from the message', async (_, error, codes) => {
    const hook = sqlHook({
      name: 'fix-phones',
      file: 'hooks/sql/fix-phones.sql',
      script: 'UPDATE customers SET phone = NULL',
    });
    const failure = await rejection(hook.run(hookContext({ target: async () => failingWith(error) })));
    expect(String(failure)).toBe(
      `SqlHookError: hooks/sql/fix-phones.sql statement 1 of 1 failed; the script was rolled back: ${codes}`,
    );
    expect((failure as Error).cause).toBeUndefined();
    for (const value of VALUES) expect(String(failure)).not.toContain(value);
  });
});
