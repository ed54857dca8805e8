// Why this file exists: what the sampler sends is decided here, apart from sending it (sample.ts), so that every
// piece of it can be tested without a database: which column types a detector can read and how each is read as
// text, how much of a table PostgreSQL's TABLESAMPLE reads, and the SELECT per table with the engine's own
// statement timeout. The only text in this SQL is catalog-spelled, quoted names and numbers computed here.
import type { Dialect } from '../database/target.ts';
import { quoteIdentifier } from '../masking/catalog.ts';
import type { CatalogColumn, CatalogTable, SampledClass, SampleMethod, SkipReason } from './sample.ts';

const POSTGRES_CLASSES: Readonly<Record<string, SampledClass | SkipReason>> = {
  text: 'text',
  'character varying': 'text',
  character: 'text',
  citext: 'text',
  name: 'text',
  uuid: 'text',
  inet: 'text',
  cidr: 'text',
  macaddr: 'text',
  macaddr8: 'text',
  smallint: 'numeric',
  integer: 'numeric',
  bigint: 'numeric',
  numeric: 'numeric',
  real: 'numeric',
  'double precision': 'numeric',
  money: 'numeric',
  date: 'date',
  'timestamp without time zone': 'date',
  'timestamp with time zone': 'date',
  bytea: 'binary',
  bit: 'binary',
  'bit varying': 'binary',
  json: 'json',
  jsonb: 'json',
  point: 'geometry',
  line: 'geometry',
  lseg: 'geometry',
  box: 'geometry',
  path: 'geometry',
  polygon: 'geometry',
  circle: 'geometry',
  // PostGIS, by type name (information_schema says USER-DEFINED).
  geometry: 'geometry',
  geography: 'geometry',
  box2d: 'geometry',
  box3d: 'geometry',
};

const MYSQL_CLASSES: Readonly<Record<string, SampledClass | SkipReason>> = {
  char: 'text',
  varchar: 'text',
  tinytext: 'text',
  text: 'text',
  mediumtext: 'text',
  longtext: 'text',
  enum: 'text',
  set: 'text',
  tinyint: 'numeric',
  smallint: 'numeric',
  mediumint: 'numeric',
  int: 'numeric',
  integer: 'numeric',
  bigint: 'numeric',
  decimal: 'numeric',
  numeric: 'numeric',
  float: 'numeric',
  double: 'numeric',
  real: 'numeric',
  year: 'numeric',
  date: 'date',
  datetime: 'date',
  timestamp: 'date',
  binary: 'binary',
  varbinary: 'binary',
  tinyblob: 'binary',
  blob: 'binary',
  mediumblob: 'binary',
  longblob: 'binary',
  bit: 'binary',
  json: 'json',
  geometry: 'geometry',
  point: 'geometry',
  linestring: 'geometry',
  polygon: 'geometry',
  multipoint: 'geometry',
  multilinestring: 'geometry',
  multipolygon: 'geometry',
  geometrycollection: 'geometry',
  geomcollection: 'geometry',
};

const SAMPLED: ReadonlySet<string> = new Set<SampledClass>(['text', 'numeric', 'date']);

/** How a column of this type is read, or why it is not. Pure. */
export function classifyType(dialect: Dialect, dataType: string): CatalogColumn['read'] {
  const found = (dialect === 'postgres' ? POSTGRES_CLASSES : MYSQL_CLASSES)[dataType.toLowerCase()];
  if (found === undefined) return { skipped: 'other type' };
  return SAMPLED.has(found) ? { sampled: found as SampledClass } : { skipped: found as SkipReason };
}

/**
 * Below this many estimated rows per row wanted, a table is read with a plain LIMIT: TABLESAMPLE SYSTEM picks
 * whole pages at random, which on a small table returns a few pages or nothing, while a LIMIT there reads a good
 * share of the table anyway.
 */
export const TABLESAMPLE_MIN_RATIO = 10;
/** SYSTEM sampling returns a varying number of rows (whole pages): ask for twice as many, LIMIT trims. */
const TABLESAMPLE_OVERSAMPLING = 2;
/**
 * Pages read at least: each page is in or out as a whole, so a sample of one or two expected pages comes back
 * with nothing as often as not; sixteen make an empty sample vanishingly rare, and cost sixteen page reads.
 */
export const TABLESAMPLE_MIN_PAGES = 16;

/**
 * The percentage of the table's pages TABLESAMPLE SYSTEM should read for about `rowsPerTable` rows (and at
 * least TABLESAMPLE_MIN_PAGES of its `pages`), or undefined when the table is small or its estimate unknown
 * (never analysed: PostgreSQL 14+ says -1, older versions 0) and a plain LIMIT is the better read. Pure.
 */
export function tablesamplePercent(
  estimatedRows: number | null,
  rowsPerTable: number,
  pages = 0,
): number | undefined {
  if (estimatedRows === null || estimatedRows < rowsPerTable * TABLESAMPLE_MIN_RATIO) return undefined;
  const byRows = (100 * rowsPerTable * TABLESAMPLE_OVERSAMPLING) / estimatedRows;
  const percent = Math.max(byRows, pages > 0 ? (100 * TABLESAMPLE_MIN_PAGES) / pages : 0);
  // Six significant digits: a percentage PostgreSQL reads as a numeric constant (2e-7 included).
  return Number(Math.min(100, percent).toPrecision(6));
}

/** The expression that reads one column as text: dates as yyyy-mm-dd, every value cut to `maxLength`. */
function textExpression(dialect: Dialect, column: CatalogColumn, sampled: SampledClass, maxLength: number) {
  const name = quoteIdentifier(dialect, column.name);
  if (dialect === 'postgres') {
    const text =
      sampled === 'date'
        ? `to_char(${name}, 'YYYY-MM-DD')`
        : // host() gives an inet address without its /32 or /128.
          column.dataType === 'inet'
          ? `host(${name})`
          : `${name}::text`;
    return `left(${text}, ${maxLength})`;
  }
  const text = sampled === 'date' ? `DATE_FORMAT(${name}, '%Y-%m-%d')` : `CAST(${name} AS CHAR)`;
  return `LEFT(${text}, ${maxLength})`;
}

/** MySQL and MariaDB differ in how a statement's time is bounded; PostgreSQL sets it per transaction. */
export type Engine = 'postgres' | 'mysql' | 'mariadb';

export interface SampleQuery {
  readonly sql: string;
  readonly method: Exclude<SampleMethod, 'none'>;
}

/**
 * The SELECT that samples a table: only the sampled columns, each read as text under an alias c0, c1 … (so no
 * column name needs to survive as a result key). MySQL bounds the statement itself (MAX_EXECUTION_TIME, in
 * milliseconds; MariaDB SET STATEMENT max_statement_time, in seconds); PostgreSQL by SET LOCAL before it. Pure.
 */
export function sampleQuery(
  engine: Engine,
  table: CatalogTable,
  columns: readonly CatalogColumn[],
  options: {
    readonly rows: number;
    readonly percent?: number;
    readonly timeoutMs: number;
    readonly maxValueLength: number;
  },
): SampleQuery {
  const dialect: Dialect = engine === 'postgres' ? 'postgres' : 'mysql';
  const quote = (name: string) => quoteIdentifier(dialect, name);
  const list = columns
    .map((column, index) => {
      const sampled = 'sampled' in column.read ? column.read.sampled : 'text';
      return `${textExpression(dialect, column, sampled, options.maxValueLength)} AS c${index}`;
    })
    .join(', ');
  const from = `${quote(table.schema)}.${quote(table.table)}`;
  const rows = Math.floor(options.rows);
  if (engine === 'postgres') {
    return options.percent === undefined
      ? { sql: `SELECT ${list} FROM ${from} LIMIT ${rows}`, method: 'limit' }
      : {
          // The sampled pages come back in physical order: without the shuffle, LIMIT would keep the rows of the
          // first few pages only. Sorting what the sample returned (about twice the rows wanted) is cheap.
          sql: `SELECT ${list} FROM ${from} TABLESAMPLE SYSTEM (${options.percent}) ORDER BY random() LIMIT ${rows}`,
          method: 'tablesample',
        };
  }
  const order =
    table.primaryKey.length > 0 ? ` ORDER BY ${table.primaryKey.map((name) => quote(name)).join(', ')}` : '';
  return {
    sql: boundedSelect(engine, `SELECT ${list} FROM ${from}${order} LIMIT ${rows}`, options.timeoutMs),
    method: order === '' ? 'limit' : 'key-order',
  };
}

/**
 * A SELECT bounded by the engine's own statement timeout: MySQL's MAX_EXECUTION_TIME hint (milliseconds),
 * MariaDB's SET STATEMENT max_statement_time (seconds). PostgreSQL's is SET LOCAL, per transaction: unchanged.
 */
export function boundedSelect(engine: Engine, select: string, timeoutMs: number): string {
  const ms = Math.max(1, Math.floor(timeoutMs));
  if (engine === 'mariadb') return `SET STATEMENT max_statement_time=${(ms / 1000).toFixed(3)} FOR ${select}`;
  if (engine === 'mysql') return select.replace(/^SELECT /, `SELECT /*+ MAX_EXECUTION_TIME(${ms}) */ `);
  return select;
}
