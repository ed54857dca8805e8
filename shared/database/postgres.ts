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
        await client.query('ROLLBACK');
        throw error;
      }
    },
    close: () => client.end(),
  };
}
