// Why this file exists: the functions and the command line are given one ARN and must talk to DMS about it
// the right way: a replication task through the task API, a Serverless replication config through the
// replication API. The choice is made here, from the ARN's kind, and nowhere else.
import type { DatabaseMigrationServiceClient } from '@aws-sdk/client-database-migration-service';
import { resourceKindOf } from './arn.ts';
import { DmsTaskControl } from './dms-task-control.ts';
import { DmsServerlessControl } from './serverless-control.ts';
import type { TaskControl, TaskStopper } from './task.ts';

export function taskControlFor(client: DatabaseMigrationServiceClient, arn: string): TaskControl {
  return taskOperatorFor(client, arn);
}

/** The same, able to stop it too: for the command line's `stop`, never handed to a function. */
export function taskOperatorFor(
  client: DatabaseMigrationServiceClient,
  arn: string,
): TaskControl & TaskStopper {
  return resourceKindOf(arn) === 'replication-config'
    ? new DmsServerlessControl(client)
    : new DmsTaskControl(client);
}
