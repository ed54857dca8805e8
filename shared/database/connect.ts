// Opens the target database a secret describes, with the driver for its engine. The drivers are loaded on
// first use, not at cold start: most invocations (started, duplicate and reconcile notices) never connect.
import type { TlsMode } from './postgres.ts';
import type { DatabaseSecret } from './secret.ts';
import type { TargetDatabase } from './target.ts';

export async function connectTarget(secret: DatabaseSecret, tls: TlsMode): Promise<TargetDatabase> {
  if (secret.dialect === 'postgres') return (await import('./postgres.ts')).connectPostgres(secret, tls);
  return (await import('./mysql.ts')).connectMysql(secret, tls);
}
