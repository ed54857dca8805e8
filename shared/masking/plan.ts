// Why this file exists: a team must be able to see what masking will do to its database before it does it:
// which tables are masked together, how many rows each holds, how each unique index and foreign key over a
// masked column is kept intact, and the SQL a run executes, in the order it executes it. Everything here is
// pure: it takes the catalog's answer (resolveRules' groups) and row counts, and returns data. The statements are
// the ones masking runs (statements.ts builds both), rendered with placeholders only: a plan carries how many
// values each statement binds, never a value, a key or the salt. It is built with stand-in keys, so it needs no
// salt; where a statement's text depends on the keys (a list derived from them is bound in it), the plan says so.
import type { Dialect } from '../database/target.ts';
import type { LinkedForeignKey, MaskedColumn, MaskGroup, ResolvedTable } from './catalog.ts';
import { BoundSql } from './dialects/dialect.ts';
import { type KeyPurpose, purposeKeys } from './keys.ts';
import type { Strategy } from './rules.ts';
import { groupStatements as buildGroup, type MaskStatement, maskDialectOf, rowFilter } from './statements.ts';
import { MIN_UNIQUE_HASH_LENGTH, type UniqueIndex, uniqueVerdict } from './unique.ts';

/** One statement of a run, as a plan shows it. */
export interface PlannedStatement {
  /** What it does, in the words masking's errors use ("locking the table", "updating email, phone"). */
  readonly step: string;
  /** The table the step is about, or undefined for a step of the whole group. */
  readonly table: string | undefined;
  /** The SQL text, with `$1` / `?` where values are bound. */
  readonly sql: string;
  /** How many values the statement binds (keys, dictionaries, patterns, configured values): never which. */
  readonly boundValues: number;
  /**
   * True for BEGIN and COMMIT, which the driver's transaction helper sends, not masking itself: a plan shows
   * them so the reader sees where the transaction starts and ends.
   */
  readonly transactionControl: boolean;
  /**
   * True when the statement's text depends on the salt: something derived from the keys in this process is
   * bound in it (MySQL/MariaDB list the dictionary names that would pick themselves), so a run's statement has
   * the same shape but may bind a different number of values.
   */
  readonly dependsOnSalt: boolean;
}

export interface PlannedColumn {
  readonly name: string;
  /** The catalog's data type. */
  readonly dataType: string;
  /** The strategy and its options that are not data (`date-shift (maxDays 30)`; never a fixed value). */
  readonly strategy: string;
  /** How each unique index and foreign key over the column is kept intact, one sentence each. */
  readonly constraints: readonly string[];
}

export interface PlannedTable {
  readonly label: string;
  readonly truncate: boolean;
  /** Rows the table holds now. */
  readonly rows: number;
  /** When a `where` selects rows: which column it tests, and how many rows it selects now. */
  readonly where: { readonly column: string; readonly test: string; readonly rows: number } | undefined;
  readonly columns: readonly PlannedColumn[];
}

export interface PlannedGroup {
  /** Referencing tables first, as a run masks them. */
  readonly tables: readonly PlannedTable[];
  /** The foreign keys that join the tables into one transaction (empty for a table alone). */
  readonly foreignKeys: readonly string[];
  readonly statements: readonly PlannedStatement[];
}

export interface MaskPlan {
  readonly dialect: Dialect;
  readonly groups: readonly PlannedGroup[];
}

/** Rows a table holds now, and rows its `where` selects (when it has one). */
export interface TableCounts {
  readonly rows: number;
  readonly selected?: number;
}

/** The name of each table's copy of its originals in a group's transaction, as mask.ts names them. */

/**
 * Keys of salts nobody holds, only so that statements can be built: each key is a bound value, so the rendered
 * text shows its placeholder and the plan counts it, and no statement of a plan is ever sent. The first set
 * builds the plan; the others only tell which statements' text depends on the keys (it differs between sets).
 */
const STAND_IN_KEYS = ['one', 'two', 'three', 'four', 'five', 'six'].map((salt) =>
  purposeKeys(`plan-only stand-in salt ${salt}: these keys are never sent nor shown`),
);

/** A strategy with the options that are not data: a fixed value, a where's values are never shown. */
export function describePlannedStrategy(strategy: Strategy): string {
  const options: string[] = [];
  switch (strategy.strategy) {
    case 'hash':
      options.push(`length ${strategy.length ?? 32}`);
      break;
    case 'partial':
      options.push(`keepFirst ${strategy.keepFirst ?? 0}`, `keepLast ${strategy.keepLast ?? 0}`);
      break;
    case 'noise':
      options.push(`ratio ${strategy.ratio}`);
      if (strategy.min !== undefined) options.push('min');
      if (strategy.max !== undefined) options.push('max');
      break;
    case 'date-shift':
      options.push(`maxDays ${strategy.maxDays}`);
      break;
    case 'fixed':
      options.push(strategy.value === null ? 'NULL' : 'a configured constant');
      break;
    default:
      break;
  }
  return options.length > 0 ? `${strategy.strategy} (${options.join(', ')})` : strategy.strategy;
}

/** Why the strategy keeps `index` unique, once resolveRules has accepted it. */
function uniqueReason(column: MaskedColumn, index: UniqueIndex, all: readonly UniqueIndex[]): string {
  const { strategy } = column;
  const verdict = uniqueVerdict(strategy, column.name, index, all);
  const name = `unique index ${index.name}`;
  if (verdict.kind === 'refused') return `${name}: refused: ${verdict.why}`;
  if (verdict.kind === 'count-case-twins') {
    return `${name}: email lower-cases before hashing and the index compares case-sensitively; checked: no two values differ only in case, so the pseudonyms stay distinct`;
  }
  switch (strategy.strategy) {
    case 'hash':
      return `${name}: hash keeps at least ${MIN_UNIQUE_HASH_LENGTH} hex characters, so distinct values stay distinct`;
    case 'email': {
      const key = index.keys.get(column.name);
      return key?.caseInsensitive || key?.lowered
        ? `${name}: email lower-cases before hashing, and the index ignores case too, so distinct keys stay distinct`
        : `${name}: email lower-cases before hashing, and a unique index on lower(${column.name}) already keeps values distinct case aside`;
    }
    case 'null':
    case 'fixed':
      return `${name}: every row becomes NULL, and NULLs do not collide in it`;
    case 'shuffle':
      return `${name}: shuffle only moves values between rows, so they stay unique (the index is checked row by row as the UPDATE writes)`;
    default:
      return `${name}: allowed`;
  }
}

/** How a linked foreign key over the column is kept intact, on this engine. */
function foreignKeyReason(dialect: Dialect, key: LinkedForeignKey, column: string, table: string): string {
  const from = key.key.from.columns.map((name) => `${key.fromLabel}.${name}`).join(', ');
  const to = key.key.to.columns.map((name) => `${key.toLabel}.${name}`).join(', ');
  const side = key.fromLabel === table && key.key.from.columns.includes(column) ? 'references' : 'referenced';
  const how =
    dialect === 'postgres'
      ? 'deferred to the commit (SET CONSTRAINTS … DEFERRED)'
      : "foreign_key_checks off for the group's transaction, restored after it";
  return `foreign key ${key.key.name} (${from} → ${to}, ${side}): same deterministic strategy on both sides; ${how}; orphans counted before the commit`;
}

function plannedColumn(
  dialect: Dialect,
  table: ResolvedTable,
  column: MaskedColumn,
  keys: readonly LinkedForeignKey[],
): PlannedColumn {
  const unique = table.uniqueIndexes
    .filter((index) => index.columns.includes(column.name))
    .map((index) => uniqueReason(column, index, table.uniqueIndexes));
  const foreign = keys
    .filter(
      (key) =>
        (key.fromLabel === table.label && key.key.from.columns.includes(column.name)) ||
        (key.toLabel === table.label && key.key.to.columns.includes(column.name)),
    )
    .map((key) => foreignKeyReason(dialect, key, column.name, table.label));
  const constraints = [...unique, ...foreign];
  return {
    name: column.name,
    dataType: column.dataType,
    strategy: describePlannedStrategy(column.strategy),
    constraints: constraints.length > 0 ? constraints : ['no unique index or foreign key over it'],
  };
}

/** `equals (1 value bound)`, `in (3 values bound)`, `is null`: how a where tests its column, without values. */
function describeWhere(table: ResolvedTable): string | undefined {
  const filter = table.where?.filter;
  if (filter === undefined) return undefined;
  if (filter.isNull !== undefined) return filter.isNull ? 'is null' : 'is not null';
  if (filter.in !== undefined)
    return `in (${filter.in.length} value${filter.in.length === 1 ? '' : 's'} bound)`;
  return 'equals (1 value bound)';
}

/** A query with its parameters, ready to send. */
export interface CountQuery {
  readonly sql: string;
  readonly params: unknown[];
}

/** The queries that count a table's rows (`n`), and the rows its where selects, if it has one. */
export function rowCountQueries(
  dialect: Dialect,
  table: ResolvedTable,
): { readonly all: CountQuery; readonly selected: CountQuery | undefined } {
  const mask = maskDialectOf(dialect);
  const all = { sql: `SELECT COUNT(*) AS n FROM ${table.quoted}`, params: [] };
  if (!table.where) return { all, selected: undefined };
  const bound = new BoundSql();
  const where = rowFilter(mask, table, bound);
  return {
    all,
    selected: bound.finalize(`SELECT COUNT(*) AS n FROM ${table.quoted}${where}`, mask.placeholders),
  };
}

/** A statement before placeholders are counted: its text and values as masking would send them. */
interface BuiltStatement {
  readonly step: string;
  readonly table: string | undefined;
  readonly sql: string;
  readonly params: readonly unknown[];
  readonly transactionControl: boolean;
}

/** The statements of one group built with `keys`, in the order mask.ts maskGroup sends them. */
function buildGroupStatements(
  dialect: Dialect,
  group: MaskGroup,
  keys: Readonly<Record<KeyPurpose, string>>,
): BuiltStatement[] {
  const mask = maskDialectOf(dialect);
  const built: BuiltStatement[] = [];
  const add = (table: string | undefined, statement: MaskStatement) => {
    const { sql: text, params } = statement.bound.finalize(statement.sql, mask.placeholders);
    built.push({ step: statement.step, table, sql: text, params, transactionControl: false });
  };
  const control = (step: string, sql: string) =>
    built.push({ step, table: undefined, sql, params: [], transactionControl: true });
  const statements = buildGroup(dialect, group, keys);
  const checks = statements.foreignKeyChecks;
  const first = group.tables[0]?.label;
  const plain = (step: string, sql: string): MaskStatement => ({
    step,
    sql,
    bound: new BoundSql(),
    written: [],
  });

  if (checks) {
    add(first, plain('reading foreign_key_checks', checks.read));
    add(first, plain('switching foreign key checks off', checks.off));
  }
  if (statements.beforeTransaction) add(first, statements.beforeTransaction);
  control('beginning the transaction', dialect === 'postgres' ? 'BEGIN' : 'START TRANSACTION');
  for (const { table, statement } of [
    ...statements.locks,
    ...(statements.allRowsOrFail ? [statements.allRowsOrFail] : []),
    ...statements.deferrals,
  ]) {
    add(table.label, statement);
  }
  for (const work of statements.work) {
    const steps =
      'columns' in work
        ? [...work.columns.copy, ...work.columns.change, work.columns.verify, ...work.columns.drop]
        : [work.truncate, work.count];
    for (const statement of steps) add(work.table.label, statement);
  }
  for (const { table, statement } of statements.orphans) add(table.label, statement);
  control('committing', 'COMMIT');
  if (checks) add(first, plain('restoring foreign_key_checks to the value read before', checks.restore(1)));
  return built;
}

/**
 * Every statement masking sends for one group, in order (mask.ts maskGroup): foreign key checks off (MySQL),
 * the transaction, the locks, row security off (PostgreSQL), deferred foreign keys (PostgreSQL), each table's
 * copy, update, shuffles, verification and drop (or its truncation and count), the orphan counts, the commit,
 * and the checks restored. Built with stand-in keys unless `keys` are given (a test compares a plan with a run
 * under the run's own keys); each statement whose text depends on the keys is marked.
 */
export function groupStatements(
  dialect: Dialect,
  group: MaskGroup,
  keys?: Readonly<Record<KeyPurpose, string>>,
): PlannedStatement[] {
  const [standIn, ...others] = STAND_IN_KEYS;
  const shown = buildGroupStatements(dialect, group, keys ?? (standIn as Record<KeyPurpose, string>));
  const variants = others.map((other) => buildGroupStatements(dialect, group, other));
  return shown.map((statement, index) => ({
    step: statement.step,
    table: statement.table,
    sql: statement.sql,
    boundValues: statement.params.length,
    transactionControl: statement.transactionControl,
    dependsOnSalt: variants.some((variant) => variant[index]?.sql !== statement.sql),
  }));
}

/**
 * The plan of one mask hook: its groups as resolveRules returned them, each table with its row counts (keyed
 * by label; a table without counts shows 0) and each column with the handling of its constraints.
 */
export function maskPlan(
  dialect: Dialect,
  groups: readonly MaskGroup[],
  counts: ReadonlyMap<string, TableCounts>,
): MaskPlan {
  return {
    dialect,
    groups: groups.map((group) => ({
      tables: group.tables.map((table) => {
        const count = counts.get(table.label);
        const test = describeWhere(table);
        return {
          label: table.label,
          truncate: table.truncate,
          rows: count?.rows ?? 0,
          where:
            table.where && test
              ? { column: table.where.column.name, test, rows: count?.selected ?? 0 }
              : undefined,
          columns: table.columns.map((column) => plannedColumn(dialect, table, column, group.foreignKeys)),
        };
      }),
      foreignKeys: group.foreignKeys.map((key) => key.key.name),
      statements: groupStatements(dialect, group),
    })),
  };
}
