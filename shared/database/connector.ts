// Opens the target database a secret describes, with the driver for its engine, given how to load each
// driver. The drivers are loaded on first use, not at cold start: most invocations (started, duplicate and
// reconcile notices) never connect. connect.ts loads them from source; the post-processor's bundle from
// bundles of their own (functions/post-processor/lazy/), so pg and mysql2 are not even parsed until then.
import type { connectMysql } from './mysql.ts';
import type { connectPostgres, TlsMode } from './postgres.ts';
import type { DatabaseSecret } from './secret.ts';
import type { TargetDatabase } from './target.ts';

export interface TargetDrivers {
  readonly postgres: () => Promise<{ readonly connectPostgres: typeof connectPostgres }>;
  readonly mysql: () => Promise<{ readonly connectMysql: typeof connectMysql }>;
}

export type ConnectTarget = (secret: DatabaseSecret, tls: TlsMode) => Promise<TargetDatabase>;

export function targetConnector(drivers: TargetDrivers): ConnectTarget {
  return async (secret, tls) => {
    if (secret.dialect === 'postgres') return (await drivers.postgres()).connectPostgres(secret, tls);
    return (await drivers.mysql()).connectMysql(secret, tls);
  };
}
