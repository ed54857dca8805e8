// Why this file exists: the hooks command opens the team's database with the production adapters
// (shared/database/connect.ts), and a database it cannot reach is bad input like any other (exit 2, nothing
// changed), said in one line. That line names the database as the URL did, without its password, and the
// driver's error by its code only: driver messages can quote what the server was sent.

import { connectTarget } from '#shared/database/connect';
import type { TlsMode } from '#shared/database/postgres';
import type { TargetDatabase } from '#shared/database/target';
import { describeDriverError } from '#shared/hooks/kinds/sql';
import type { DatabaseTarget } from './database-url.ts';
import { InputError } from './input-error.ts';

/** Connects, or throws InputError naming the database (never its password) and the driver's error code. */
export async function openDatabase(target: DatabaseTarget, tls: TlsMode): Promise<TargetDatabase> {
  try {
    return await connectTarget(target.secret, tls);
  } catch (error) {
    throw new InputError(`cannot connect to ${target.display} (TLS ${tls}): ${describeDriverError(error)}`);
  }
}

/** Closes quietly: the command's own outcome is what it reports, and the process ends next. */
export async function closeQuietly(database: TargetDatabase): Promise<void> {
  await database.close().catch(() => database.abort());
}
