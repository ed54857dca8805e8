// The scorer's rules, one by one: when content alone reports, when a name alone does, what a name and one
// matching value make together, what needs a name (dates of birth, number columns, vetoed look-alikes), and that
// a finding lists its evidence without ever holding a value.
import { describe, expect, it } from 'vitest';
import { REPORT_THRESHOLD, STRONG_CONTENT_SHARE, scoreColumn } from '#shared/discovery/score';
import type { ColumnSample } from '#shared/discovery/types';

const NOW = new Date('2026-06-01T00:00:00Z');

function sample(
  column: string,
  values: readonly string[],
  dataType = 'character varying',
  table = 't',
): ColumnSample {
  return { schema: 'public', table, column, dataType, values, rowsSampled: values.length };
}

const repeat = (count: number, make: (index: number) => string) =>
  Array.from({ length: count }, (_, i) => make(i));
const emails = (count: number) => repeat(count, (i) => `person.${i}@example.org`);
const words = (count: number) => repeat(count, (i) => `word${i}`);
const reported = (column: ColumnSample) => {
  const finding = scoreColumn(column, NOW);
  return finding !== undefined && finding.score >= REPORT_THRESHOLD ? finding.kind : undefined;
};

describe('scoreColumn: content', () => {
  it('reports content alone at the strong share, not below it', () => {
    const atShare = Math.round(50 * STRONG_CONTENT_SHARE);
    expect(reported(sample('contact', [...emails(atShare), ...words(50 - atShare)]))).toBe('email');
    const below = scoreColumn(sample('contact', [...emails(atShare - 1), ...words(51 - atShare)]), NOW);
    expect(below?.kind).toBe('email');
    expect(below?.score).toBeLessThan(REPORT_THRESHOLD);
  });

  it('scores higher the more values match', () => {
    const some = scoreColumn(sample('contact', [...emails(20), ...words(30)]), NOW)?.score ?? 0;
    const all = scoreColumn(sample('contact', emails(50)), NOW)?.score ?? 0;
    expect(all).toBe(1);
    expect(some).toBeGreaterThanOrEqual(REPORT_THRESHOLD);
    expect(some).toBeLessThan(all);
  });

  it('returns undefined when nothing points at personal data', () => {
    expect(scoreColumn(sample('comment', words(50)), NOW)).toBeUndefined();
    expect(scoreColumn(sample('comment', []), NOW)).toBeUndefined();
  });
});

describe('scoreColumn: names', () => {
  it('reports a high-weight name alone, also over an empty table, because it can fill tomorrow', () => {
    const empty = { ...sample('email', []), rowsSampled: 0 };
    const finding = scoreColumn(empty, NOW);
    expect(finding).toMatchObject({ kind: 'email', score: 0.9, content: [] });
    expect(reported(sample('email', words(50)))).toBe('email');
  });

  it('does not report a low-weight name alone', () => {
    expect(scoreColumn(sample('mail', words(50)), NOW)?.score).toBe(0.6);
    expect(reported(sample('name', words(50)))).toBeUndefined();
    expect(reported(sample('user_name', words(50)))).toBeUndefined();
    expect(reported(sample('address', words(50)))).toBeUndefined();
  });

  it('reports a name and one matching value together, whatever the weight', () => {
    const finding = scoreColumn(sample('mail', [...emails(1), ...words(49)]), NOW);
    expect(finding?.kind).toBe('email');
    expect(finding?.score).toBeGreaterThanOrEqual(REPORT_THRESHOLD);
  });

  it('reads a bare name in a table of people as a person’s, elsewhere not', () => {
    expect(reported(sample('name', words(50), 'text', 'customers'))).toBe('person-name');
    expect(reported(sample('name', words(50), 'text', 'products'))).toBeUndefined();
  });

  it('lets the values of a handle column decide', () => {
    expect(reported(sample('user_name', emails(50)))).toBe('email');
  });
});

describe('scoreColumn: what needs a name', () => {
  const births = repeat(50, (i) => `19${50 + (i % 40)}-0${1 + (i % 9)}-1${i % 10}`);

  it('never reports a date of birth on content alone: timestamps fall in the same years', () => {
    // The dates are listed as evidence, scoring 0: a near miss anyone can see, never a report.
    expect(scoreColumn(sample('created_on', births, 'date'), NOW)).toMatchObject({
      kind: 'date-of-birth',
      score: 0,
      content: [{ detector: 'date-of-birth', matched: 50, sampled: 50 }],
    });
    expect(reported(sample('birth_date', births, 'date'))).toBe('date-of-birth');
    expect(reported(sample('born', births, 'text'))).toBe('date-of-birth');
  });

  it('never reports a number column on content alone: an integer is any number', () => {
    const cards = repeat(50, () => '4111111111111111');
    expect(reported(sample('amount', cards, 'bigint'))).toBeUndefined();
    const finding = scoreColumn(sample('cc_num', cards, 'bigint'), NOW);
    expect(finding).toMatchObject({ kind: 'card', score: 1, content: [{ detector: 'card', matched: 50 }] });
  });

  it('counts nine bare digits as an SSN only where the name says SSN', () => {
    const bare = repeat(50, (i) => `${123 + i}456789`);
    expect(scoreColumn(sample('ssn', bare), NOW)).toMatchObject({
      kind: 'ssn',
      score: 1,
      content: [{ detector: 'ssn', matched: 50, sampled: 50 }],
    });
    expect(scoreColumn(sample('employee_code', bare), NOW)).toBeUndefined();
  });

  it('counts bare national phone numbers only where the name says phone', () => {
    const bare = repeat(50, (i) => `07700900${String(100 + i)}`);
    expect(scoreColumn(sample('mobile', bare), NOW)).toMatchObject({
      kind: 'phone',
      score: 1,
      content: [{ detector: 'phone', matched: 50, sampled: 50 }],
    });
    expect(scoreColumn(sample('customer_no', bare), NOW)).toBeUndefined();
  });

  it('takes a version column’s 1.2.3.4 for a version, another column’s for an address', () => {
    const dotted = repeat(50, (i) => `${1 + (i % 3)}.${i % 10}.${i}.${i % 7}`);
    expect(scoreColumn(sample('build_version', dotted), NOW)).toMatchObject({ kind: 'ip-address', score: 0 });
    expect(reported(sample('client', dotted))).toBe('ip-address');
  });

  it('takes Luhn-valid order numbers with a card prefix for order numbers', () => {
    const visaLike = repeat(50, () => '4111111111111111');
    expect(scoreColumn(sample('order_number', visaLike), NOW)).toMatchObject({ kind: 'card', score: 0 });
    expect(reported(sample('order_card_number', visaLike))).toBe('card');
  });
});

describe('scoreColumn: free text', () => {
  const notes = repeat(50, (i) => `Customer called about order ${1000 + i}, all fine now`);

  it('reports free text when a single sampled value holds embedded personal data', () => {
    const leaked = [...notes.slice(1), 'Customer asked us to call back on +44 20 7946 0018 tomorrow'];
    const finding = scoreColumn(sample('notes', leaked, 'text'), NOW);
    expect(finding).toMatchObject({ kind: 'free-text', content: [{ detector: 'free-text', matched: 1 }] });
    expect(finding?.score).toBeGreaterThanOrEqual(REPORT_THRESHOLD);
    expect(scoreColumn(sample('notes', notes, 'text'), NOW)).toBeUndefined();
  });
});

describe('scoreColumn: the finding', () => {
  it('picks the best kind and lists all the evidence, names and counts', () => {
    // The name says e-mail, four values in five are phone numbers: the values win, the name stays listed.
    const phones = repeat(40, (i) => `+44 20 7946 ${String(1000 + i)}`);
    const finding = scoreColumn(sample('email', [...phones, ...emails(10)]), NOW);
    expect(finding).toEqual({
      schema: 'public',
      table: 't',
      column: 'email',
      kind: 'phone',
      score: 0.943,
      name: [{ kind: 'email', weight: 0.9, rule: 'name token "email"' }],
      content: [
        { detector: 'phone', matched: 40, sampled: 50 },
        { detector: 'email', matched: 10, sampled: 50 },
      ],
    });
    // With one phone in five, the name and its ten matching values win.
    const mostlyEmails = scoreColumn(sample('email', [...phones.slice(0, 10), ...emails(40)]), NOW);
    expect(mostlyEmails).toMatchObject({ kind: 'email', score: 0.98 });
  });

  it('says so when the values do not look like what the name says', () => {
    expect(scoreColumn(sample('email', words(50)), NOW)?.content).toEqual([
      { detector: 'email', matched: 0, sampled: 50 },
    ]);
  });

  it('never holds a value', () => {
    const values = [
      'person.1@example.org',
      '+44 20 7946 0018',
      '4111 1111 1111 1111',
      'DE89 3704 0044 0532 0130 00',
      'Call Ana on 07700 900123 please',
      '1987-03-14',
    ];
    for (const column of ['email', 'contact', 'notes', 'dob']) {
      const text = JSON.stringify(scoreColumn(sample(column, values), NOW));
      for (const value of values) expect(text, column).not.toContain(value);
      expect(text).not.toMatch(/example\.org|7946|4111|3704|07700|1987/);
    }
  });
});
