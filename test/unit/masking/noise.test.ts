// The ranges noise keeps values inside (shared/masking/noise.ts), and the schema of the new strategies: the real
// engines' behaviour is tested in test/integration/masking-strategies-scenario.ts.
import { describe, expect, it } from 'vitest';
import type { MaskedColumn } from '#shared/masking/catalog';
import { typeRange } from '#shared/masking/noise';
import { parseMaskingRules } from '#shared/masking/rules';

const column = (over: Partial<MaskedColumn>): MaskedColumn => ({
  name: 'n',
  quoted: '"n"',
  dataType: 'integer',
  typeClass: 'numeric',
  nullable: true,
  maxLength: null,
  scale: 0,
  strategy: { strategy: 'noise', ratio: 0.1 },
  ...over,
});

describe('typeRange', () => {
  it.each<[Partial<MaskedColumn>, { lo: string | null; hi: string | null }]>([
    [{ dataType: 'smallint' }, { lo: '-32768', hi: '32767' }],
    [{ dataType: 'integer' }, { lo: '-2147483648', hi: '2147483647' }],
    [
      { dataType: 'int', unsigned: true },
      { lo: '0', hi: '4294967295' },
    ],
    [{ dataType: 'bigint' }, { lo: '-9223372036854775808', hi: '9223372036854775807' }],
    [
      { dataType: 'bigint', unsigned: true },
      { lo: '0', hi: '18446744073709551615' },
    ],
    [
      { dataType: 'tinyint', unsigned: true },
      { lo: '0', hi: '255' },
    ],
    [{ dataType: 'mediumint' }, { lo: '-8388608', hi: '8388607' }],
    [
      { dataType: 'numeric', precision: 4, scale: 2 },
      { lo: '-99.99', hi: '99.99' },
    ],
    [
      { dataType: 'decimal', precision: 2, scale: 2, unsigned: true },
      { lo: '0', hi: '0.99' },
    ],
    [
      { dataType: 'numeric', precision: 5, scale: 0 },
      { lo: '-99999', hi: '99999' },
    ],
    [
      { dataType: 'numeric', precision: null, scale: null },
      { lo: null, hi: null },
    ],
    [
      { dataType: 'double precision', scale: null },
      { lo: null, hi: null },
    ],
    [
      { dataType: 'double', scale: null, unsigned: true },
      { lo: '0', hi: null },
    ],
  ])('%j holds %j', (over, expected) => {
    expect(typeRange(column(over))).toEqual(expected);
  });
});

describe('schema of full-name, text-scrub and noise', () => {
  const parse = (strategy: unknown) =>
    parseMaskingRules([{ table: 't', columns: { c: strategy } }], 'mask-pii');

  it('accepts the documented forms', () => {
    expect(() => parse({ strategy: 'full-name' })).not.toThrow();
    expect(() => parse({ strategy: 'text-scrub' })).not.toThrow();
    expect(() =>
      parse({
        strategy: 'text-scrub',
        replacement: { email: '<e-mail>', phone: '[tel]', card: '[cc]', iban: 'IBAN' },
      }),
    ).not.toThrow();
    expect(() => parse({ strategy: 'noise', ratio: 0.1, min: 0, max: 10 })).not.toThrow();
    expect(() => parse({ strategy: 'noise', ratio: 0.1, min: 3, max: 3 })).not.toThrow();
  });

  it('refuses with messages that say what is wrong', () => {
    const message = (strategy: unknown) => {
      try {
        parse(strategy);
      } catch (error) {
        return (error as Error).message;
      }
      return '';
    };
    expect(message({ strategy: 'noise', ratio: 0.1, min: 2, max: 1 })).toContain(
      'tables[0].columns.c: noise needs min ≤ max',
    );
    expect(message({ strategy: 'noise', ratio: 0 })).toContain('ratio must be above 0');
    expect(message({ strategy: 'noise', ratio: 2 })).toContain('ratio must be at most 1');
    expect(message({ strategy: 'noise', ratio: 0.1, min: 'a' })).toContain('min must be a finite number');
    expect(message({ strategy: 'text-scrub', replacement: { email: 'x@y' } })).toContain(
      'tables[0].columns.c.replacement.email: replacement must be 1 to 40 characters without digits, @, \\ or $',
    );
    expect(message({ strategy: 'text-scrub', replacement: { phone: '٣' } })).toContain('replacement.phone');
    expect(message({ strategy: 'text-scrub', replacement: { card: '$1' } })).toContain('replacement.card');
    expect(message({ strategy: 'text-scrub', replacement: { iban: '' } })).toContain('replacement.iban');
    expect(message({ strategy: 'text-scrub', replacement: { url: '[url]' } })).toContain('replacement');
    expect(message({ strategy: 'full-name', locale: 'fr' })).toContain('tables[0].columns.c');
  });
});
