// The target database as hooks see it: one connection, parameterised queries, and a transaction helper.
// PostgreSQL and MySQL/MariaDB (Aurora of both included) implement it; masking and SQL hooks speak only to
// this port, so the same logic runs against either engine with SQL generated for its dialect.

export type Dialect = 'postgres' | 'mysql';

export interface QueryResult<Row> {
  readonly rows: Row[];
  /** Rows returned or changed, as the driver reports them. */
  readonly rowCount: number;
}

export interface SqlSession {
  /** Placeholders are `$1, $2 …` for PostgreSQL and `?` for MySQL; values are always sent as parameters. */
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>>;
}

export interface TargetDatabase extends SqlSession {
  readonly dialect: Dialect;
  /** The database (MySQL: schema) the connection is in. */
  readonly database: string;
  /** Runs `work` in one transaction: committed if it resolves, rolled back if it throws. */
  transaction<T>(work: (session: SqlSession) => Promise<T>): Promise<T>;
  /** Ends the connection politely: waits for a running statement to finish (mysql2 queues behind it). */
  close(): Promise<void>;
  /**
   * Drops the connection at once, without waiting for a running statement; a statement still waiting on the
   * connection fails. The server may go on to finish the running statement, but its transaction can never
   * commit once the client is gone: the server rolls it back when it finds the connection closed.
   */
  abort(): void;
}
