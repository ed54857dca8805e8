// Loaded with `node --import` into the dms-scheduler program that the command-line tests start against
// moto_server: moto's DMS writes timestamps the JS SDK refuses (see acceptMotoDmsTimestamps), so every DMS
// client the program builds gets the same rewrite the in-process adapter tests use. The program itself is
// unchanged: this file only exists in the tests' child processes, never in a deployment or an operator's run.
import { DatabaseMigrationServiceClient } from '@aws-sdk/client-database-migration-service';
import { acceptMotoDmsTimestamps } from './moto-server.ts';

const rewritten = new WeakSet<DatabaseMigrationServiceClient>();
const send = DatabaseMigrationServiceClient.prototype.send;

DatabaseMigrationServiceClient.prototype.send = function sendThroughMotoRewrite(
  this: DatabaseMigrationServiceClient,
  ...args: Parameters<typeof send>
) {
  if (!rewritten.has(this)) {
    acceptMotoDmsTimestamps(this);
    rewritten.add(this);
  }
  return (send as (...a: Parameters<typeof send>) => ReturnType<typeof send>).apply(this, args);
} as typeof send;
