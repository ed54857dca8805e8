// Why this file exists: `npm run hooks -- discover` answers, before anyone writes a masking configuration, where
// the personal data of a database is: it samples every table read-only within a time budget
// (shared/discovery/discover.ts) and prints one line per column that looks like personal data, with the kind,
// the score and the evidence as counts and rule names, never a value; then what it did not look at (tables the
// budget did not reach, columns of types no detector reads). `--json` prints the report itself. `--write-config`
// also writes a hooks configuration with one mask hook suggested for the findings, checked by the masking
// pre-flight so that `validate` accepts it, and prints why each column gets its strategy. Findings are
// information, not failure: exit 0; bad input (an unknown schema, a file that exists) is exit 2.
import { existsSync, writeFileSync } from 'node:fs';
import type { TargetDatabase } from '#shared/database/target';
import { type DiscoveryReport, discoverPii } from '#shared/discovery/discover';
import { SamplingError, UnknownSchemaError } from '#shared/discovery/sample';
import type { ColumnReason } from '#shared/discovery/suggest';
import { type CheckedSuggestion, suggestForDatabase } from '#shared/discovery/suggest-checked';
import type { Finding } from '#shared/discovery/types';
import { HOOKS_CONFIG_VERSION } from '#shared/hooks/config-file';
import type { MaskingRules, Strategy } from '#shared/masking/rules';
import type { DiscoverInvocation } from './arguments.ts';
import { EXIT_OK, InputError } from './input-error.ts';
import type { Output } from './output.ts';

export interface DiscoverAction {
  readonly invocation: DiscoverInvocation;
  readonly database: TargetDatabase;
  /** How the database is named in output: the URL without its password. */
  readonly display: string;
  readonly output: Output;
}

/** The name of the mask hook a written configuration holds. */
export const SUGGESTED_HOOK_NAME = 'mask-pii';

const label = (column: { schema: string; table: string; column?: string }) =>
  [column.schema, column.table, ...(column.column === undefined ? [] : [column.column])].join('.');

/** `email 60/60`: the finding's own detector first (matched or not), then every other one that matched. */
export function evidenceOf(finding: Finding): string {
  const own = finding.content.filter((evidence) => evidence.detector === finding.kind);
  const others = finding.content.filter(
    (evidence) => evidence.detector !== finding.kind && evidence.matched > 0,
  );
  const parts = [...own, ...others].map(
    (evidence) => `${evidence.detector} ${evidence.matched}/${evidence.sampled}`,
  );
  return parts.length > 0 ? parts.join(', ') : '-';
}

const nameRules = (finding: Finding) =>
  finding.name.length > 0 ? finding.name.map((signal) => signal.rule).join('; ') : '-';

/** Left-aligned columns, two spaces apart; the last one is not padded. */
function tabulate(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]?.map((_, index) => Math.max(...rows.map((row) => (row[index] ?? '').length))) ?? [];
  return rows.map((row) =>
    row
      .map((cell, index) => (index === row.length - 1 ? cell : cell.padEnd(widths[index] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

const duration = (ms: number) => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`);

/** What discover prints for a report: the findings table, then the summary and what was not looked at. */
export function formatDiscovery(report: DiscoveryReport): string[] {
  const lines: string[] = [];
  lines.push(
    `Schemas: ${report.schemas.join(', ') || 'none'}; ${report.tablesScanned.length} table(s) scanned, ${report.columnsSampled} column(s) and ${report.rowsSampled} row(s) sampled in ${duration(report.durationMs)}.`,
  );
  if (report.findings.length === 0) {
    lines.push(`No column looks like personal data (score ≥ ${report.threshold.toFixed(2)}).`);
  } else {
    lines.push(
      ...tabulate([
        ['COLUMN', 'KIND', 'SCORE', 'EVIDENCE', 'NAME RULE'],
        ...report.findings.map((finding) => [
          label(finding),
          finding.kind,
          finding.score.toFixed(2),
          evidenceOf(finding),
          nameRules(finding),
        ]),
      ]).map((line) => `  ${line}`),
    );
    lines.push(
      `${report.findings.length} column(s) look like personal data (score ≥ ${report.threshold.toFixed(2)}).`,
    );
  }
  if (report.tablesNotScanned.length > 0) {
    const reasons = report.tablesNotScanned.map(
      (table) => `${label(table)} (${table.reason}${table.detail ? `: ${table.detail}` : ''})`,
    );
    lines.push(
      `Not scanned, so not judged by content (${report.tablesNotScanned.length}): ${reasons.join(', ')}. A larger --budget-seconds, or --schema, reaches them.`,
    );
  }
  if (report.columnsSkipped.length > 0) {
    const columns = report.columnsSkipped.map(
      (column) => `${label(column)} (${column.dataType}: ${column.reason})`,
    );
    lines.push(`Not read, by type (${report.columnsSkipped.length}): ${columns.join(', ')}.`);
  }
  return lines;
}

/** The hooks configuration a suggestion becomes: version 1, one mask hook. */
export function suggestedConfig(rules: MaskingRules, display: string, day: string): unknown {
  return {
    version: HOOKS_CONFIG_VERSION,
    hooks: [
      {
        name: SUGGESTED_HOOK_NAME,
        kind: 'mask',
        description: `Suggested by npm run hooks -- discover on ${display} (${day}); review every column before deploying.`,
        tables: rules,
      },
    ],
  };
}

const describeStrategy = (strategy: Strategy) => {
  const options = Object.entries(strategy)
    .filter(([key]) => key !== 'strategy')
    .map(([key, value]) => `${key} ${JSON.stringify(value)}`);
  return options.length > 0 ? `${strategy.strategy} (${options.join(', ')})` : strategy.strategy;
};

/** One block per column: its strategy (or that it is not masked), then each reason. */
export function formatReasons(reasons: readonly ColumnReason[]): string[] {
  return reasons.flatMap((reason) => [
    `  ${reason.column}: ${reason.strategy ? describeStrategy(reason.strategy) : 'not masked'}`,
    ...reason.why.map((why) => `    - ${why}`),
  ]);
}

const maskedColumns = (rules: MaskingRules) =>
  rules.reduce((sum, rule) => sum + Object.keys(rule.columns ?? {}).length, 0);

function formatWritten(path: string, suggestion: CheckedSuggestion, display: string): string[] {
  const unmasked = suggestion.reasons.filter((reason) => reason.strategy === undefined).length;
  const head =
    suggestion.rules.length === 0
      ? `Nothing written to ${path}: no finding can be masked by a rule (why, below).`
      : `Wrote ${path}: hook ${SUGGESTED_HOOK_NAME} masks ${maskedColumns(suggestion.rules)} column(s) of ${suggestion.rules.length} table(s)${unmasked > 0 ? `; ${unmasked} column(s) not masked (why, below)` : ''}. Review it, then: npm run hooks -- validate --config-file ${path} --database-url ${display}`;
  return [
    head,
    ...suggestion.unresolved.map((problem) => `  ! the masking pre-flight still refuses: ${problem}`),
    ...formatReasons(suggestion.reasons),
  ];
}

async function report(action: DiscoverAction): Promise<DiscoveryReport> {
  const { invocation } = action;
  try {
    return await discoverPii(action.database, {
      ...(invocation.schemas.length > 0 && { schemas: invocation.schemas }),
      ...(invocation.rowsPerTable !== undefined && { rowsPerTable: invocation.rowsPerTable }),
      ...(invocation.budgetSeconds !== undefined && { budgetMs: invocation.budgetSeconds * 1000 }),
    });
  } catch (error) {
    if (error instanceof UnknownSchemaError)
      throw new InputError(`--schema: ${error.message} in ${action.display}`);
    if (error instanceof SamplingError)
      throw new InputError(`discovery on ${action.display}: ${error.message}`);
    throw error;
  }
}

function write(path: string, config: unknown): void {
  try {
    // wx: never overwrite, a configuration someone edited included.
    writeFileSync(path, `${JSON.stringify(config, null, 2)}\n`, { flag: 'wx' });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new InputError(
      `--write-config ${path} cannot be written${typeof code === 'string' ? ` (${code})` : ''}`,
    );
  }
}

export async function discover(action: DiscoverAction): Promise<number> {
  const { invocation, output } = action;
  const path = invocation.writeConfig;
  // Refused before the scan, not after it.
  if (path !== undefined && existsSync(path)) {
    throw new InputError(`--write-config ${path} exists already; give a new file (it is never overwritten)`);
  }
  const found = await report(action);
  const suggestion = path === undefined ? undefined : await suggestForDatabase(action.database, found);
  const day = new Date().toISOString().slice(0, 10);
  if (path !== undefined && suggestion !== undefined && suggestion.rules.length > 0) {
    write(path, suggestedConfig(suggestion.rules, action.display, day));
  }
  if (invocation.json) {
    const written = path !== undefined && suggestion !== undefined && suggestion.rules.length > 0;
    output.out(
      JSON.stringify(
        { ...found, ...(suggestion && { suggestion: { file: path, written, ...suggestion } }) },
        null,
        2,
      ),
    );
    return EXIT_OK;
  }
  for (const line of formatDiscovery(found)) output.out(line);
  if (path !== undefined && suggestion !== undefined) {
    for (const line of formatWritten(path, suggestion, action.display)) output.out(line);
  }
  return EXIT_OK;
}
