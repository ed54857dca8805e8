// What the mask hook's drift guard does when the configuration does not say: a data-refresh copy must not open
// with PII no rule covers (fail); a data-migration's target is production itself, so it is told (warn).
import { describe, expect, it } from 'vitest';
import { uncoveredPolicy } from '#shared/hooks/kinds/mask';

describe('the drift guard policy', () => {
  it.each([
    ['data-refresh', undefined, 'fail'],
    ['data-migration', undefined, 'warn'],
    ['data-refresh', 'warn', 'warn'],
    ['data-refresh', 'off', 'off'],
    ['data-migration', 'fail', 'fail'],
  ] as const)('for a %s configured %s is %s', (indicator, configured, expected) => {
    expect(uncoveredPolicy(configured, { indicator, migrationType: 'full-load', cadence: 'schedule' })).toBe(
      expected,
    );
  });
});
