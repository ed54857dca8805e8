// The DMS adapter's stop: StopReplicationTask for exactly our task; a refusal (a client fault that is not
// throttling, e.g. the task is not running) becomes StopRefusedError, for `stop` to read the task before it
// believes it; throttling and server faults pass through untouched (whether the stop applied is unknown).
import {
  DatabaseMigrationServiceClient,
  DatabaseMigrationServiceServiceException,
  InvalidResourceStateFault,
  StopReplicationTaskCommand,
} from '@aws-sdk/client-database-migration-service';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DmsTaskControl } from '#shared/dms/dms-task-control';
import { StopRefusedError } from '#shared/errors';
import { rejection } from '../../support/rejection.ts';

const dms = mockClient(DatabaseMigrationServiceClient);
const control = new DmsTaskControl(new DatabaseMigrationServiceClient({ region: 'us-east-1' }));
const TASK_ARN = 'arn:aws:dms:us-east-1:123456789012:task:ABCDEFGHIJKLMNOPQRSTUVWXYZ';

beforeEach(() => dms.reset());

describe('DmsTaskControl.stop', () => {
  it('asks DMS to stop exactly this task', async () => {
    dms.on(StopReplicationTaskCommand).resolves({});
    await control.stop(TASK_ARN);
    expect(dms).toHaveReceivedCommandWith(StopReplicationTaskCommand, { ReplicationTaskArn: TASK_ARN });
  });

  it('a refusal (InvalidResourceStateFault) is a StopRefusedError with what DMS said', async () => {
    dms
      .on(StopReplicationTaskCommand)
      .rejects(new InvalidResourceStateFault({ $metadata: {}, message: 'Replication task is not running' }));
    const error = (await rejection(control.stop(TASK_ARN))) as Error;
    expect(error).toBeInstanceOf(StopRefusedError);
    expect(error.message).toBe('InvalidResourceStateFault: Replication task is not running');
  });

  it.each([
    ['throttling', 'ThrottlingException', 'client'],
    ['a server fault', 'InternalFailure', 'server'],
  ] as const)('%s passes through as it is', async (_case, name, fault) => {
    const failure = new DatabaseMigrationServiceServiceException({
      name,
      $fault: fault,
      $metadata: {},
      message: name,
    });
    dms.on(StopReplicationTaskCommand).rejects(failure);
    const error = await rejection(control.stop(TASK_ARN));
    expect(error).not.toBeInstanceOf(StopRefusedError);
    expect((error as Error).name).toBe(name);
  });
});
