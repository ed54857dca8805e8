// How a `sql` hook script is cut into statements: only at lines reading exactly `-- statement`, so semicolons
// in strings, function bodies and comments never split a statement; comment-only sections are not statements.
import { describe, expect, it } from 'vitest';
import { redactedDriverMessage, splitStatements } from '#shared/hooks/kinds/sql';

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

describe('redactedDriverMessage', () => {
  it('keeps the code and the identifiers, blanks quoted literals', () => {
    const error = Object.assign(new Error("Duplicate entry 'ann@example.com' for key 'customers.email'"), {
      code: 'ER_DUP_ENTRY',
    });
    expect(redactedDriverMessage(error)).toBe("ER_DUP_ENTRY: Duplicate entry '…' for key '…'");
    expect(redactedDriverMessage(new Error('relation "audit_log" does not exist'))).toBe(
      'relation "audit_log" does not exist',
    );
  });
});
