// What the masking bench needs from each database engine it measures (PostgreSQL, MariaDB): a server started
// for the run, the same data shape seeded the same way, the statements of the WRITE-FLOOR, HAND and
// ROW-BY-ROW subjects in the engine's SQL, and a way to bring the server back to the same state before every timed
// sample. bench/masking.ts runs the subjects and does the arithmetic; it never writes engine SQL itself.
import type { DatabaseSecret } from '#shared/database/secret';
import type { TargetDatabase } from '#shared/database/target';

export type EngineName = 'postgres' | 'mariadb';

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
 * FLOOR, the same text on both engines: every row's four masked columns set to themselves in one statement,
 * the least an in-place masking UPDATE of the table can cost.
 */
export const floorUpdate = (table: string): string =>
  `UPDATE ${table} SET ${MASKED_COLUMNS.map((column) => `${column} = ${column}`).join(', ')}`;
