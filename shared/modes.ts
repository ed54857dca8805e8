// The combination table is the contract with users: which kinds of run the scheduler supports. The template's
// Rules section refuses the same combinations at deploy time; this module refuses them again at cold start,
// because a function can be deployed or invoked outside the stack.
import { ConfigurationError } from './errors.ts';

export const REFRESH_INDICATORS = ['data-refresh', 'data-migration'] as const;
export const MIGRATION_TYPES = ['full-load', 'full-load-and-cdc', 'cdc'] as const;
export const CADENCES = ['schedule', 'one-time'] as const;

export type RefreshIndicator = (typeof REFRESH_INDICATORS)[number];
export type MigrationType = (typeof MIGRATION_TYPES)[number];
export type Cadence = (typeof CADENCES)[number];

export interface Mode {
  readonly indicator: RefreshIndicator;
  readonly migrationType: MigrationType;
  readonly cadence: Cadence;
}

/** The rules behind the combination table, worded as the template's AssertDescriptions word them. */
export const MODE_RULES = [
  {
    id: 'RefreshIsFullLoadOnly',
    breaks: (mode: Mode) => mode.indicator === 'data-refresh' && mode.migrationType !== 'full-load',
    description:
      'A data-refresh copies a full snapshot: MigrationRefreshType must be full-load when MigrationRefreshIndicator is data-refresh.',
  },
  {
    id: 'CdcIsOneTimeOnly',
    breaks: (mode: Mode) => mode.migrationType !== 'full-load' && mode.cadence === 'schedule',
    description:
      'A task that captures changes (full-load-and-cdc or cdc) runs continuously once started: ScheduleOrOneTime must be one-time for it.',
  },
] as const;

/** Every combination the scheduler supports, in the order the README's table lists them. */
export const SUPPORTED_MODES: readonly Mode[] = REFRESH_INDICATORS.flatMap((indicator) =>
  MIGRATION_TYPES.flatMap((migrationType) =>
    CADENCES.map((cadence) => ({ indicator, migrationType, cadence })),
  ),
).filter((mode) => brokenModeRules(mode).length === 0);

export function brokenModeRules(mode: Mode): string[] {
  return MODE_RULES.filter((rule) => rule.breaks(mode)).map((rule) => rule.description);
}

/** Returns the mode when the combination is in the table; otherwise throws naming every rule it breaks. */
export function validateMode(mode: Mode): Mode {
  const broken = brokenModeRules(mode);
  if (broken.length > 0) {
    throw new ConfigurationError(
      `Unsupported combination ${mode.indicator} / ${mode.migrationType} / ${mode.cadence}: ${broken.join(' ')}`,
    );
  }
  return mode;
}
