// TargetDatabase over one MySQL / MariaDB connection (mysql2). One statement per query: multi-statement
// mode stays off, so no value or name can smuggle a second statement in.
import mysql from 'mysql2/promise';
import type { TlsMode } from './postgres.ts';
import type { DatabaseSecret } from './secret.ts';
import type { QueryResult, SqlSession, TargetDatabase } from './target.ts';

export async function connectMysql(secret: DatabaseSecret, tls: TlsMode): Promise<TargetDatabase> {
  const connection = await mysql.createConnection({
    host: secret.host,
    port: secret.port,
    user: secret.username,
    password: secret.password,
    database: secret.database,
    multipleStatements: false,
    ...(tls !== 'off' && { ssl: { rejectUnauthorized: tls === 'verify' } }),
  });
  // A connection the server drops while idle (wait_timeout, failover) is reported as an 'error' event;
  // unheard, it would crash the process. The next query on the connection fails on its own.
  connection.on('error', () => undefined);
  const session: SqlSession = {
    async query<Row>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<Row>> {
      // With values: a server-side prepared statement, so values (a masking salt, say) travel apart from the
      // SQL text and never appear in it, nor in a driver error that quotes it. Without: plain text protocol,
      // which also accepts the statements MySQL cannot prepare.
      const [result] =
        params.length > 0
          ? await connection.execute(sql, params as mysql.ExecuteValues[])
          : await connection.query(sql);
      if (Array.isArray(result)) return { rows: result as Row[], rowCount: result.length };
      return { rows: [], rowCount: 'affectedRows' in result ? result.affectedRows : 0 };
    },
  };
  return {
    dialect: 'mysql',
    database: secret.database,
    query: session.query,
    async transaction(work) {
      await connection.beginTransaction();
      try {
        const result = await work(session);
        await connection.commit();
        return result;
      } catch (error) {
        // The original error is the one worth reporting; a connection too broken to roll back is rolled
        // back by the server when it goes.
        await connection.rollback().catch(() => undefined);
        throw error;
      }
    },
    close: () => connection.end(),
    abort() {
      // mysql2's end() is queued behind the running statement, and its destroy() only half-closes the socket
      // while the running statement still waits for its result. Destroying the socket drops the connection
      // now: the statement waiting on it fails with PROTOCOL_CONNECTION_LOST. The server may finish the
      // running statement, but its transaction can never commit: the client is gone.
      const socket = (connection as unknown as { connection?: { stream?: { destroy(): void } } }).connection
        ?.stream;
      if (socket) socket.destroy();
      else connection.destroy();
    },
  };
}
