// The combination table is the contract with users: exactly the six combinations the design lists are
// supported, and each of the other six is refused with a message naming every rule it breaks.
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '#shared/errors';
import {
  CADENCES,
  MIGRATION_TYPES,
  type Mode,
  REFRESH_INDICATORS,
  SUPPORTED_MODES,
  validateMode,
} from '#shared/modes';

// The design's table, written out rather than derived from the code under test.
const TABLE: readonly Mode[] = [
  { indicator: 'data-refresh', migrationType: 'full-load', cadence: 'schedule' },
  { indicator: 'data-refresh', migrationType: 'full-load', cadence: 'one-time' },
  { indicator: 'data-migration', migrationType: 'full-load', cadence: 'schedule' },
  { indicator: 'data-migration', migrationType: 'full-load', cadence: 'one-time' },
  { indicator: 'data-migration', migrationType: 'full-load-and-cdc', cadence: 'one-time' },
  { indicator: 'data-migration', migrationType: 'cdc', cadence: 'one-time' },
];

const REFRESH_RULE = 'MigrationRefreshType must be full-load when MigrationRefreshIndicator is data-refresh';
const CDC_RULE = 'ScheduleOrOneTime must be one-time';

const UNSUPPORTED: readonly { mode: Mode; breaks: readonly string[] }[] = [
  {
    mode: { indicator: 'data-refresh', migrationType: 'full-load-and-cdc', cadence: 'schedule' },
    breaks: [REFRESH_RULE, CDC_RULE],
  },
  {
    mode: { indicator: 'data-refresh', migrationType: 'full-load-and-cdc', cadence: 'one-time' },
    breaks: [REFRESH_RULE],
  },
  {
    mode: { indicator: 'data-refresh', migrationType: 'cdc', cadence: 'schedule' },
    breaks: [REFRESH_RULE, CDC_RULE],
  },
  { mode: { indicator: 'data-refresh', migrationType: 'cdc', cadence: 'one-time' }, breaks: [REFRESH_RULE] },
  {
    mode: { indicator: 'data-migration', migrationType: 'full-load-and-cdc', cadence: 'schedule' },
    breaks: [CDC_RULE],
  },
  { mode: { indicator: 'data-migration', migrationType: 'cdc', cadence: 'schedule' }, breaks: [CDC_RULE] },
];

const label = (mode: Mode) => `${mode.indicator} / ${mode.migrationType} / ${mode.cadence}`;

describe('the combination table', () => {
  it('covers all twelve combinations between the supported and the refused lists', () => {
    const all = REFRESH_INDICATORS.flatMap((indicator) =>
      MIGRATION_TYPES.flatMap((migrationType) =>
        CADENCES.map((cadence) => label({ indicator, migrationType, cadence })),
      ),
    );
    expect(all).toHaveLength(12);
    const listed = [...TABLE, ...UNSUPPORTED.map((row) => row.mode)].map(label);
    expect([...listed].sort()).toEqual([...all].sort());
  });

  it('SUPPORTED_MODES is exactly the six rows of the design table', () => {
    expect(SUPPORTED_MODES.map(label).sort()).toEqual(TABLE.map(label).sort());
  });
});

describe('validateMode', () => {
  it.each(TABLE.map((mode) => [label(mode), mode] as const))('accepts %s', (_, mode) => {
    expect(validateMode(mode)).toEqual(mode);
  });

  it.each(
    UNSUPPORTED.map((row) => [label(row.mode), row] as const),
  )('refuses %s naming the broken rule(s)', (_, row) => {
    let thrown: unknown;
    try {
      validateMode(row.mode);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigurationError);
    const message = (thrown as Error).message;
    expect(message).toContain(label(row.mode));
    for (const rule of [REFRESH_RULE, CDC_RULE]) {
      if (row.breaks.includes(rule)) expect(message).toContain(rule);
      else expect(message).not.toContain(rule);
    }
  });
});
