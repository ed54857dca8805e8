// Why masking has its own error: a masking failure must be loud and must never leak what it was hiding. The
// message names the table, the column and the step; it never carries data values, SQL parameters or the salt,
// and so it carries no driver error as `cause` either (driver messages and mysql2's `sql` field can quote
// row values). The driver's error code is kept instead, which is enough to look the failure up.

/** Masking a table failed or could not be verified; that table's transaction was rolled back. */
export class MaskingError extends Error {
  override readonly name = 'MaskingError';
  constructor(
    message: string,
    readonly table: string,
    readonly driverCode?: string,
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
