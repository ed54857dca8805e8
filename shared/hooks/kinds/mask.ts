// The `mask` hook kind: declarative masking of the target database (shared/masking/) with the salt read from
// Secrets Manager. It reports counts per table and column, never values; the salt stays in this function.
import { type MaskReport, maskDatabase } from '../../masking/mask.ts';
import type { MaskingRules } from '../../masking/rules.ts';
import type { Hook, HookResult } from '../contract.ts';

export interface MaskHookOptions {
  readonly name: string;
  readonly tables: MaskingRules;
  /** MASKING_SALT_SECRET_ARN: the secret whose string value is the salt of the deterministic strategies. */
  readonly saltSecretArn: string;
  readonly onFailure?: Hook['onFailure'];
  readonly timeoutSeconds?: number;
  /** Default true: masking masked data again leaves it masked, so an interrupted mask may be resumed. */
  readonly rerunnable?: boolean;
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
    async run({ secrets, target, log }): Promise<HookResult> {
      const salt = await secrets.getSecretString(options.saltSecretArn);
      const report = await maskDatabase(await target(), options.tables, { salt, log });
      const rowsMasked = report.tables.reduce(
        (sum, table) => sum + Object.values(table.rowsChanged).reduce((a, b) => a + b, 0),
        0,
      );
      return { changed: `masked ${summariseMaskReport(report)}`, rowsMasked };
    },
  };
}
