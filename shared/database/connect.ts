// Opens the target database a secret describes, with the driver for its engine.
import { connectMysql } from './mysql.ts';
import { connectPostgres, type TlsMode } from './postgres.ts';
import type { DatabaseSecret } from './secret.ts';
import type { TargetDatabase } from './target.ts';

export function connectTarget(secret: DatabaseSecret, tls: TlsMode): Promise<TargetDatabase> {
  return secret.dialect === 'postgres' ? connectPostgres(secret, tls) : connectMysql(secret, tls);
}
