// Why this file exists: a masking configuration is written once, and production moves on: a new `tax_id`
// column, a `notes` column that starts holding phone numbers. After masking, discovery looks at the masked
// target, and this decides which of its findings mean "PII that nothing masked": a column no rule covers and no
// allowlist entry excuses, or a covered column whose values still hold a kind of PII its strategy does not
// account for (an e-mail inside `notes` masked with `partial`). Pure: findings, coverage and allowlist in,
// the columns to report out.
import type { MaskingRules, Strategy } from '../masking/rules.ts';
import { coveredColumns, type DiscoveryReport } from './discover.ts';
import type { Finding, PiiKind } from './types.ts';

/** Masking succeeded, but discovery found personal data in the masked copy that no rule covers. */
export class UncoveredPiiError extends Error {
  override readonly name = 'UncoveredPiiError';
}

/** An allowlist entry: a column that may hold what discovery flags, and why (for the next reader). */
export interface AllowedColumn {
  /** `schema.table.column`, or `table.column` in the default schema. */
  readonly column: string;
  readonly reason: string;
}

export interface UncoveredColumn {
  /** `schema.table.column` as the catalog spells it. */
  readonly column: string;
  readonly kind: PiiKind;
  /** The strategy of the rule that covers the column, when the PII survived one. */
  readonly coveredBy?: Strategy['strategy'];
  /** The evidence, as counts and rule names: `tax-id (name token "tax_id"; content 40/50)`. Never a value. */
  readonly evidence: string;
}

/**
 * The content kinds a strategy's own output may still show: a randomized phone number still looks like one,
 * a shifted birth date is still a date. `shuffle` moves real values between rows, so what it covers stays PII by
 * the configuration's choice. Every other kind found in a covered column got there some other way.
 */
const KEPT_BY_STRATEGY: Readonly<Partial<Record<Strategy['strategy'], readonly PiiKind[] | 'all'>>> = {
  'digits-randomize': ['phone', 'card', 'ssn', 'iban', 'ip-address', 'national-id', 'tax-id', 'passport'],
  'date-shift': ['date-of-birth'],
  shuffle: 'all',
};

const columnOf = (finding: Finding) => `${finding.schema}.${finding.table}.${finding.column}`;

function describeEvidence(finding: Finding): string {
  const parts = [
    ...finding.name.map((signal) => signal.rule),
    ...finding.content
      .filter((evidence) => evidence.matched > 0)
      .map((evidence) => `${evidence.detector} in ${evidence.matched}/${evidence.sampled} sampled values`),
  ];
  return `${finding.kind}${parts.length > 0 ? ` (${parts.join('; ')})` : ''}`;
}

/** Whether `entry` names the finding's column (schema optional, names compared case-insensitively). */
function allows(entry: AllowedColumn, finding: Finding, defaultSchema: string): boolean {
  const parts = entry.column.split('.');
  const [schema, table, column] = parts.length === 3 ? parts : [defaultSchema, ...parts];
  const same = (a: string | undefined, b: string) => a?.toLowerCase() === b.toLowerCase();
  return same(schema, finding.schema) && same(table, finding.table) && same(column, finding.column);
}

/**
 * The findings that mean unmasked PII. `coverage` gives the strategy of the rule that masks a finding's column
 * (undefined: no rule does; truncated tables count as covered by `null`; see discover.ts coveredColumns). A covered column is reported only on
 * content evidence (its name says PII, of course) of a kind its strategy does not keep.
 */
export function uncoveredColumns(
  findings: readonly Finding[],
  coverage: (finding: Finding) => Strategy | undefined,
  allowlist: readonly AllowedColumn[],
  defaultSchema: string,
): UncoveredColumn[] {
  const reported: UncoveredColumn[] = [];
  for (const finding of findings) {
    if (allowlist.some((entry) => allows(entry, finding, defaultSchema))) continue;
    const strategy = coverage(finding);
    if (strategy === undefined) {
      reported.push({ column: columnOf(finding), kind: finding.kind, evidence: describeEvidence(finding) });
      continue;
    }
    const kept = KEPT_BY_STRATEGY[strategy.strategy] ?? [];
    if (kept === 'all') continue;
    const surviving = finding.content.find(
      (evidence) => evidence.matched > 0 && !kept.includes(evidence.detector),
    );
    if (surviving) {
      reported.push({
        column: columnOf(finding),
        kind: surviving.detector,
        coveredBy: strategy.strategy,
        evidence: describeEvidence({ ...finding, kind: surviving.detector, name: [] }),
      });
    }
  }
  return reported;
}

/** One line for an error or an alert: every column with its evidence, and what to do. */
export function describeUncoveredColumns(columns: readonly UncoveredColumn[]): string {
  const listed = columns
    .map((column) =>
      column.coveredBy
        ? `${column.column} (masked with ${column.coveredBy}, still holds ${column.evidence})`
        : `${column.column} (no rule masks it: ${column.evidence})`,
    )
    .join(', ');
  return `discovery found personal data that masking left in place: ${listed}; mask these columns, or list them under the mask hook's "allow" with a reason`;
}

/**
 * What a discovery over the masked target means for the copy: the problems that keep it from being called safe
 * (flagged columns; tables discovery could not read, which are not proved clean), empty when there are none.
 */
export function judgeDiscovery(
  report: DiscoveryReport,
  rules: MaskingRules,
  allowlist: readonly AllowedColumn[],
): { flagged: UncoveredColumn[]; unread: string[]; problems: string[] } {
  const covered = coveredColumns(rules, report.dialect, report.database);
  const defaultSchema = report.dialect === 'postgres' ? 'public' : report.database;
  const flagged = uncoveredColumns(
    report.findings,
    (finding) => covered(finding)?.strategy,
    allowlist,
    defaultSchema,
  );
  const unread = report.tablesNotScanned.map((table) => `${table.schema}.${table.table}`);
  const problems = [
    ...(flagged.length > 0 ? [describeUncoveredColumns(flagged)] : []),
    ...(unread.length > 0
      ? [
          `discovery could not read ${unread.length} table(s) (${unread.slice(0, 10).join(', ')}${unread.length > 10 ? ', …' : ''}), so they are not proved free of PII: raise discovery.budgetSeconds, lower discovery.rowsPerTable or name discovery.schemas`,
        ]
      : []),
  ];
  return { flagged, unread, problems };
}
