// Loaded with `node --import` (after moto-dms-preload.ts) into the program the definitions tests start: every
// DMS command the program sends is appended, by name, to the file DMS_CALL_LOG names. The tests read it to
// prove what a command did not do: `import --plan` and a repeated import send no Create, Modify or Delete,
// and a folder that fails validation sends nothing at all. It only exists in the tests' child processes.
import { appendFileSync } from 'node:fs';
import { DatabaseMigrationServiceClient } from '@aws-sdk/client-database-migration-service';

const log = process.env.DMS_CALL_LOG;
const send = DatabaseMigrationServiceClient.prototype.send;

if (log) {
  DatabaseMigrationServiceClient.prototype.send = function sendAndRecord(
    this: DatabaseMigrationServiceClient,
    ...args: Parameters<typeof send>
  ) {
    appendFileSync(log, `${args[0].constructor.name.replace(/Command$/, '')}\n`);
    return (send as (...a: Parameters<typeof send>) => ReturnType<typeof send>).apply(this, args);
  } as typeof send;
}
