// Why this file exists: "where is the personal data in this database?" is asked twice: by a team writing its
// first masking configuration (the hooks command's `discover`), and after every masking run by the drift guard
// (is there PII that no rule covers?). Both ask it here: the sampler reads the catalog and a bounded sample
// (sample.ts), the scorer judges each column (score.ts), and the report says what was found and, as plainly,
// what was not looked at (tables the budget did not reach, columns of types no detector reads). The report holds
// counts, names and rules only, never a sampled value: it is printed, logged and alerted. `coveredColumns` tells
// which findings a masking configuration already masks, resolving table names the way the masking catalog does.
import type { Dialect, TargetDatabase } from '../database/target.ts';
import type { MaskingRules, Strategy } from '../masking/rules.ts';
import {
  type CatalogTable,
  type NotScannedTable,
  type SampleOptions,
  type ScannedTable,
  type SkippedColumn,
  sampleDatabase,
} from './sample.ts';
import { REPORT_THRESHOLD, scoreColumn } from './score.ts';
import type { Finding } from './types.ts';

export interface DiscoveryOptions extends SampleOptions {
  /** The day birth dates are judged against (ages); default today. */
  readonly now?: Date;
}

export interface DiscoveryReport {
  readonly dialect: Dialect;
  readonly database: string;
  /** The schemas looked in (MySQL: databases), as the catalog spells them. */
  readonly schemas: readonly string[];
  /** The score a column's best kind must reach to be reported. */
  readonly threshold: number;
  /** Sorted by schema, table, column. */
  readonly findings: readonly Finding[];
  readonly tablesScanned: readonly ScannedTable[];
  /** Tables the budget did not reach, or whose read the database refused: not judged by content at all. */
  readonly tablesNotScanned: readonly NotScannedTable[];
  /** Columns of types no detector reads (binary, JSON, geometry …): judged by nothing. */
  readonly columnsSkipped: readonly SkippedColumn[];
  readonly columnsSampled: number;
  readonly rowsSampled: number;
  readonly durationMs: number;
  /** The catalog as read (names, types, primary keys; no value): what a suggestion needs to fit the columns. */
  readonly catalog: readonly CatalogTable[];
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Orders findings by schema, table, column: the order every report and suggestion lists them in. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) => compare(a.schema, b.schema) || compare(a.table, b.table) || compare(a.column, b.column),
  );
}

/**
 * Samples the database and scores every sampled column. Throws what the sampler throws (UnknownSchemaError,
 * SamplingError); a table it could not read is in `tablesNotScanned`.
 */
export async function discoverPii(
  db: TargetDatabase,
  options: DiscoveryOptions = {},
): Promise<DiscoveryReport> {
  const sample = await sampleDatabase(db, options);
  const now = options.now ?? new Date();
  const findings = sample.samples.flatMap((column) => {
    const finding = scoreColumn(column, now);
    return finding !== undefined && finding.score >= REPORT_THRESHOLD ? [finding] : [];
  });
  return {
    dialect: sample.dialect,
    database: db.database,
    schemas: sample.schemas,
    threshold: REPORT_THRESHOLD,
    findings: sortFindings(findings),
    tablesScanned: sample.scanned,
    tablesNotScanned: sample.notScanned,
    columnsSkipped: sample.skippedColumns,
    columnsSampled: sample.samples.length,
    rowsSampled: sample.scanned.reduce((sum, table) => sum + table.rowsSampled, 0),
    durationMs: sample.durationMs,
    catalog: sample.tables,
  };
}

/** A column as the catalog spells it. */
export interface ColumnRef {
  readonly schema: string;
  readonly table: string;
  readonly column: string;
}

/** How a masking configuration covers a column. */
export interface Coverage {
  /** The strategy that masks the column; a truncated table's columns count as masked by `null`. */
  readonly strategy: Strategy;
  /** The position of the covering rule in the `tables` array. */
  readonly rule: number;
  readonly truncated: boolean;
  /** The rule has a `where`: it masks only the rows the filter selects. */
  readonly filtered: boolean;
}

/**
 * Which rule of `rules` masks a column, if any. Tables are named `schema.table` or `table` in the default schema
 * (`public` on PostgreSQL, the connection's database on MySQL), and names compare as the masking catalog
 * resolves them: the exact spelling, or else regardless of case (PostgreSQL folds unquoted names; a rule whose
 * name matches two columns that differ only in case is refused by the pre-flight before it could mask either).
 * The first rule that names the column covers it, as the first to mask it would.
 */
export function coveredColumns(
  rules: MaskingRules,
  dialect: Dialect,
  database: string,
): (column: ColumnRef) => Coverage | undefined {
  const defaultSchema = dialect === 'postgres' ? 'public' : database;
  const named = rules.map((rule, index) => {
    const [first = '', second] = rule.table.split('.');
    const [schema, table] = second === undefined ? [defaultSchema, first] : [first, second];
    return { rule, index, schema, table };
  });
  const matches = (wanted: string, actual: string) =>
    wanted === actual || wanted.toLowerCase() === actual.toLowerCase();
  return (column) => {
    for (const { rule, index, schema, table } of named) {
      if (!matches(schema, column.schema) || !matches(table, column.table)) continue;
      if (rule.truncate)
        return { strategy: { strategy: 'null' }, rule: index, truncated: true, filtered: false };
      const columns = Object.entries(rule.columns ?? {});
      const entry =
        columns.find(([name]) => name === column.column) ??
        columns.find(([name]) => name.toLowerCase() === column.column.toLowerCase());
      if (entry)
        return { strategy: entry[1], rule: index, truncated: false, filtered: rule.where !== undefined };
    }
    return undefined;
  };
}
