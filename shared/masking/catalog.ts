// Why this file exists: a name in the configuration is only a request. Every table and column is looked up in
// the database's own catalog before any masking statement runs, every problem is reported at once, and the SQL
// then uses the catalog's spelling, quoted for the dialect, never the configuration string.
import type { Dialect, SqlSession } from '../database/target.ts';
import { ConfigurationError } from '../errors.ts';
import { FIRST_NAMES, LAST_NAMES } from './dictionaries.ts';
import { type ForeignKey, foreignKeyId, foreignKeys, foreignKeyVerdict } from './foreign.ts';
import { formatPath, type MaskingRules, type RowFilter, type Strategy, type TableRule } from './rules.ts';
import { caseTwinsQuery, type UniqueIndex, uniqueIndexes, uniqueVerdict } from './unique.ts';

export type TypeClass = 'text' | 'numeric' | 'date' | 'other';

export interface ResolvedColumn {
  /** The column's name as the catalog spells it. */
  readonly name: string;
  readonly quoted: string;
  /** The catalog's data_type, lower-cased (e.g. `character varying`, `varchar`, `date`). */
  readonly dataType: string;
  readonly typeClass: TypeClass;
  readonly nullable: boolean;
  /** Characters the column holds (text types), if bounded. */
  readonly maxLength: number | null;
  /** Decimal places of an exact numeric type (0 for integers), null for floating point. */
  readonly scale: number | null;
  /** Digits of an exact decimal type (numeric(p, s), decimal(p, s)); null if unbounded or not decimal. */
  readonly precision?: number | null;
  /** MySQL/MariaDB UNSIGNED (PostgreSQL has none). */
  readonly unsigned?: boolean;
}

export interface MaskedColumn extends ResolvedColumn {
  readonly strategy: Strategy;
}

export interface ResolvedTable {
  /** `schema.table` in the catalog's spelling: for logs, reports and errors. */
  readonly label: string;
  /** Schema and table as the catalog spells them. */
  readonly schema: string;
  readonly table: string;
  readonly quoted: string;
  readonly truncate: boolean;
  readonly primaryKey: readonly ResolvedColumn[];
  readonly columns: readonly MaskedColumn[];
  readonly where?: { readonly column: ResolvedColumn; readonly filter: RowFilter };
  /** The table's unique indexes (primary key included), to name the one a run-time duplicate violates. */
  readonly uniqueIndexes: readonly UniqueIndex[];
}

interface CatalogRow {
  table_schema: string;
  table_name: string;
  column_name: string;
  data_type: string;
  is_nullable: string;
  max_length: number | string | null;
  scale: number | string | null;
  num_precision: number | string | null;
  column_type: string | null;
}

const TYPE_CLASSES: Readonly<Record<Dialect, Readonly<Record<string, TypeClass>>>> = {
  postgres: {
    text: 'text',
    'character varying': 'text',
    character: 'text',
    smallint: 'numeric',
    integer: 'numeric',
    bigint: 'numeric',
    numeric: 'numeric',
    real: 'numeric',
    'double precision': 'numeric',
    date: 'date',
    'timestamp without time zone': 'date',
    'timestamp with time zone': 'date',
  },
  mysql: {
    varchar: 'text',
    char: 'text',
    tinytext: 'text',
    text: 'text',
    mediumtext: 'text',
    longtext: 'text',
    tinyint: 'numeric',
    smallint: 'numeric',
    mediumint: 'numeric',
    int: 'numeric',
    bigint: 'numeric',
    decimal: 'numeric',
    float: 'numeric',
    double: 'numeric',
    date: 'date',
    datetime: 'date',
    timestamp: 'date',
  },
};

const FLOATING = new Set(['real', 'double precision', 'float', 'double']);
const DECIMAL = new Set(['numeric', 'decimal']);

export function quoteIdentifier(dialect: Dialect, name: string): string {
  return dialect === 'postgres' ? `"${name.replaceAll('"', '""')}"` : `\`${name.replaceAll('`', '``')}\``;
}

function catalogQuery(dialect: Dialect): string {
  const placeholder = (n: number) => (dialect === 'postgres' ? `$${n}` : '?');
  // Lower-cased comparison finds `Customers` for `customers` (PostgreSQL folds unquoted names); the exact
  // spelling is then chosen in code, and an ambiguous match is refused.
  return `SELECT c.table_schema AS table_schema, c.table_name AS table_name, c.column_name AS column_name,
      c.data_type AS data_type, c.is_nullable AS is_nullable, c.character_maximum_length AS max_length,
      c.numeric_scale AS scale, c.numeric_precision AS num_precision,
      ${dialect === 'postgres' ? 'NULL' : 'c.column_type'} AS column_type
    FROM information_schema.columns c
    JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
    WHERE lower(c.table_schema) = lower(${placeholder(1)}) AND lower(c.table_name) = lower(${placeholder(2)})
      AND t.table_type = 'BASE TABLE'
    ORDER BY c.ordinal_position`;
}

function primaryKeyQuery(dialect: Dialect): string {
  const placeholder = (n: number) => (dialect === 'postgres' ? `$${n}` : '?');
  return `SELECT k.column_name AS column_name
    FROM information_schema.table_constraints tc
    JOIN information_schema.key_column_usage k ON k.constraint_name = tc.constraint_name
      AND k.table_schema = tc.table_schema AND k.table_name = tc.table_name
    WHERE tc.constraint_type = 'PRIMARY KEY' AND tc.table_schema = ${placeholder(1)} AND tc.table_name = ${placeholder(2)}
    ORDER BY k.ordinal_position`;
}

const toNumber = (value: number | string | null): number | null => (value === null ? null : Number(value));

function resolveColumn(dialect: Dialect, row: CatalogRow): ResolvedColumn {
  const dataType = row.data_type.toLowerCase();
  return {
    name: row.column_name,
    quoted: quoteIdentifier(dialect, row.column_name),
    dataType,
    typeClass: TYPE_CLASSES[dialect][dataType] ?? 'other',
    nullable: row.is_nullable.toUpperCase() === 'YES',
    maxLength: toNumber(row.max_length),
    scale: FLOATING.has(dataType) ? null : toNumber(row.scale),
    // Only decimal types: the precision PostgreSQL reports for its integers is in bits.
    precision: DECIMAL.has(dataType) ? toNumber(row.num_precision) : null,
    unsigned: /\bunsigned\b/i.test(row.column_type ?? ''),
  };
}

/** The longest text a strategy writes, where it is known in advance. */
function outputLength(strategy: Strategy): number | null {
  switch (strategy.strategy) {
    case 'hash':
      return strategy.length ?? 32;
    case 'email':
      return 'u_'.length + 16 + '@example.invalid'.length;
    case 'first-name':
      return Math.max(...FIRST_NAMES.map((name) => name.length));
    case 'last-name':
      return Math.max(...LAST_NAMES.map((name) => name.length));
    case 'full-name':
      return (
        Math.max(...FIRST_NAMES.map((name) => name.length)) +
        1 +
        Math.max(...LAST_NAMES.map((name) => name.length))
      );
    case 'fixed':
      return typeof strategy.value === 'string' ? strategy.value.length : null;
    default:
      return null;
  }
}

/** Why a strategy cannot be used on a column, or undefined if it can. */
function misfit(strategy: Strategy, column: ResolvedColumn): string | undefined {
  const { typeClass } = column;
  const needs = (wanted: TypeClass) =>
    typeClass === wanted
      ? undefined
      : `strategy ${strategy.strategy} needs a ${wanted} column, not ${typeClass}`;
  switch (strategy.strategy) {
    case 'fixed': {
      const { value } = strategy;
      if (value === null) return column.nullable ? undefined : 'fixed null on a NOT NULL column';
      if (typeof value === 'number') {
        return typeClass === 'numeric' || typeClass === 'text'
          ? undefined
          : `a number cannot go into a ${typeClass} column`;
      }
      return typeClass === 'text' || typeClass === 'date'
        ? undefined
        : `a string cannot go into a ${typeClass} column`;
    }
    case 'null':
      return column.nullable ? undefined : 'strategy null on a NOT NULL column';
    case 'noise':
      return needs('numeric');
    case 'date-shift':
      return needs('date');
    case 'shuffle':
      return undefined;
    default:
      return needs('text');
  }
}

async function resolveTable(
  session: SqlSession,
  dialect: Dialect,
  defaultSchema: string,
  rule: TableRule,
  at: string,
  problems: string[],
): Promise<ResolvedTable | undefined> {
  const [first, second] = rule.table.split('.');
  const [schema, table] = second === undefined ? [defaultSchema, first ?? ''] : [first ?? '', second];
  const { rows } = await session.query<CatalogRow>(catalogQuery(dialect), [schema, table]);
  const spellings = [...new Set(rows.map((row) => `${row.table_schema}.${row.table_name}`))];
  const spelling = spellings.includes(`${schema}.${table}`) ? `${schema}.${table}` : spellings[0];
  if (spelling === undefined) {
    problems.push(`${at}: table ${rule.table} does not exist (or is not a base table visible to this user)`);
    return undefined;
  }
  if (spellings.length > 1 && !spellings.includes(`${schema}.${table}`)) {
    problems.push(`${at}: table ${rule.table} matches several tables that differ only in case`);
    return undefined;
  }
  const tableRows = rows.filter((row) => `${row.table_schema}.${row.table_name}` === spelling);
  const [catalogSchema, catalogTable] = [
    tableRows[0]?.table_schema ?? schema,
    tableRows[0]?.table_name ?? table,
  ];
  const columns = tableRows.map((row) => resolveColumn(dialect, row));
  // The exact spelling wins; otherwise a single case-insensitive match (PostgreSQL folds unquoted names). Two
  // or more (PostgreSQL's "Email" and "EMAIL") are refused: masking one would leave the other's PII in place.
  const findColumn = (name: string, where: string): ResolvedColumn | undefined => {
    const exact = columns.find((column) => column.name === name);
    if (exact) return exact;
    const matches = columns.filter((column) => column.name.toLowerCase() === name.toLowerCase());
    if (matches.length > 1) {
      problems.push(
        `${where}: column ${name} matches several columns of ${spelling} that differ only in case (${matches.map((column) => column.name).join(', ')}); name one exactly`,
      );
      return undefined;
    }
    if (!matches[0]) problems.push(`${where}: column ${name} does not exist in ${spelling}`);
    return matches[0];
  };

  const quoted = `${quoteIdentifier(dialect, catalogSchema)}.${quoteIdentifier(dialect, catalogTable)}`;
  if (rule.truncate) {
    return {
      label: spelling,
      schema: catalogSchema,
      table: catalogTable,
      quoted,
      truncate: true,
      primaryKey: [],
      columns: [],
      uniqueIndexes: [],
    };
  }

  const keyRows = await session.query<{ column_name: string }>(primaryKeyQuery(dialect), [
    catalogSchema,
    catalogTable,
  ]);
  const primaryKey = keyRows.rows.flatMap((row) =>
    columns.filter((column) => column.name === row.column_name),
  );
  if (primaryKey.length === 0)
    problems.push(`${at}: table ${spelling} has no primary key (needed to verify masking)`);

  const indexes = await uniqueIndexes(session, dialect, catalogSchema, catalogTable);
  const masked: MaskedColumn[] = [];
  for (const [name, strategy] of Object.entries(rule.columns ?? {})) {
    const where = formatPath(at, ['columns', name]);
    const column = findColumn(name, where);
    if (!column) continue;
    if (primaryKey.some((key) => key.name === column.name)) {
      problems.push(`${where}: ${column.name} is part of the primary key, which masking needs unchanged`);
      continue;
    }
    if (masked.some((other) => other.name === column.name)) {
      problems.push(`${where}: column ${column.name} is named twice`);
      continue;
    }
    const why = misfit(strategy, column);
    if (why) problems.push(`${where}: ${why} (${column.name} is ${column.dataType})`);
    const length = outputLength(strategy);
    if (!why && length !== null && column.maxLength !== null && column.maxLength < length) {
      problems.push(
        `${where}: strategy ${strategy.strategy} writes up to ${length} characters, ${column.name} holds ${column.maxLength}`,
      );
    }
    if (!why) await checkUnique(session, quoted, spelling, column, strategy, indexes, where, problems);
    masked.push({ ...column, strategy });
  }
  const whereColumn = rule.where
    ? findColumn(rule.where.column, formatPath(at, ['where', 'column']))
    : undefined;
  return {
    label: spelling,
    schema: catalogSchema,
    table: catalogTable,
    quoted,
    truncate: false,
    primaryKey,
    columns: masked,
    ...(rule.where && whereColumn && { where: { column: whereColumn, filter: rule.where } }),
    uniqueIndexes: indexes,
  };
}

/**
 * Refuses a strategy that could make two rows of a unique index equal (see unique.ts for the rules). The one
 * query that reads data counts groups of values differing only in case, for email on a case-sensitive index.
 */
async function checkUnique(
  session: SqlSession,
  quotedTable: string,
  label: string,
  column: ResolvedColumn,
  strategy: Strategy,
  indexes: readonly UniqueIndex[],
  where: string,
  problems: string[],
): Promise<void> {
  let twins: number | undefined;
  for (const index of indexes.filter((candidate) => candidate.columns.includes(column.name))) {
    const verdict = uniqueVerdict(strategy, column.name, index, indexes);
    if (verdict.kind === 'refused') {
      problems.push(`${where}: ${label}.${column.name}: ${verdict.why}`);
    } else if (verdict.kind === 'count-case-twins') {
      if (twins === undefined) {
        const [row] = (
          await session.query<{ n: number | string }>(caseTwinsQuery(quotedTable, column.quoted))
        ).rows;
        twins = Number(row?.n ?? 0);
      }
      if (twins > 0) {
        problems.push(
          `${where}: ${label}.${column.name}: strategy email folds case, but unique index ${index.name} compares case-sensitively and the column holds values that differ only in case; use hash, or a case-insensitive collation`,
        );
      }
    }
  }
}

/** A foreign key between masked columns whose tables are masked together (see foreign.ts). */
export interface LinkedForeignKey {
  readonly key: ForeignKey;
  /** `schema.table`, as in ResolvedTable.label. */
  readonly fromLabel: string;
  readonly toLabel: string;
  readonly fromQuoted: string;
  readonly toQuoted: string;
  /** Every column pair of the key, quoted (masked or not: the orphan count needs the whole key). */
  readonly pairs: readonly { readonly from: string; readonly to: string }[];
  /** `schema.constraint`, quoted, for SET CONSTRAINTS. */
  readonly quotedName: string;
}

/** Tables masked in one transaction: one table, or the tables joined by foreign keys between masked columns. */
export interface MaskGroup {
  /** Referencing tables before the tables they reference, otherwise in plan order. */
  readonly tables: readonly ResolvedTable[];
  readonly foreignKeys: readonly LinkedForeignKey[];
}

interface MaskedUse {
  readonly strategy: MaskedColumn['strategy'];
  readonly at: string;
  readonly filtered: boolean;
}

/**
 * Reads the foreign keys from and to every table with masked columns and judges them (foreign.ts), pushing
 * refusals to `problems`; returns the foreign keys that link tables into groups.
 */
async function checkForeignKeys(
  session: SqlSession,
  dialect: Dialect,
  tables: readonly { readonly table: ResolvedTable; readonly at: string }[],
  problems: string[],
): Promise<LinkedForeignKey[]> {
  const uses = new Map<string, MaskedUse[]>();
  const columnKey = (schema: string, table: string, column: string) =>
    JSON.stringify([schema, table, column]);
  for (const { table, at } of tables) {
    for (const column of table.columns) {
      const id = columnKey(table.schema, table.table, column.name);
      uses.set(id, [
        ...(uses.get(id) ?? []),
        { strategy: column.strategy, at: formatPath(at, ['columns', column.name]), filtered: !!table.where },
      ]);
    }
  }
  const seen = new Map<string, ForeignKey>();
  const read = new Set<string>();
  for (const { table } of tables) {
    const id = JSON.stringify([table.schema, table.table]);
    if (table.columns.length === 0 || read.has(id)) continue;
    read.add(id);
    for (const key of await foreignKeys(session, dialect, table.schema, table.table)) {
      seen.set(foreignKeyId(key), key);
    }
  }
  const quoted = (schema: string, name: string) =>
    `${quoteIdentifier(dialect, schema)}.${quoteIdentifier(dialect, name)}`;
  const linked: LinkedForeignKey[] = [];
  for (const key of seen.values()) {
    let links = false;
    key.from.columns.forEach((fromColumn, index) => {
      const toColumn = key.to.columns[index] ?? '';
      const from = `${key.from.schema}.${key.from.table}.${fromColumn}`;
      const to = `${key.to.schema}.${key.to.table}.${toColumn}`;
      const fromUses = uses.get(columnKey(key.from.schema, key.from.table, fromColumn)) ?? [];
      const toUses = uses.get(columnKey(key.to.schema, key.to.table, toColumn)) ?? [];
      const at = (fromUses[0] ?? toUses[0])?.at ?? 'tables';
      if (fromUses.length > 1 || toUses.length > 1) {
        problems.push(
          `${at}: foreign key ${key.name} (${from} → ${to}): a column of it is masked by several rules; mask it once`,
        );
        return;
      }
      const filtered = [...fromUses, ...toUses].some((use) => use.filtered);
      const verdict = foreignKeyVerdict(key, from, to, fromUses[0]?.strategy, toUses[0]?.strategy, dialect);
      if (verdict.kind === 'refused') problems.push(`${at}: ${verdict.why}`);
      else if (verdict.kind === 'linked' && filtered) {
        problems.push(
          `${at}: foreign key ${key.name} (${from} → ${to}): a rule masking it has a where, so the rows it leaves out would no longer match; mask every row of both tables`,
        );
      } else if (verdict.kind === 'linked') links = true;
    });
    if (!links) continue;
    linked.push({
      key,
      fromLabel: `${key.from.schema}.${key.from.table}`,
      toLabel: `${key.to.schema}.${key.to.table}`,
      fromQuoted: quoted(key.from.schema, key.from.table),
      toQuoted: quoted(key.to.schema, key.to.table),
      pairs: key.from.columns.map((column, index) => ({
        from: quoteIdentifier(dialect, column),
        to: quoteIdentifier(dialect, key.to.columns[index] ?? ''),
      })),
      quotedName: quoted(key.from.schema, key.name),
    });
  }
  return linked;
}

/** Groups the tables joined by linked foreign keys, each group at the place of its first table in the plan. */
function groupTables(tables: readonly ResolvedTable[], linked: readonly LinkedForeignKey[]): MaskGroup[] {
  const parent = new Map<string, string>();
  const root = (label: string): string => {
    const up = parent.get(label) ?? label;
    return up === label ? label : root(up);
  };
  for (const key of linked) {
    const [a, b] = [root(key.fromLabel), root(key.toLabel)];
    if (a !== b) parent.set(a, b);
  }
  const groups: MaskGroup[] = [];
  const placed = new Set<string>();
  for (const table of tables) {
    const group = root(table.label);
    if (placed.has(group)) continue;
    placed.add(group);
    const members = tables.filter((other) => root(other.label) === group);
    const keys = linked.filter((key) => root(key.fromLabel) === group);
    // Referencing tables first: on PostgreSQL an ON UPDATE CASCADE then finds no old value left to carry.
    const ordered: ResolvedTable[] = [];
    const left = [...members];
    while (left.length > 0) {
      const referenced = (candidate: ResolvedTable) =>
        keys.some(
          (key) =>
            key.toLabel === candidate.label &&
            key.fromLabel !== candidate.label &&
            left.some((other) => other.label === key.fromLabel),
        );
      const next = left.findIndex((candidate) => !referenced(candidate));
      ordered.push(...left.splice(next === -1 ? 0 : next, 1));
    }
    groups.push({ tables: ordered, foreignKeys: keys });
  }
  return groups;
}

/**
 * Looks every table and column of the rules up in the catalog. Throws ConfigurationError listing every problem
 * (unknown names, no primary key, strategy/type mismatches, strategies that could break a unique index or a
 * foreign key) before anything has been changed. Returns the tables in groups to mask one transaction each.
 */
export async function resolveRules(
  session: SqlSession,
  dialect: Dialect,
  database: string,
  rules: MaskingRules,
): Promise<MaskGroup[]> {
  const defaultSchema = dialect === 'postgres' ? 'public' : database;
  const problems: string[] = [];
  const tables: { table: ResolvedTable; at: string }[] = [];
  for (const [index, rule] of rules.entries()) {
    const at = `tables[${index}]`;
    const table = await resolveTable(session, dialect, defaultSchema, rule, at, problems);
    if (table) tables.push({ table, at });
  }
  const linked = await checkForeignKeys(session, dialect, tables, problems);
  if (problems.length > 0) {
    throw new ConfigurationError(`Masking refused before any change: ${problems.join('; ')}`, problems);
  }
  return groupTables(
    tables.map((entry) => entry.table),
    linked,
  );
}
