// TargetDatabase over one PostgreSQL connection (node-postgres). TLS is verified against the trust store
// unless told otherwise; in Lambda, NODE_EXTRA_CA_CERTS=/var/runtime/ca-cert.pem adds the RDS certificates.
import pg from 'pg';
import type { DatabaseSecret } from './secret.ts';
import type { QueryResult, SqlSession, TargetDatabase } from './target.ts';

export type TlsMode = 'verify' | 'require' | 'off';

export async function connectPostgres(secret: DatabaseSecret, tls: TlsMode): Promise<TargetDatabase> {
  const client = new pg.Client({
    host: secret.host,
    port: secret.port,
    user: secret.username,
    password: secret.password,
    database: secret.database,
    ssl: tls === 'off' ? false : { rejectUnauthorized: tls === 'verify' },
    application_name: 'dms-scheduler',
  });
  // A connection the server drops while idle (failover, pg_terminate_backend) is reported as an 'error'
  // event; unheard, it would crash the process. The next query on the client fails on its own.
  client.on('error', () => undefined);
  await client.connect();
  const session: SqlSession = {
    async query<Row>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<Row>> {
      const result = await client.query(sql, [...params]);
      return { rows: result.rows as Row[], rowCount: result.rowCount ?? 0 };
    },
  };
  return {
    dialect: 'postgres',
    database: secret.database,
    query: session.query,
    async transaction(work) {
      await client.query('BEGIN');
      try {
        const result = await work(session);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        // The original error is the one worth reporting; a connection too broken to roll back is rolled
        // back by the server when it goes.
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    },
    close: () => client.end(),
    abort() {
      // node-postgres has no public "destroy": end() marks the client as ending (so the dropped socket is not
      // reported as an unexpected 'error'), and destroying the socket drops the connection now instead of
      // after the running statement. Queries still waiting on it fail with "Connection terminated". The
      // server may finish the running statement, but its transaction can never commit: the client is gone.
      client.end().catch(() => undefined);
      client.connection.stream.destroy();
    },
  };
}
