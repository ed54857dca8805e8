// The `sql` hook kind: runs a SQL script from hooks/sql/ against the target database, all statements in one
// transaction, so a failing statement leaves the target as the load left it (on MySQL, DDL such as TRUNCATE
// commits implicitly and cannot be rolled back: keep such statements first, or in a script of their own).
//
// Statements are separated by a line holding exactly `-- statement` instead of by splitting on `;`. Splitting
// on semicolons is only safe with a full lexer per dialect (quotes, dollar-quoted bodies, comments,
// DELIMITER in MySQL); a marker line is dialect-neutral, keeps function bodies intact, and each section is
// sent as exactly one query (MySQL connections refuse multiple statements anyway). A script without marker
// lines is one statement. Scripts take no parameters: they are the team's reviewed code, bundled at build time.
import type { Hook, HookResult } from '../contract.ts';

/** A statement of a `sql` hook failed; the script's transaction was rolled back. */
export class SqlHookError extends Error {
  override readonly name = 'SqlHookError';
}

/**
 * The driver's code and message with quoted literals blanked: MySQL quotes row values in some messages
 * ("Duplicate entry 'ann@example.com'"), and the message goes into logs and alerts. Identifiers PostgreSQL
 * double-quotes stay readable. The driver error is not kept as `cause` for the same reason.
 */
export function redactedDriverMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code =
    typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
      ? `${error.code}: `
      : '';
  return `${code}${message.replace(/'(?:[^']|'')*'/g, "'…'")}`;
}

const MARKER = /^[ \t]*--[ \t]*statement[ \t]*$/i;
/** A section holding nothing but whitespace and `--` comments is not a statement. */
const ONLY_COMMENTS = /^(?:\s|--[^\n]*(?:\n|$))*$/;

/** The script's statements, in order: the sections between `-- statement` lines that hold any SQL. */
export function splitStatements(script: string): string[] {
  const sections: string[][] = [[]];
  for (const line of script.replace(/\r\n?/g, '\n').split('\n')) {
    if (MARKER.test(line)) sections.push([]);
    else sections[sections.length - 1]?.push(line);
  }
  return sections.map((lines) => lines.join('\n').trim()).filter((section) => !ONLY_COMMENTS.test(section));
}

export interface SqlHookOptions {
  readonly name: string;
  /** The script's path as configured (hooks/sql/<name>.sql); labels reports and errors. */
  readonly file: string;
  /** The script's text, bundled at build time. */
  readonly script: string;
  readonly onFailure?: Hook['onFailure'];
  readonly timeoutSeconds?: number;
}

export function sqlHook(options: SqlHookOptions): Hook {
  const statements = splitStatements(options.script);
  return {
    name: options.name,
    ...(options.onFailure && { onFailure: options.onFailure }),
    ...(options.timeoutSeconds !== undefined && { timeoutSeconds: options.timeoutSeconds }),
    async run({ target, log }): Promise<HookResult> {
      if (statements.length === 0) throw new Error(`${options.file} holds no SQL statement`);
      const database = await target();
      const affected = await database.transaction(async (session) => {
        const counts: number[] = [];
        for (const [index, statement] of statements.entries()) {
          try {
            counts.push((await session.query(statement)).rowCount);
          } catch (error) {
            throw new SqlHookError(
              `${options.file} statement ${index + 1} of ${statements.length} failed; the script was rolled back: ${redactedDriverMessage(error)}`,
            );
          }
        }
        return counts;
      });
      log.info('sql hook ran', { hook: options.name, file: options.file, rowsAffected: affected });
      const total = affected.reduce((sum, rows) => sum + rows, 0);
      return {
        changed: `${options.file}: ${statements.length} statement(s), ${total} row(s) affected (${affected
          .map((rows, index) => `#${index + 1}: ${rows}`)
          .join(', ')})`,
      };
    },
  };
}
