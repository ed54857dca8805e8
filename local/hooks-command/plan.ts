// Why this file exists: `npm run hooks -- plan` shows, before anything runs, what a run would do: per mask hook
// and transaction group, each table's row count (and the rows its where selects), each column's catalog type,
// strategy and constraint handling, then the SQL in the order a run sends it, built by the same code the run
// uses (shared/masking/plan.ts over statements.ts). Placeholders stand where values are bound and only their
// number is printed, so no value, key or salt can appear: the plan needs no salt at all. The other hooks are
// listed with what they run. Exit 0, or 1 with the problems when the configuration does not fit the database.
import type { TargetDatabase } from '#shared/database/target';
import type { MaskGroup } from '#shared/masking/catalog';
import {
  type MaskPlan,
  maskPlan,
  type PlannedStatement,
  rowCountQueries,
  type TableCounts,
} from '#shared/masking/plan';
import { checkHooks, deterministicStrategies, type HookCheck, hookLabel } from './check.ts';
import { EXIT_OK, EXIT_PROBLEMS } from './input-error.ts';
import { type DatabaseAction, formatProblems, problemsOfChecks } from './validate.ts';

/** Counts every table of the groups now (one number each, never a row). */
async function countRows(
  db: TargetDatabase,
  groups: readonly MaskGroup[],
): Promise<Map<string, TableCounts>> {
  const counts = new Map<string, TableCounts>();
  const count = async (sql: string, params: unknown[]) =>
    Number((await db.query<{ n: number | string }>(sql, params)).rows[0]?.n ?? 0);
  for (const table of groups.flatMap((group) => group.tables)) {
    const queries = rowCountQueries(db.dialect, table);
    const rows = await count(queries.all.sql, queries.all.params);
    const selected = queries.selected && (await count(queries.selected.sql, queries.selected.params));
    counts.set(table.label, { rows, ...(selected !== undefined && { selected }) });
  }
  return counts;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** One statement: its number, table and step, how many values it binds, then its SQL, indented. */
function formatStatement(statement: PlannedStatement, number: number, indent: string): string[] {
  const about = statement.table ? `${statement.table}: ` : '';
  const bound = statement.transactionControl
    ? ' (sent by the driver)'
    : statement.dependsOnSalt
      ? ` (${plural(statement.boundValues, 'value')} bound here; a run binds as many as its salt's keys call for)`
      : ` (${plural(statement.boundValues, 'value')} bound)`;

  const head = `${indent}${String(number).padStart(3)}. ${about}${statement.step}${bound}`;
  const body = statement.sql.split('\n').map((line) => `${indent}       ${line.trim()}`);
  return [head, ...body];
}

/** The lines of one mask hook's plan. */
export function formatMaskPlan(plan: MaskPlan): string[] {
  const lines: string[] = [];
  for (const [index, group] of plan.groups.entries()) {
    const joined =
      group.foreignKeys.length > 0 ? ` (joined by foreign key ${group.foreignKeys.join(', ')})` : '';
    lines.push(
      `  Transaction ${index + 1} of ${plan.groups.length}: ${group.tables.map((table) => table.label).join(', ')}${joined}`,
    );
    for (const table of group.tables) {
      if (table.truncate) {
        lines.push(`    ${table.label}: ${plural(table.rows, 'row')}, truncated`);
        continue;
      }
      const selected = table.where
        ? `, ${table.where.rows} selected by the where (${table.where.column} ${table.where.test})`
        : ', every row masked';
      lines.push(`    ${table.label}: ${plural(table.rows, 'row')}${selected}`);
      for (const column of table.columns) {
        lines.push(`      ${column.name} (${column.dataType}): ${column.strategy}`);
        for (const constraint of column.constraints) lines.push(`        ${constraint}`);
      }
    }
    lines.push('    SQL, in the order a run sends it:');
    for (const [number, statement] of group.statements.entries()) {
      lines.push(...formatStatement(statement, number + 1, '    '));
    }
  }
  return lines;
}

/** What a hook of another kind does, for the plan. */
function otherHook(check: HookCheck): string {
  switch (check.entry.kind) {
    case 'sql':
      return `runs ${check.note}`;
    case 'log-run':
      return "no SQL: logs the run's figures";
    default:
      return check.note;
  }
}

export async function plan(action: DatabaseAction): Promise<number> {
  const { output, database } = action;
  const checks = await checkHooks(action.config, database, action.sources);
  const problems = problemsOfChecks(checks);
  if (problems.length > 0) {
    for (const line of formatProblems(problems)) output.out(line);
    return EXIT_PROBLEMS;
  }
  output.out(
    `No value, key or salt is shown: the SQL has ${database.dialect === 'postgres' ? '$1, $2 …' : '?'} where a run binds them, and says how many.`,
  );
  let statements = 0;
  for (const check of checks) {
    const label = hookLabel(check.index, check.entry);
    if (!check.groups) {
      output.out(`${label}: ${otherHook(check)}`);
      continue;
    }
    const planned = maskPlan(database.dialect, check.groups, await countRows(database, check.groups));
    const tables = planned.groups.reduce((sum, group) => sum + group.tables.length, 0);
    statements += planned.groups.reduce((sum, group) => sum + group.statements.length, 0);
    output.out(`${label}: ${plural(tables, 'table')} in ${plural(planned.groups.length, 'transaction')}`);
    for (const line of formatMaskPlan(planned)) output.out(line);
  }
  const salted = [...new Set(checks.flatMap((check) => deterministicStrategies(check.entry)))].sort();
  output.out(
    `Plan complete: ${plural(checks.length, 'hook')}, ${plural(statements, 'statement')}; nothing was changed.${salted.length > 0 ? ` A run needs MASKING_SALT (deterministic strategies: ${salted.join(', ')}).` : ''}`,
  );
  return EXIT_OK;
}
