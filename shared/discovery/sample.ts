// Why this file exists: discovery judges columns by their names and by what they hold, and what they hold has to
// be read from a database that may be large, busy and someone else's. This is the one place that reads it, and
// it reads as little as answers the question: the catalog (every column of every base table, with its type),
// then per table a bounded sample of the columns whose values a detector can read as text. It is bounded three
// ways: rows (`rowsPerTable`), time (a total budget checked between tables, and a per-statement timeout the
// engine enforces, never longer than what is left of the budget) and reach (a read-only transaction per table,
// so the sampler cannot change a row, and holds its locks on one table at a time, never for the whole scan).
// A table the budget does not reach, or whose read fails, is listed as not scanned, never dropped; a column of a
// type no detector reads (binary, JSON, geometry …) is listed as skipped. Names in the SQL are the catalog's
// spelling, quoted; the only other text in it is numbers this file computes. Sampled values stay in memory:
// nothing here logs, and errors name the driver's code only, never its message (which can quote a value).
import type { Dialect, SqlSession, TargetDatabase } from '../database/target.ts';
import { describeDriverError } from '../hooks/kinds/sql.ts';
import { boundedSelect, classifyType, type Engine, sampleQuery, tablesamplePercent } from './sample-sql.ts';
import type { ColumnSample } from './types.ts';

/** How a sampled column's values are read as text. */
export type SampledClass = 'text' | 'numeric' | 'date';

/** Why a column is not sampled: its values are not text a detector can read. */
export type SkipReason = 'binary' | 'json' | 'geometry' | 'other type';

export interface CatalogColumn {
  /** As the catalog spells it. */
  readonly name: string;
  /** The catalog's data type, lower-cased (PostgreSQL user-defined types by their own name, e.g. `citext`). */
  readonly dataType: string;
  readonly nullable: boolean;
  /** Characters a text column holds, if bounded. */
  readonly maxLength: number | null;
  /** How it is sampled, or why it is not. */
  readonly read: { readonly sampled: SampledClass } | { readonly skipped: SkipReason };
}

export interface CatalogTable {
  readonly schema: string;
  readonly table: string;
  readonly columns: readonly CatalogColumn[];
  /** The primary key's columns in key order; empty without one. */
  readonly primaryKey: readonly string[];
  /** The engine's row estimate (PostgreSQL reltuples, MySQL TABLE_ROWS); null when never analysed. */
  readonly estimatedRows: number | null;
  /** PostgreSQL's page estimate (relpages), for how much of the table TABLESAMPLE reads; 0 elsewhere. */
  readonly estimatedPages: number;
}

/**
 * How a table's rows were chosen: PostgreSQL `TABLESAMPLE SYSTEM` (random pages across the table), a plain
 * `LIMIT`, MySQL/MariaDB the first rows in primary-key order, or nothing to read (no column is sampled).
 */
export type SampleMethod = 'tablesample' | 'limit' | 'key-order' | 'none';

export interface ScannedTable {
  readonly schema: string;
  readonly table: string;
  readonly method: SampleMethod;
  readonly rowsSampled: number;
  readonly columnsSampled: number;
  readonly estimatedRows: number | null;
}

export interface NotScannedTable {
  readonly schema: string;
  readonly table: string;
  /**
   * `budget`: the total time budget ran out before (or while) the table was read; `statement-timeout`: its
   * read took longer than the per-statement timeout; `error`: the database refused the read (`detail` gives
   * the driver's code, e.g. a missing SELECT privilege, SQLSTATE 42501).
   */
  readonly reason: 'budget' | 'statement-timeout' | 'error';
  readonly detail?: string;
}

export interface SkippedColumn {
  readonly schema: string;
  readonly table: string;
  readonly column: string;
  readonly dataType: string;
  readonly reason: SkipReason;
}

export interface SampleOptions {
  /** Schemas (MySQL: databases) to look in; default every user schema (MySQL: the connection's database). */
  readonly schemas?: readonly string[];
  /** Rows read per table at most; default 1000. */
  readonly rowsPerTable?: number;
  /** Total time for the reads, checked between tables; default 60 s. */
  readonly budgetMs?: number;
  /** Longest any one statement may run (capped by what is left of the budget); default 10 s. */
  readonly statementTimeoutMs?: number;
  /** Characters of a value kept, so one huge text column cannot fill the memory; default 1000. */
  readonly maxValueLength?: number;
  /** The time in milliseconds; for tests of the budget. */
  readonly clock?: () => number;
}

export interface SampleResult {
  readonly dialect: Dialect;
  /** The schemas looked in, as the catalog spells them. */
  readonly schemas: readonly string[];
  /** Every base table found, sorted by schema and name. */
  readonly tables: readonly CatalogTable[];
  /** One per sampled column of every scanned table. */
  readonly samples: readonly ColumnSample[];
  readonly scanned: readonly ScannedTable[];
  readonly notScanned: readonly NotScannedTable[];
  readonly skippedColumns: readonly SkippedColumn[];
  readonly durationMs: number;
}

export const DEFAULT_ROWS_PER_TABLE = 1000;
export const DEFAULT_BUDGET_MS = 60_000;
export const DEFAULT_STATEMENT_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_VALUE_LENGTH = 1000;

/** `--schema` (or `discovery.schemas`) named a schema the database does not have. Nothing was read. */
export class UnknownSchemaError extends Error {
  override readonly name = 'UnknownSchemaError';
  constructor(readonly schemas: readonly string[]) {
    super(`no such schema${schemas.length > 1 ? 's' : ''}: ${schemas.join(', ')}`);
  }
}

/**
 * The catalog could not be read, or the connection broke while sampling: discovery cannot say anything. The
 * message names the driver's code only; the driver error is not kept as `cause`, its message may quote a value.
 */
export class SamplingError extends Error {
  override readonly name = 'SamplingError';
}

const POSTGRES_SYSTEM_SCHEMAS = new Set(['pg_catalog', 'information_schema', 'pg_toast']);
const isPostgresSystemSchema = (schema: string) =>
  POSTGRES_SYSTEM_SCHEMAS.has(schema) || /^pg_(toast_)?temp_\d+$/.test(schema);

interface PostgresColumnRow {
  table_schema: string;
  table_name: string;
  column_name: string;
  data_type: string;
  udt_name: string;
  is_nullable: string;
  max_length: number | string | null;
  reltuples: number | string | null;
  relpages: number | string | null;
}

interface MysqlColumnRow {
  table_schema: string;
  table_name: string;
  column_name: string;
  data_type: string;
  is_nullable: string;
  max_length: number | string | null;
  table_rows: number | string | null;
}

interface KeyRow {
  table_schema: string;
  table_name: string;
  column_name: string;
}

const POSTGRES_SCHEMAS = 'SELECT nspname AS name FROM pg_catalog.pg_namespace';
const MYSQL_SCHEMAS = 'SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA';

// information_schema lists only the tables this user holds a privilege on; pg_class adds the row estimate.
const POSTGRES_COLUMNS = `SELECT c.table_schema AS table_schema, c.table_name AS table_name,
    c.column_name AS column_name, c.data_type AS data_type, c.udt_name AS udt_name,
    c.is_nullable AS is_nullable, c.character_maximum_length AS max_length, cl.reltuples AS reltuples,
    cl.relpages AS relpages
  FROM information_schema.columns c
  JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
  JOIN pg_catalog.pg_namespace n ON n.nspname = c.table_schema
  JOIN pg_catalog.pg_class cl ON cl.relnamespace = n.oid AND cl.relname = c.table_name
  WHERE t.table_type = 'BASE TABLE' AND c.table_schema = ANY($1::text[])
  ORDER BY c.table_schema, c.table_name, c.ordinal_position`;

const POSTGRES_PRIMARY_KEYS = `SELECT k.table_schema AS table_schema, k.table_name AS table_name,
    k.column_name AS column_name
  FROM information_schema.table_constraints tc
  JOIN information_schema.key_column_usage k ON k.constraint_name = tc.constraint_name
    AND k.table_schema = tc.table_schema AND k.table_name = tc.table_name
  WHERE tc.constraint_type = 'PRIMARY KEY' AND tc.table_schema = ANY($1::text[])
  ORDER BY k.table_schema, k.table_name, k.ordinal_position`;

const marks = (n: number) => Array.from({ length: n }, () => '?').join(', ');

// MariaDB's system-versioned tables are base tables too, with a history the same sample reads from.
const mysqlColumns = (schemas: number) => `SELECT c.TABLE_SCHEMA AS table_schema, c.TABLE_NAME AS table_name,
    c.COLUMN_NAME AS column_name, c.DATA_TYPE AS data_type, c.IS_NULLABLE AS is_nullable,
    c.CHARACTER_MAXIMUM_LENGTH AS max_length, t.TABLE_ROWS AS table_rows
  FROM information_schema.COLUMNS c
  JOIN information_schema.TABLES t ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME
  WHERE t.TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED') AND c.TABLE_SCHEMA IN (${marks(schemas)})
  ORDER BY c.TABLE_SCHEMA, c.TABLE_NAME, c.ORDINAL_POSITION`;

const mysqlPrimaryKeys = (schemas: number) => `SELECT TABLE_SCHEMA AS table_schema, TABLE_NAME AS table_name,
    COLUMN_NAME AS column_name
  FROM information_schema.KEY_COLUMN_USAGE
  WHERE CONSTRAINT_NAME = 'PRIMARY' AND TABLE_SCHEMA IN (${marks(schemas)})
  ORDER BY TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION`;

// MariaDB's JSON is LONGTEXT with a CHECK (json_valid(`column`)) constraint: that check is how it is told apart.
const mariadbJsonChecks = (schemas: number) => `SELECT CONSTRAINT_SCHEMA AS table_schema,
    TABLE_NAME AS table_name, CHECK_CLAUSE AS check_clause
  FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA IN (${marks(schemas)})`;

const JSON_VALID_CHECK = /^json_valid\(`((?:[^`]|``)+)`\)$/i;

const toNumber = (value: number | string | null): number | null => (value === null ? null : Number(value));
const tableKey = (schema: string, table: string) => JSON.stringify([schema, table]);

/** The catalog's spelling of each requested schema (exactly, or else the one that differs only in case). */
function resolveSchemas(available: readonly string[], requested: readonly string[]): string[] {
  const missing: string[] = [];
  const resolved = requested.flatMap((name) => {
    if (available.includes(name)) return [name];
    const folded = available.filter((schema) => schema.toLowerCase() === name.toLowerCase());
    if (folded.length === 1 && folded[0] !== undefined) return [folded[0]];
    missing.push(name);
    return [];
  });
  if (missing.length > 0) throw new UnknownSchemaError(missing);
  return [...new Set(resolved)];
}

function groupTables(
  dialect: Dialect,
  rows: readonly (PostgresColumnRow | MysqlColumnRow)[],
  keys: readonly KeyRow[],
  json: ReadonlySet<string>,
): CatalogTable[] {
  const tables = new Map<string, { table: Omit<CatalogTable, 'columns'>; columns: CatalogColumn[] }>();
  for (const row of rows) {
    const id = tableKey(row.table_schema, row.table_name);
    let entry = tables.get(id);
    if (!entry) {
      const estimate = toNumber('reltuples' in row ? row.reltuples : (row as MysqlColumnRow).table_rows);
      entry = {
        table: {
          schema: row.table_schema,
          table: row.table_name,
          primaryKey: keys
            .filter((key) => key.table_schema === row.table_schema && key.table_name === row.table_name)
            .map((key) => key.column_name),
          // PostgreSQL: -1 (14+) or 0 with no pages (older) until the table is first analysed.
          estimatedRows: estimate === null || estimate < 0 ? null : estimate,
          estimatedPages: 'relpages' in row ? (toNumber(row.relpages) ?? 0) : 0,
        },
        columns: [],
      };
      tables.set(id, entry);
    }
    const userDefined = 'udt_name' in row && row.data_type === 'USER-DEFINED';
    const dataType = (userDefined ? row.udt_name : row.data_type).toLowerCase();
    const isJson = json.has(JSON.stringify([row.table_schema, row.table_name, row.column_name]));
    entry.columns.push({
      name: row.column_name,
      dataType,
      nullable: row.is_nullable.toUpperCase() === 'YES',
      maxLength: toNumber(row.max_length),
      read: isJson ? { skipped: 'json' } : classifyType(dialect, dataType),
    });
  }
  const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...tables.values()]
    .map(({ table, columns }) => ({ ...table, columns }))
    .sort((a, b) => compare(a.schema, b.schema) || compare(a.table, b.table));
}

/** Whether the connection is to MariaDB, whose statement timeout is spelled differently from MySQL's. */
async function engineOf(db: TargetDatabase): Promise<Engine> {
  if (db.dialect === 'postgres') return 'postgres';
  const [row] = (await db.query<{ version: string }>('SELECT VERSION() AS version')).rows;
  return /mariadb/i.test(String(row?.version ?? '')) ? 'mariadb' : 'mysql';
}

/**
 * Runs `work` in a READ ONLY transaction: nothing it sends can change a row. PostgreSQL also bounds each of its
 * statements with SET LOCAL statement_timeout (gone with the transaction). MySQL/MariaDB take READ ONLY from
 * SET TRANSACTION before the transaction starts (it applies to the next one only); their statements carry their
 * own bound (sampleQuery).
 */
export async function inReadOnlyTransaction<T>(
  db: TargetDatabase,
  timeoutMs: number,
  work: (session: SqlSession) => Promise<T>,
): Promise<T> {
  if (db.dialect === 'mysql') await db.query('SET TRANSACTION READ ONLY');
  return db.transaction(async (session) => {
    if (db.dialect === 'postgres') {
      await session.query('SET TRANSACTION READ ONLY');
      // 0 would mean no limit at all.
      await session.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.floor(timeoutMs))}`);
    }
    return work(session);
  });
}

async function readCatalog(
  db: TargetDatabase,
  engine: Engine,
  requested: readonly string[] | undefined,
  timeoutMs: number,
): Promise<{ schemas: string[]; tables: CatalogTable[] }> {
  // MySQL's information_schema opens tables to answer (TABLE_ROWS): bounded like the samples.
  const bounded = (select: string) => boundedSelect(engine, select, timeoutMs);
  return inReadOnlyTransaction(db, timeoutMs, async (session) => {
    const available = (
      await session.query<{ name: string }>(
        db.dialect === 'postgres' ? POSTGRES_SCHEMAS : bounded(MYSQL_SCHEMAS),
      )
    ).rows.map((row) => String(row.name));
    const schemas =
      requested !== undefined && requested.length > 0
        ? resolveSchemas(available, requested)
        : db.dialect === 'postgres'
          ? available.filter((schema) => !isPostgresSystemSchema(schema)).sort()
          : resolveSchemas(available, [db.database]);
    if (db.dialect === 'postgres') {
      const columns = await session.query<PostgresColumnRow>(POSTGRES_COLUMNS, [schemas]);
      const keys = await session.query<KeyRow>(POSTGRES_PRIMARY_KEYS, [schemas]);
      return { schemas, tables: groupTables('postgres', columns.rows, keys.rows, new Set()) };
    }
    const columns = await session.query<MysqlColumnRow>(bounded(mysqlColumns(schemas.length)), schemas);
    const keys = await session.query<KeyRow>(bounded(mysqlPrimaryKeys(schemas.length)), schemas);
    const json = new Set<string>();
    if (engine === 'mariadb') {
      const checks = await session.query<{ table_schema: string; table_name: string; check_clause: string }>(
        bounded(mariadbJsonChecks(schemas.length)),
        schemas,
      );
      for (const check of checks.rows) {
        const column = JSON_VALID_CHECK.exec(String(check.check_clause).trim())?.[1];
        if (column !== undefined) {
          json.add(JSON.stringify([check.table_schema, check.table_name, column.replaceAll('``', '`')]));
        }
      }
    }
    return { schemas, tables: groupTables('mysql', columns.rows, keys.rows, json) };
  });
}

/** A value as the detectors read it; mysql2 may hand back a Buffer for text in a binary character set. */
function asText(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  return String(value);
}

/** A field of a driver error, if it has one. */
function field(error: unknown, name: string): unknown {
  return typeof error === 'object' && error !== null ? (error as Record<string, unknown>)[name] : undefined;
}

// PostgreSQL query_canceled (statement_timeout); MySQL ER_QUERY_TIMEOUT; MariaDB ER_STATEMENT_TIMEOUT.
const isTimeout = (error: unknown) =>
  field(error, 'code') === '57014' || field(error, 'errno') === 3024 || field(error, 'errno') === 1969;

/**
 * The server refused this one statement (a privilege, a timeout), and the connection is still good for the next
 * table. A client-side failure (a dropped connection) is not: the whole sampling fails.
 */
function refusedByServer(error: unknown): boolean {
  const code = field(error, 'code');
  const errno = field(error, 'errno');
  if (typeof errno === 'number') return field(error, 'fatal') !== true;
  // Class 08 is a connection exception: the next table would fail the same way.
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && !code.startsWith('08');
}

interface TableRead {
  readonly rows: readonly Record<string, unknown>[];
  readonly method: Exclude<SampleMethod, 'none'>;
}

/** Reads one table's sample. A TABLESAMPLE that returns too few rows (stale estimate) is read again with LIMIT. */
async function readTable(
  session: SqlSession,
  engine: Engine,
  table: CatalogTable,
  columns: readonly CatalogColumn[],
  settings: { rows: number; timeoutMs: number; maxValueLength: number },
): Promise<TableRead> {
  const percent =
    engine === 'postgres'
      ? tablesamplePercent(table.estimatedRows, settings.rows, table.estimatedPages)
      : undefined;
  const query = sampleQuery(engine, table, columns, {
    ...settings,
    ...(percent !== undefined && { percent }),
  });
  const first = await session.query<Record<string, unknown>>(query.sql);
  if (query.method !== 'tablesample' || first.rows.length * 2 >= settings.rows) {
    return { rows: first.rows, method: query.method };
  }
  const fallback = sampleQuery(engine, table, columns, settings);
  return { rows: (await session.query<Record<string, unknown>>(fallback.sql)).rows, method: fallback.method };
}

/**
 * Lists every column of every base table in the schemas and samples each table, within the budget. Throws
 * UnknownSchemaError for a schema that does not exist, SamplingError when the catalog cannot be read or the
 * connection breaks; a table the database refuses to read, or that the budget does not reach, is listed in
 * `notScanned` instead.
 */
export async function sampleDatabase(db: TargetDatabase, options: SampleOptions = {}): Promise<SampleResult> {
  const clock = options.clock ?? Date.now;
  const started = clock();
  const rowsPerTable = options.rowsPerTable ?? DEFAULT_ROWS_PER_TABLE;
  const budgetMs = options.budgetMs ?? DEFAULT_BUDGET_MS;
  const statementTimeoutMs = options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS;
  const maxValueLength = options.maxValueLength ?? DEFAULT_MAX_VALUE_LENGTH;
  for (const [name, value] of Object.entries({ rowsPerTable, statementTimeoutMs, maxValueLength })) {
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer`);
  }
  if (!Number.isFinite(budgetMs) || budgetMs < 0) throw new RangeError('budgetMs must be 0 or more');

  let engine: Engine;
  let catalog: { schemas: string[]; tables: CatalogTable[] };
  try {
    engine = await engineOf(db);
    catalog = await readCatalog(db, engine, options.schemas, statementTimeoutMs);
  } catch (error) {
    if (error instanceof UnknownSchemaError) throw error;
    throw new SamplingError(`reading the catalog failed: ${describeDriverError(error)}`);
  }

  const samples: ColumnSample[] = [];
  const scanned: ScannedTable[] = [];
  const notScanned: NotScannedTable[] = [];
  const skippedColumns: SkippedColumn[] = [];
  for (const table of catalog.tables) {
    const { schema, table: name } = table;
    const sampled = table.columns.filter((column) => 'sampled' in column.read);
    for (const column of table.columns) {
      if ('skipped' in column.read) {
        skippedColumns.push({
          schema,
          table: name,
          column: column.name,
          dataType: column.dataType,
          reason: column.read.skipped,
        });
      }
    }
    const left = budgetMs - (clock() - started);
    if (left <= 0) {
      notScanned.push({ schema, table: name, reason: 'budget' });
      continue;
    }
    if (sampled.length === 0) {
      scanned.push({
        schema,
        table: name,
        method: 'none',
        rowsSampled: 0,
        columnsSampled: 0,
        estimatedRows: table.estimatedRows,
      });
      continue;
    }
    // Never longer than what is left of the budget: the budget bounds the whole scan, not only its start.
    const timeoutMs = Math.max(1, Math.min(statementTimeoutMs, Math.floor(left)));
    let read: TableRead;
    try {
      read = await inReadOnlyTransaction(db, timeoutMs, (session) =>
        readTable(session, engine, table, sampled, { rows: rowsPerTable, timeoutMs, maxValueLength }),
      );
    } catch (error) {
      if (!refusedByServer(error)) {
        throw new SamplingError(`sampling ${schema}.${name} failed: ${describeDriverError(error)}`);
      }
      if (isTimeout(error)) {
        notScanned.push({
          schema,
          table: name,
          reason: timeoutMs < statementTimeoutMs ? 'budget' : 'statement-timeout',
        });
      } else {
        notScanned.push({ schema, table: name, reason: 'error', detail: describeDriverError(error) });
      }
      continue;
    }
    sampled.forEach((column, index) => {
      const values = read.rows.flatMap((row) => {
        const text = asText(row[`c${index}`]);
        return text === undefined ? [] : [text];
      });
      samples.push({
        schema,
        table: name,
        column: column.name,
        dataType: column.dataType,
        values,
        rowsSampled: read.rows.length,
      });
    });
    scanned.push({
      schema,
      table: name,
      method: read.method,
      rowsSampled: read.rows.length,
      columnsSampled: sampled.length,
      estimatedRows: table.estimatedRows,
    });
  }
  return {
    dialect: db.dialect,
    schemas: catalog.schemas,
    tables: catalog.tables,
    samples,
    scanned,
    notScanned,
    skippedColumns,
    durationMs: clock() - started,
  };
}
