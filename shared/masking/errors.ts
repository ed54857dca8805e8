// Why masking has its own error: a masking failure must be loud and must never leak what it was hiding. The
// message names the table, the column and the step; it never carries data values, SQL parameters or the salt,
// and so it carries no driver error as `cause` either (driver messages and mysql2's `sql` field can quote
// row values). The driver's error code is kept instead, which is enough to look the failure up.

/** The unique index a duplicate violated, from the error's structured fields and the catalog, never its text. */
export interface UniqueViolation {
  /** The index or constraint, when it is known; several candidates when the engine does not say which. */
  readonly constraints: readonly string[];
  /** The columns of those indexes. */
  readonly columns: readonly string[];
}

/** Masking a table failed or could not be verified; that table's transaction was rolled back. */
export class MaskingError extends Error {
  override readonly name = 'MaskingError';
  constructor(
    message: string,
    readonly table: string,
    readonly driverCode?: string,
    readonly unique?: UniqueViolation,
  ) {
    super(message);
  }
}

/** The driver's error code (SQLSTATE for PostgreSQL, ER_* for MySQL) without its message, which may hold data. */
export function driverErrorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  const code = (error as { code: unknown }).code;
  return typeof code === 'string' && /^[A-Z0-9_]{1,64}$/.test(code) ? code : undefined;
}

/** A name the catalog could spell: printed as is only when it cannot carry anything but a name. */
const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_$]{0,62}$/;

/** Is this driver error a unique violation (PostgreSQL 23505, MySQL/MariaDB errno 1062 ER_DUP_ENTRY)? */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = driverErrorCode(error);
  return code === '23505' || code === 'ER_DUP_ENTRY' || (error as { errno?: unknown }).errno === 1062;
}

/**
 * The unique index a duplicate violated. PostgreSQL's error carries it as `constraint` (a structured field);
 * mysql2 does not (the key name is only in the message, next to the duplicated value), so there the candidates
 * are the catalog's unique indexes over the columns the failing statement wrote.
 */
export function uniqueViolation(
  error: unknown,
  indexes: readonly { readonly name: string; readonly columns: readonly string[] }[],
  written: readonly string[],
): UniqueViolation {
  const constraint =
    typeof error === 'object' && error !== null && 'constraint' in error
      ? (error as { constraint: unknown }).constraint
      : undefined;
  if (typeof constraint === 'string') {
    const known = indexes.find((index) => index.name === constraint);
    if (known) return { constraints: [known.name], columns: known.columns };
    // An index the pre-flight did not see (created since); its name is still only a name.
    return { constraints: PLAIN_NAME.test(constraint) ? [constraint] : [], columns: [] };
  }
  const candidates = indexes.filter((index) => index.columns.some((column) => written.includes(column)));
  return {
    constraints: candidates.map((index) => index.name),
    columns: [...new Set(candidates.flatMap((index) => index.columns))],
  };
}

/** `unique index customers_email_key (email)`, `one of unique indexes a (x), b (y)` or `a unique index`. */
export function describeUniqueViolation(
  violation: UniqueViolation,
  indexes: readonly { readonly name: string; readonly columns: readonly string[] }[],
): string {
  const described = violation.constraints.map((name) => {
    const columns = indexes.find((index) => index.name === name)?.columns ?? [];
    return columns.length > 0 ? `${name} (${columns.join(', ')})` : name;
  });
  if (described.length === 0) return 'a unique index';
  if (described.length === 1) return `unique index ${described[0]}`;
  return `one of unique indexes ${described.join(', ')}`;
}
