// Why this file exists: a suggested configuration is only a good start if it passes `validate` as written. The
// suggestion (suggest.ts) is made to fit with what the catalog says (unique indexes, foreign keys, read here for
// the tables with findings); then the masking pre-flight itself, the same resolveRules a run and `validate` use,
// judges it against the live database, and any column it still refuses (e-mails that differ only in case under
// a case-sensitive unique index, say) is taken out of the rules, with the pre-flight's own words as the reason.
// Everything here reads the catalog, plus the pre-flight's one count of case twins; nothing writes.
import type { TargetDatabase } from '../database/target.ts';
import { ConfigurationError } from '../errors.ts';
import { resolveRules } from '../masking/catalog.ts';
import { type ForeignKey, foreignKeyId, foreignKeys } from '../masking/foreign.ts';
import type { MaskingRules } from '../masking/rules.ts';
import { type UniqueIndex, uniqueIndexes } from '../masking/unique.ts';
import type { DiscoveryReport } from './discover.ts';
import { DEFAULT_STATEMENT_TIMEOUT_MS, inReadOnlyTransaction } from './sample.ts';
import { type ColumnReason, type MaskingSuggestion, suggestMaskingRules, tableKey } from './suggest.ts';

export interface CheckedSuggestion extends MaskingSuggestion {
  /** Pre-flight problems that name no column of the rules (none expected); the rules may not validate. */
  readonly unresolved: readonly string[];
}

/** The unique indexes and foreign keys of the given tables, from the catalog. */
export async function readConstraints(
  db: TargetDatabase,
  tables: readonly { readonly schema: string; readonly table: string }[],
): Promise<{ uniqueIndexes: Map<string, UniqueIndex[]>; foreignKeys: ForeignKey[] }> {
  return inReadOnlyTransaction(db, DEFAULT_STATEMENT_TIMEOUT_MS, async (session) => {
    const indexes = new Map<string, UniqueIndex[]>();
    const keys = new Map<string, ForeignKey>();
    for (const { schema, table } of tables) {
      const id = tableKey(schema, table);
      if (indexes.has(id)) continue;
      indexes.set(id, await uniqueIndexes(session, db.dialect, schema, table));
      for (const key of await foreignKeys(session, db.dialect, schema, table))
        keys.set(foreignKeyId(key), key);
    }
    return { uniqueIndexes: indexes, foreignKeys: [...keys.values()] };
  });
}

/** `tables[2].columns.email: why` → rule 2, column email, why. A table-level problem names no column. */
const PROBLEM_PATH = /^tables\[(\d+)\](?:\.columns\.([A-Za-z_][A-Za-z0-9_$]*))?: (.*)$/s;

const columnCount = (rules: MaskingRules) =>
  rules.reduce((sum, rule) => sum + Object.keys(rule.columns ?? {}).length, 0);

/**
 * Takes the columns the problems name out of the rules (a table-level problem: the whole rule), and records the
 * pre-flight's reason on each. Returns the problems that name no column.
 */
function pluck(
  rules: MaskingRules,
  reasons: ColumnReason[],
  problems: readonly string[],
  defaultSchema: string,
): { rules: MaskingRules; unresolved: string[] } {
  const refused = new Map<number, Set<string>>();
  const unresolved: string[] = [];
  const refuse = (index: number, column: string, why: string) => {
    const rule = rules[index];
    if (rule === undefined) return;
    refused.set(index, (refused.get(index) ?? new Set()).add(column));
    const label = `${rule.table.includes('.') ? rule.table : `${defaultSchema}.${rule.table}`}.${column}`;
    const at = reasons.findIndex((reason) => reason.column === label);
    const reason = reasons[at];
    if (reason === undefined || reason.strategy === undefined) return;
    reasons[at] = {
      ...reason,
      strategy: undefined,
      why: [...reason.why, `not masked: the masking pre-flight refuses it: ${why}`],
    };
  };
  for (const problem of problems) {
    const match = PROBLEM_PATH.exec(problem);
    const index = Number(match?.[1]);
    const rule = rules[index];
    if (!match || rule === undefined) {
      unresolved.push(problem);
      continue;
    }
    const why = match[3] ?? problem;
    const columns = match[2] === undefined ? Object.keys(rule.columns ?? {}) : [match[2]];
    for (const column of columns) refuse(index, column, why);
  }
  const kept = rules.flatMap((rule, index) => {
    const drop = refused.get(index);
    if (drop === undefined) return [rule];
    const columns = Object.fromEntries(
      Object.entries(rule.columns ?? {}).filter(([name]) => !drop.has(name)),
    );
    return Object.keys(columns).length > 0 ? [{ ...rule, columns }] : [];
  });
  return { rules: kept, unresolved };
}

/**
 * A suggestion for the report's findings that the masking pre-flight accepts on this database: constraints read
 * for the tables with findings, the suggestion made, then checked, refused columns taken out, and checked again
 * until it passes (each round takes out at least one column, or ends).
 */
export async function suggestForDatabase(
  db: TargetDatabase,
  report: DiscoveryReport,
): Promise<CheckedSuggestion> {
  const constraints = await readConstraints(db, report.findings);
  const suggestion = suggestMaskingRules(report.findings, {
    dialect: report.dialect,
    database: report.database,
    tables: report.catalog,
    ...constraints,
  });
  const defaultSchema = db.dialect === 'postgres' ? 'public' : db.database;
  const reasons = [...suggestion.reasons];
  let rules = suggestion.rules;
  while (rules.length > 0) {
    let problems: readonly string[];
    try {
      await resolveRules(db, db.dialect, db.database, rules);
      break;
    } catch (error) {
      if (!(error instanceof ConfigurationError)) throw error;
      problems = error.problems;
    }
    const plucked = pluck(rules, reasons, problems, defaultSchema);
    if (plucked.unresolved.length > 0 || columnCount(plucked.rules) === columnCount(rules)) {
      return {
        rules: plucked.rules,
        reasons,
        unresolved: plucked.unresolved.length > 0 ? plucked.unresolved : problems,
      };
    }
    rules = plucked.rules;
  }
  return { rules, reasons, unresolved: [] };
}
