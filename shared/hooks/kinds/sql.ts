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

/** A text field of a driver error, if it has one of that type. */
function field(error: unknown, name: string): unknown {
  return typeof error === 'object' && error !== null && name in error
    ? (error as Record<string, unknown>)[name]
    : undefined;
}

/**
 * The driver error's codes only, never its message: messages quote row values in many shapes (MySQL
 * "Duplicate entry 'O'Brien, Ann' for key …", PostgreSQL 'invalid input syntax for type bigint: "+44 …"',
 * "Key (email)=(ann@example.com) already exists"), and no blanking rule catches them all. What is left is the
 * SQLSTATE (PostgreSQL's `code`; MySQL's `sqlState`) and, for MySQL, the error number and its symbolic name
 * (`errno`, `code`: 1062 ER_DUP_ENTRY), which are enough to look the failure up. The driver error is not kept
 * as `cause` for the same reason.
 */
export function describeDriverError(error: unknown): string {
  const code = field(error, 'code');
  const sqlState = field(error, 'sqlState');
  const errno = field(error, 'errno');
  const parts: string[] = [];
  if (typeof errno === 'number') {
    // mysql2: `code` is the symbolic name of `errno`, `sqlState` the SQLSTATE.
    parts.push(
      typeof code === 'string' && /^[A-Z0-9_]+$/.test(code) ? `${code} (errno ${errno})` : `errno ${errno}`,
    );
    if (typeof sqlState === 'string' && /^[0-9A-Z]{5}$/.test(sqlState)) parts.push(`SQLSTATE ${sqlState}`);
  } else if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) {
    // node-postgres: `code` is the SQLSTATE.
    parts.push(`SQLSTATE ${code}`);
  } else if (typeof code === 'string' && /^[A-Z0-9_]+$/.test(code)) {
    // A client-side failure (ECONNRESET, PROTOCOL_CONNECTION_LOST …).
    parts.push(code);
  }
  const kind = error instanceof Error ? error.name : typeof error;
  return parts.length > 0 ? parts.join(', ') : `${kind} without an error code (message withheld)`;
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
              `${options.file} statement ${index + 1} of ${statements.length} failed; the script was rolled back: ${describeDriverError(error)}`,
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
