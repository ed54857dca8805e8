// The DMS adapter: it must ask DescribeReplicationTasks for exactly our task, map every field the domain
// decides on, turn a missing task into TaskMismatchError and DMS's "first run only" answer into
// FirstRunOnlyError (which the starter retries on), a start DMS refused (a client fault that is neither
// throttling nor "not startable now") into StartRefusedError, and pass every other error through untouched:
// a throttled, failed, unanswered or retried start may still have been applied, and is no refusal.
import {
  AccessDeniedFault,
  DatabaseMigrationServiceClient,
  DatabaseMigrationServiceServiceException,
  DescribeReplicationTasksCommand,
  InvalidResourceStateFault,
  type ReplicationTask,
  ResourceNotFoundFault,
  StartReplicationTaskCommand,
} from '@aws-sdk/client-database-migration-service';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DmsTaskControl, toSnapshot } from '#shared/dms/dms-task-control';
import { FirstRunOnlyError, StartRefusedError, TaskMismatchError } from '#shared/errors';
import { rejection } from '../../support/rejection.ts';

const dms = mockClient(DatabaseMigrationServiceClient);
const control = new DmsTaskControl(new DatabaseMigrationServiceClient({ region: 'us-east-1' }));

const TASK_ARN = 'arn:aws:dms:us-east-1:123456789012:task:ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const FIRST_RUN_ONLY = 'Start Type : START_REPLICATION, valid only for tasks running for the first time';

const STARTED = new Date('2026-11-23T00:00:05Z');
const LOADED = new Date('2026-11-23T00:40:00Z');
const STOPPED = new Date('2026-11-23T00:41:07Z');

const FULL_TASK: ReplicationTask = {
  ReplicationTaskArn: TASK_ARN,
  ReplicationTaskIdentifier: 'nightly-refresh',
  Status: 'stopped',
  MigrationType: 'full-load',
  StopReason: 'Stop Reason FULL_LOAD_ONLY_FINISHED',
  LastFailureMessage: 'Last Error none',
  ReplicationTaskStartDate: STARTED,
  ReplicationInstanceArn: 'arn:aws:dms:us-east-1:123456789012:rep:NIGHTLYINSTANCE',
  SourceEndpointArn: 'arn:aws:dms:us-east-1:123456789012:endpoint:PRODSOURCE',
  TargetEndpointArn: 'arn:aws:dms:us-east-1:123456789012:endpoint:STAGINGTARGET',
  ReplicationTaskStats: {
    FullLoadProgressPercent: 100,
    TablesLoaded: 12,
    TablesLoading: 0,
    TablesQueued: 0,
    TablesErrored: 1,
    ElapsedTimeMillis: 2_462_000,
    StartDate: STARTED,
    FreshStartDate: STARTED,
    FullLoadStartDate: STARTED,
    FullLoadFinishDate: LOADED,
    StopDate: STOPPED,
  },
};

beforeEach(() => {
  dms.reset();
});

describe('describe', () => {
  it('asks for exactly our task, without its settings', async () => {
    dms.on(DescribeReplicationTasksCommand).resolves({ ReplicationTasks: [FULL_TASK] });
    await control.describe(TASK_ARN);
    expect(dms).toHaveReceivedCommandTimes(DescribeReplicationTasksCommand, 1);
    expect(dms).toHaveReceivedCommandWith(DescribeReplicationTasksCommand, {
      Filters: [{ Name: 'replication-task-arn', Values: [TASK_ARN] }],
      WithoutSettings: true,
    });
  });

  it('maps every field the domain uses into the snapshot', async () => {
    dms.on(DescribeReplicationTasksCommand).resolves({ ReplicationTasks: [FULL_TASK] });
    expect(await control.describe(TASK_ARN)).toStrictEqual({
      arn: TASK_ARN,
      identifier: 'nightly-refresh',
      status: 'stopped',
      migrationType: 'full-load',
      stopReason: 'Stop Reason FULL_LOAD_ONLY_FINISHED',
      lastFailureMessage: 'Last Error none',
      lastStartDate: STARTED,
      replicationInstanceArn: 'arn:aws:dms:us-east-1:123456789012:rep:NIGHTLYINSTANCE',
      sourceEndpointArn: 'arn:aws:dms:us-east-1:123456789012:endpoint:PRODSOURCE',
      targetEndpointArn: 'arn:aws:dms:us-east-1:123456789012:endpoint:STAGINGTARGET',
      stats: {
        fullLoadProgressPercent: 100,
        tablesLoaded: 12,
        tablesLoading: 0,
        tablesQueued: 0,
        tablesErrored: 1,
        elapsedTimeMillis: 2_462_000,
        startDate: STARTED,
        freshStartDate: STARTED,
        fullLoadStartDate: STARTED,
        fullLoadFinishDate: LOADED,
        stopDate: STOPPED,
      },
    });
  });

  it('picks our task out of a longer answer', async () => {
    const other: ReplicationTask = { ...FULL_TASK, ReplicationTaskArn: `${TASK_ARN}X`, Status: 'running' };
    dms.on(DescribeReplicationTasksCommand).resolves({ ReplicationTasks: [other, FULL_TASK] });
    expect((await control.describe(TASK_ARN)).status).toBe('stopped');
  });

  it.each([
    ['an empty list', { ReplicationTasks: [] }],
    ['no list at all', {}],
    ['only another task', { ReplicationTasks: [{ ...FULL_TASK, ReplicationTaskArn: `${TASK_ARN}X` }] }],
  ])('answers TaskMismatchError when DMS returns %s', async (_, answer) => {
    dms.on(DescribeReplicationTasksCommand).resolves(answer);
    const error = await rejection(control.describe(TASK_ARN));
    expect(error).toBeInstanceOf(TaskMismatchError);
    expect(error).toHaveProperty('message', `Replication task ${TASK_ARN} does not exist`);
  });

  it('answers TaskMismatchError, keeping the cause, when DMS says ResourceNotFoundFault', async () => {
    const fault = new ResourceNotFoundFault({ message: 'No Replication Tasks found', $metadata: {} });
    dms.on(DescribeReplicationTasksCommand).rejects(fault);
    const error = await rejection(control.describe(TASK_ARN));
    expect(error).toBeInstanceOf(TaskMismatchError);
    expect(error).toHaveProperty('cause', fault);
  });

  it('passes any other error through unchanged', async () => {
    const fault = new InvalidResourceStateFault({ message: 'busy', $metadata: {} });
    dms.on(DescribeReplicationTasksCommand).rejects(fault);
    expect(await rejection(control.describe(TASK_ARN))).toBe(fault);
  });
});

describe('toSnapshot', () => {
  it('marks what DMS left out instead of inventing it', () => {
    expect(toSnapshot({})).toStrictEqual({
      arn: '',
      identifier: '',
      status: 'unknown',
      migrationType: 'unknown',
      stopReason: undefined,
      lastFailureMessage: undefined,
      lastStartDate: undefined,
      replicationInstanceArn: undefined,
      sourceEndpointArn: undefined,
      targetEndpointArn: undefined,
      stats: undefined,
    });
  });

  it('keeps a status it does not know as DMS wrote it', () => {
    expect(toSnapshot({ ...FULL_TASK, Status: 'paused-for-upgrade' }).status).toBe('paused-for-upgrade');
  });
});

describe('start', () => {
  beforeEach(() => {
    dms.on(StartReplicationTaskCommand).resolves({});
  });

  it.each([
    'start-replication',
    'reload-target',
    'resume-processing',
  ] as const)('sends the start type %s and no CDC start point unless asked', async (startType) => {
    await control.start({ taskArn: TASK_ARN, startType });
    expect(dms).toHaveReceivedCommandExactlyOnceWith(StartReplicationTaskCommand, {
      ReplicationTaskArn: TASK_ARN,
      StartReplicationTaskType: startType,
    });
    const input = dms.commandCalls(StartReplicationTaskCommand)[0]?.args[0].input;
    expect(input?.CdcStartTime).toBeUndefined();
    expect(input?.CdcStartPosition).toBeUndefined();
  });

  it('sends a CDC start time', async () => {
    const cdcStartTime = new Date('2026-11-22T23:30:00Z');
    await control.start({ taskArn: TASK_ARN, startType: 'start-replication', cdcStartTime });
    expect(dms).toHaveReceivedCommandWith(StartReplicationTaskCommand, {
      ReplicationTaskArn: TASK_ARN,
      StartReplicationTaskType: 'start-replication',
      CdcStartTime: cdcStartTime,
    });
  });

  it('sends a CDC start position', async () => {
    const cdcStartPosition = 'mysql-bin-changelog.000024:373';
    await control.start({ taskArn: TASK_ARN, startType: 'start-replication', cdcStartPosition });
    expect(dms).toHaveReceivedCommandWith(StartReplicationTaskCommand, {
      ReplicationTaskArn: TASK_ARN,
      StartReplicationTaskType: 'start-replication',
      CdcStartPosition: cdcStartPosition,
    });
  });

  it.each([
    FIRST_RUN_ONLY,
    'Start Type : START_REPLICATION, valid only for replications running for the first time',
  ])('turns InvalidParameterCombinationException %j into FirstRunOnlyError, keeping the cause', async (message) => {
    const refused = new DatabaseMigrationServiceServiceException({
      name: 'InvalidParameterCombinationException',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
      message,
    });
    dms.on(StartReplicationTaskCommand).rejects(refused);
    const error = await rejection(control.start({ taskArn: TASK_ARN, startType: 'start-replication' }));
    expect(error).toBeInstanceOf(FirstRunOnlyError);
    expect(error).toHaveProperty('message', message);
    expect(error).toHaveProperty('cause', refused);
  });

  it.each([
    [
      'InvalidResourceStateFault (a failed connection test)',
      new InvalidResourceStateFault({
        message:
          'Test connection for replication instance ri-1 and endpoint ep-1 should be successful for starting the replication task',
        $metadata: {},
      }),
    ],
    [
      'another InvalidParameterCombinationException',
      new DatabaseMigrationServiceServiceException({
        name: 'InvalidParameterCombinationException',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
        message: 'CdcStartTime and CdcStartPosition cannot both be specified',
      }),
    ],
    ['ResourceNotFoundFault', new ResourceNotFoundFault({ message: 'not found', $metadata: {} })],
    ['AccessDeniedFault', new AccessDeniedFault({ message: 'not authorized', $metadata: {} })],
  ])('turns the client fault %s into StartRefusedError: DMS said no', async (_, fault) => {
    dms.on(StartReplicationTaskCommand).rejects(fault);
    const error = await rejection(control.start({ taskArn: TASK_ARN, startType: 'reload-target' }));
    expect(error).toBeInstanceOf(StartRefusedError);
    expect(error).toHaveProperty('message', `${fault.name}: ${fault.message}`);
    expect(error).toHaveProperty('cause', fault);
  });

  const clientFault = (name: string) =>
    new DatabaseMigrationServiceServiceException({
      name,
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
      message: 'Rate exceeded',
    });

  it.each<[string, Error]>([
    ['the throttling client fault ThrottlingException', clientFault('ThrottlingException')],
    ['the throttling client fault Throttling', clientFault('Throttling')],
    ['the throttling client fault TooManyRequestsException', clientFault('TooManyRequestsException')],
    ['the throttling client fault RequestLimitExceeded', clientFault('RequestLimitExceeded')],
    [
      'a server fault',
      new DatabaseMigrationServiceServiceException({
        name: 'InternalFailure',
        $fault: 'server',
        $metadata: { httpStatusCode: 500 },
        message: 'We encountered an internal error',
      }),
    ],
    // What DMS answers to the SDK's retry of a start whose first attempt went through.
    [
      'InvalidResourceStateFault "invalid state"',
      new InvalidResourceStateFault({
        message: 'Replication Task cannot be started, invalid state',
        $metadata: {},
      }),
    ],
    [
      'InvalidResourceStateFault "already running"',
      new InvalidResourceStateFault({ message: 'The replication task is already running', $metadata: {} }),
    ],
    ['a network error', new Error('socket hang up')],
  ])('passes %s through as it is: whether the start applied is unknown', async (_, fault) => {
    dms.on(StartReplicationTaskCommand).rejects(fault);
    const error = await rejection(control.start({ taskArn: TASK_ARN, startType: 'reload-target' }));
    expect(error).not.toBeInstanceOf(StartRefusedError);
    expect(error).toBe(fault);
  });
});
