// What the masking bench needs from each database engine it measures (PostgreSQL, MariaDB): a server started
// for the run, the same data shapes seeded the same way (the four-column table, and the one-column tables of the
// per-strategy section), the statements of the WRITE-FLOOR, HAND and ROW-BY-ROW subjects in the engine's SQL,
// and a way to bring the server back to the same state before every timed sample. bench/masking.ts and
// bench/masking-strategies.ts run the subjects and do the arithmetic; they never write engine SQL themselves.
import type { DatabaseSecret } from '#shared/database/secret';
import type { TargetDatabase } from '#shared/database/target';

export type EngineName = 'postgres' | 'mariadb';

/**
 * What the one value column of a per-strategy table holds (bench/masking-strategies.ts), the same on every
 * engine: e-mail addresses, phone numbers (+1 555 0123456), card numbers (16 digits in groups of four), first
 * names, last names (the masking dictionaries' own), "First Last", free text with an e-mail address, a phone
 * number and a card number inside, numeric(12,2) amounts, or dates.
 */
export const VALUE_SHAPES = [
  'email',
  'phone',
  'card',
  'first-name',
  'last-name',
  'full-name',
  'free-text',
  'amount',
  'date',
] as const;
export type ValueShape = (typeof VALUE_SHAPES)[number];

/** The column of a per-strategy table that the strategy masks. */
export const VALUE_COLUMN = 'value';

export interface BoundStatement {
  readonly sql: string;
  readonly params: readonly unknown[];
}

export interface MaskingBenchEngine {
  readonly name: EngineName;
  /** Engine and version as the server reports it, and where the server comes from. */
  readonly title: string;
  /** What `settle` does, for the printed method line. */
  readonly settleSteps: string;
  /** The masking role's connection: every subject but ROW-BY-ROW runs on it. */
  readonly db: TargetDatabase;
  /** The same role's credentials, for the connections opened through the latency proxy. */
  readonly secret: DatabaseSecret;
  /** What could not be done as planned (a best-effort step skipped), to print under the figures. */
  readonly notes: readonly string[];
  /** Opens another connection of the masking role with the engine's driver (ROW-BY-ROW, through the proxy). */
  connect(secret: DatabaseSecret): Promise<TargetDatabase>;
  /**
   * Drops and creates `table` (id bigint primary key, email, first_name, phone, birth_date, and an unmasked
   * balance) holding rows 1..`rows`, generated in the database from the row number, identical on every call.
   */
  seed(table: string, rows: number): Promise<void>;
  /**
   * Drops and creates `table` (id bigint primary key, and a nullable VALUE_COLUMN of the type `shape` needs)
   * holding rows 1..`rows`, generated in the database from the row number, identical on every call.
   */
  seedValues(table: string, shape: ValueShape, rows: number): Promise<void>;
  /**
   * False where the engine writes nothing for a row an UPDATE leaves unchanged (MariaDB), so that a no-op UPDATE
   * lies below the cost of writing: the per-strategy section then measures a WRITE-FLOOR too.
   */
  readonly writesUnchangedRows: boolean;
  /**
   * The per-strategy WRITE-FLOOR: the cheapest UPDATE that changes VALUE_COLUMN in every row without growing it
   * (text reversed, an amount one more, a date a day on).
   */
  valueWriteFloorUpdate(table: string, shape: ValueShape): string;
  /** Statistics, visibility and dirty pages brought to the same state before a timed sample. */
  settle(table: string): Promise<void>;
  /**
   * WRITE-FLOOR: the cheapest UPDATE that changes all four columns of every row (texts reversed, the date a day
   * on). FLOOR's no-op may be skipped by the engine (MariaDB writes no row left unchanged); this one cannot be.
   */
  writeFloorUpdate(table: string): string;
  /** The tool's four expressions written by hand as one UPDATE, the salt (or derived key) bound. */
  handUpdate(table: string, salt: string): BoundStatement;
  /** One row's four masked columns set by key; parameters: email, first_name, phone, birth_date, id. */
  rowUpdate(table: string): string;
  stop(): Promise<void>;
}

/** The masked columns the subjects read and write, in the order rowUpdate takes them. */
export const MASKED_COLUMNS = ['email', 'first_name', 'phone', 'birth_date'] as const;

/**
 * FLOOR, the same text on both engines: every row's masked columns (by default the four of the four-column
 * table) set to themselves in one statement, the least an in-place masking UPDATE of the table can cost.
 */
export const floorUpdate = (table: string, columns: readonly string[] = MASKED_COLUMNS): string =>
  `UPDATE ${table} SET ${columns.map((column) => `${column} = ${column}`).join(', ')}`;
