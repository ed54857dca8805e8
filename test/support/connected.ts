// One connection for the length of a piece of work, closed whatever the work does: the scenarios that run on
// both engines open theirs through this.
import type { TargetDatabase } from '#shared/database/target';

export async function connected<T>(
  connect: () => Promise<TargetDatabase>,
  work: (db: TargetDatabase) => Promise<T>,
): Promise<T> {
  const db = await connect();
  try {
    return await work(db);
  } finally {
    await db.close();
  }
}
