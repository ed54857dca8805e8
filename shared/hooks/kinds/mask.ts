// The `mask` hook kind: declarative masking of the target database (shared/masking/) with the salt read from
// Secrets Manager, then the drift guard: discovery (shared/discovery/) over the masked target, so that a column
// production gained since the configuration was written cannot reach a refreshed copy unmasked with every check
// green. It reports counts per table and column and the flagged columns' evidence, never values; the salt
// stays in this function.
// Masking and discovery (the engine, shared/masking/engine.ts) are loaded when the hook first runs, through
// the loader it is given: the post-processor builds its hooks at every cold start and most invocations run
// none, so it loads them from a bundle of their own; elsewhere shared/masking/load-engine.ts loads the source.
import type { TargetDatabase } from '../../database/target.ts';
import type { AllowedColumn } from '../../discovery/drift.ts';
import type * as Engine from '../../masking/engine.ts';
import type { MaskReport } from '../../masking/mask.ts';
import type { MaskingRules } from '../../masking/rules.ts';
import type { Mode } from '../../modes.ts';
import type { Hook, HookResult } from '../contract.ts';

/** What the drift guard does with PII no rule covers: fail the hook (and the run), log a warning, or nothing. */
export type UncoveredPolicy = 'fail' | 'warn' | 'off';

export interface DriftGuardOptions {
  /** Default: `fail` for a data-refresh (the copy must not open with unmasked PII), `warn` otherwise. */
  readonly uncovered?: UncoveredPolicy;
  readonly allow?: readonly AllowedColumn[];
  readonly schemas?: readonly string[];
  readonly rowsPerTable?: number;
  readonly budgetSeconds?: number;
}

export type MaskEngine = typeof Engine;

export interface MaskHookOptions {
  readonly name: string;
  /** Loads masking and discovery, on the hook's first run. */
  readonly engine: () => Promise<MaskEngine>;
  readonly tables: MaskingRules;
  /** MASKING_SALT_SECRET_ARN: the secret whose string value is the salt of the deterministic strategies. */
  readonly saltSecretArn: string;
  readonly onFailure?: Hook['onFailure'];
  readonly timeoutSeconds?: number;
  /** Default true: masking masked data again leaves it masked, so an interrupted mask may be resumed. */
  readonly rerunnable?: boolean;
  readonly drift?: DriftGuardOptions;
}

/** The policy a run applies: the configured one, or the default for its mode. */
export function uncoveredPolicy(configured: UncoveredPolicy | undefined, mode: Mode): UncoveredPolicy {
  return configured ?? (mode.indicator === 'data-refresh' ? 'fail' : 'warn');
}

/**
 * Discovery over the masked target, judged against the rules and the allowlist: a sentence for the report, or
 * (policy `fail`) an error naming every flagged column and its evidence. Tables discovery could not read count
 * as not proved clean: under `fail` they fail the hook too, since nothing may claim the copy is safe.
 */
async function guardAgainstDrift(
  engine: MaskEngine,
  db: TargetDatabase,
  tables: MaskingRules,
  drift: DriftGuardOptions,
  policy: Exclude<UncoveredPolicy, 'off'>,
  log: Parameters<Hook['run']>[0]['log'],
): Promise<string> {
  const { discoverPii, judgeDiscovery, UncoveredPiiError } = engine;
  const report = await discoverPii(db, {
    ...(drift.schemas && { schemas: drift.schemas }),
    ...(drift.rowsPerTable !== undefined && { rowsPerTable: drift.rowsPerTable }),
    ...(drift.budgetSeconds !== undefined && { budgetMs: drift.budgetSeconds * 1000 }),
  });
  const { flagged, unread, problems } = judgeDiscovery(report, tables, drift.allow ?? []);
  log.info('Discovery after masking', {
    policy,
    tablesScanned: report.tablesScanned.length,
    tablesNotScanned: unread.length,
    findings: report.findings.length,
    flagged: flagged.map((column) => column.column),
    durationMs: report.durationMs,
  });
  if (problems.length === 0) {
    return `; discovery checked ${report.tablesScanned.length} table(s): no PII left uncovered`;
  }
  if (policy === 'fail') {
    throw new UncoveredPiiError(`Masked, but the copy is not safe to open: ${problems.join('; ')}`);
  }
  log.warn('Discovery after masking found PII left in place', { problems });
  return `; discovery warns: ${problems.join('; ')}`;
}

/** "customers: email 120, phone 118; audit_log truncated": rows changed per column, no data. */
export function summariseMaskReport(report: MaskReport): string {
  return report.tables
    .map(({ table, truncated, rowsChanged }) => {
      if (truncated) return `${table} truncated`;
      const columns = Object.entries(rowsChanged).map(([column, rows]) => `${column} ${rows}`);
      return `${table}: ${columns.length > 0 ? columns.join(', ') : 'no rows changed'}`;
    })
    .join('; ');
}

export function maskHook(options: MaskHookOptions): Hook {
  return {
    name: options.name,
    ...(options.onFailure && { onFailure: options.onFailure }),
    ...(options.timeoutSeconds !== undefined && { timeoutSeconds: options.timeoutSeconds }),
    rerunnable: options.rerunnable ?? true,
    async run({ secrets, target, log, run }): Promise<HookResult> {
      const salt = await secrets.getSecretString(options.saltSecretArn);
      const db = await target();
      const engine = await options.engine();
      const report = await engine.maskDatabase(db, options.tables, { salt, log });
      const rowsMasked = report.tables.reduce(
        (sum, table) => sum + Object.values(table.rowsChanged).reduce((a, b) => a + b, 0),
        0,
      );
      const policy = uncoveredPolicy(options.drift?.uncovered, run.mode);
      const discovered =
        policy === 'off'
          ? ''
          : await guardAgainstDrift(engine, db, options.tables, options.drift ?? {}, policy, log);
      return { changed: `masked ${summariseMaskReport(report)}${discovered}`, rowsMasked };
    },
  };
}
