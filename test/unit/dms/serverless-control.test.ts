// The DMS Serverless adapter: it must ask DescribeReplications for exactly our replication config, map each
// Serverless status onto the task status that means the same for a run (and pass an unknown one on as DMS
// spelt it), read a start date and a stop date out of what a replication records, and start it with
// StartReplication, with DMS's answers translated as for a task. The domain then decides exactly as for a
// task: the last block runs the real outcome and start-type rules over the snapshots this adapter makes.
import {
  DatabaseMigrationServiceClient,
  DatabaseMigrationServiceServiceException,
  DescribeReplicationsCommand,
  DescribeReplicationTasksCommand,
  type Replication,
  ResourceNotFoundFault,
  StartReplicationCommand,
  StartReplicationTaskCommand,
  StopReplicationCommand,
  StopReplicationTaskCommand,
} from '@aws-sdk/client-database-migration-service';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { taskControlFor } from '#shared/dms/controls';
import { DmsTaskControl } from '#shared/dms/dms-task-control';
import { classifyOutcome } from '#shared/dms/outcome';
import {
  DmsServerlessControl,
  SERVERLESS_STATUSES,
  serverlessSnapshot,
} from '#shared/dms/serverless-control';
import { chooseStartType, startability } from '#shared/dms/start-type';
import { hasRunBefore } from '#shared/dms/task';
import { FirstRunOnlyError, StartRefusedError, StopRefusedError, TaskMismatchError } from '#shared/errors';
import { fingerprintOf } from '#shared/runs/run';
import { rejection } from '../../support/rejection.ts';

const dms = mockClient(DatabaseMigrationServiceClient);
const client = new DatabaseMigrationServiceClient({ region: 'us-east-1' });
const control = new DmsServerlessControl(client);

const CONFIG_ARN = 'arn:aws:dms:us-east-1:123456789012:replication-config:NIGHTLYSERVERLESS0000000000';
const STARTED = new Date('2026-11-23T00:00:05Z');
const LOADED = new Date('2026-11-23T00:40:00Z');
const STOPPED = new Date('2026-11-23T00:41:07Z');

/** A full load that finished, as DescribeReplications shows it (API Replication shape). */
const FINISHED: Replication = {
  ReplicationConfigArn: CONFIG_ARN,
  ReplicationConfigIdentifier: 'nightly-serverless',
  ReplicationType: 'full-load',
  Status: 'stopped',
  StopReason: 'Stop Reason FULL_LOAD_ONLY_FINISHED',
  StartReplicationType: 'reload-target',
  ReplicationLastStopTime: STOPPED,
  ReplicationStats: {
    FullLoadProgressPercent: 100,
    TablesLoaded: 12,
    TablesLoading: 0,
    TablesQueued: 0,
    TablesErrored: 0,
    ElapsedTimeMillis: 2_462_000,
    StartDate: STARTED,
    FreshStartDate: STARTED,
    FullLoadStartDate: STARTED,
    FullLoadFinishDate: LOADED,
    StopDate: STOPPED,
  },
};

/** A config created and never started: no statistics at all. */
const NEVER_STARTED: Replication = {
  ReplicationConfigArn: CONFIG_ARN,
  ReplicationConfigIdentifier: 'nightly-serverless',
  ReplicationType: 'full-load',
  Status: 'created',
};

beforeEach(() => {
  dms.reset();
});

describe('describe', () => {
  it('asks DescribeReplications for exactly our replication config', async () => {
    dms.on(DescribeReplicationsCommand).resolves({ Replications: [FINISHED] });
    await control.describe(CONFIG_ARN);
    expect(dms).toHaveReceivedCommandExactlyOnceWith(DescribeReplicationsCommand, {
      Filters: [{ Name: 'replication-config-arn', Values: [CONFIG_ARN] }],
    });
    expect(dms).not.toHaveReceivedCommand(DescribeReplicationTasksCommand);
  });

  it('maps every field the domain uses into the snapshot', async () => {
    dms.on(DescribeReplicationsCommand).resolves({ Replications: [FINISHED] });
    expect(await control.describe(CONFIG_ARN)).toStrictEqual({
      arn: CONFIG_ARN,
      identifier: 'nightly-serverless',
      status: 'stopped',
      migrationType: 'full-load',
      stopReason: 'Stop Reason FULL_LOAD_ONLY_FINISHED',
      lastStartDate: STARTED,
      stats: {
        fullLoadProgressPercent: 100,
        tablesLoaded: 12,
        tablesLoading: 0,
        tablesQueued: 0,
        tablesErrored: 0,
        elapsedTimeMillis: 2_462_000,
        startDate: STARTED,
        freshStartDate: STARTED,
        fullLoadStartDate: STARTED,
        fullLoadFinishDate: LOADED,
        stopDate: STOPPED,
      },
    });
  });

  it('picks our config out of a longer answer', async () => {
    const other: Replication = { ...FINISHED, ReplicationConfigArn: `${CONFIG_ARN}X`, Status: 'running' };
    dms.on(DescribeReplicationsCommand).resolves({ Replications: [other, FINISHED] });
    expect((await control.describe(CONFIG_ARN)).status).toBe('stopped');
  });

  it.each([
    ['an empty list', { Replications: [] }],
    ['no list at all', {}],
    ['only another config', { Replications: [{ ...FINISHED, ReplicationConfigArn: `${CONFIG_ARN}X` }] }],
  ])('answers TaskMismatchError when DMS returns %s', async (_, answer) => {
    dms.on(DescribeReplicationsCommand).resolves(answer);
    const error = await rejection(control.describe(CONFIG_ARN));
    expect(error).toBeInstanceOf(TaskMismatchError);
    expect(error).toHaveProperty('message', `Replication config ${CONFIG_ARN} does not exist`);
  });

  it('answers TaskMismatchError, keeping the cause, when DMS says ResourceNotFoundFault', async () => {
    const fault = new ResourceNotFoundFault({ message: 'not found', $metadata: {} });
    dms.on(DescribeReplicationsCommand).rejects(fault);
    const error = await rejection(control.describe(CONFIG_ARN));
    expect(error).toBeInstanceOf(TaskMismatchError);
    expect(error).toHaveProperty('cause', fault);
  });

  it('passes any other error through unchanged', async () => {
    const fault = new Error('socket hang up');
    dms.on(DescribeReplicationsCommand).rejects(fault);
    expect(await rejection(control.describe(CONFIG_ARN))).toBe(fault);
  });
});

describe('serverlessSnapshot', () => {
  it.each(
    Object.entries(SERVERLESS_STATUSES),
  )('reads the Serverless status %s as the task status %s', (serverless, task) => {
    expect(serverlessSnapshot({ ...FINISHED, Status: serverless }).status).toBe(task);
  });

  it('reads every provisioning stage as starting: not startable, and no outcome yet', () => {
    for (const stage of [
      'initializing',
      'preparing_metadata_resources',
      'testing_connection',
      'fetching_metadata',
      'calculating_capacity',
      'provisioning_capacity',
      'replication_starting',
    ]) {
      const snapshot = serverlessSnapshot({ ...FINISHED, Status: stage });
      expect(startability(snapshot).startable, stage).toBe(false);
      expect(classifyOutcome(snapshot).kind, stage).toBe('started');
    }
  });

  it('keeps a status it does not know as DMS wrote it: never startable, a failure at the end', () => {
    const snapshot = serverlessSnapshot({ ...FINISHED, Status: 'deprovisioning' });
    expect(snapshot.status).toBe('deprovisioning');
    expect(startability(snapshot)).toEqual({
      startable: false,
      reason: 'the task\'s status "deprovisioning" is not one DMS starts from',
    });
    expect(classifyOutcome(snapshot).kind).toBe('failed');
  });

  it('joins the failure messages into the one the alert quotes, skipping blank ones', () => {
    const snapshot = serverlessSnapshot({
      ...FINISHED,
      Status: 'failed',
      FailureMessages: ['Source endpoint unreachable', ' ', 'Capacity could not be provisioned'],
    });
    expect(snapshot.lastFailureMessage).toBe(
      'Source endpoint unreachable; Capacity could not be provisioned',
    );
    expect(classifyOutcome(snapshot)).toEqual({
      kind: 'failed',
      explanation: 'The task failed: Source endpoint unreachable; Capacity could not be provisioned',
    });
  });

  it('takes the last stop time for the stop date when the statistics have none', () => {
    const { StopDate: _gone, ...stats } = FINISHED.ReplicationStats ?? {};
    const later = new Date('2026-11-24T00:00:00Z');
    const snapshot = serverlessSnapshot({
      ...FINISHED,
      ReplicationStats: stats,
      ReplicationLastStopTime: later,
    });
    expect(snapshot.stats?.stopDate).toEqual(later);
    // The fingerprint moves with it: a stop after the run began is seen as new.
    expect(fingerprintOf(snapshot)).toBe(later.getTime());
  });

  it('marks what DMS left out instead of inventing it', () => {
    expect(serverlessSnapshot({})).toStrictEqual({
      arn: '',
      identifier: '',
      status: 'unknown',
      migrationType: 'unknown',
      stopReason: undefined,
      lastStartDate: undefined,
    });
  });
});

describe('the domain decides on a Serverless replication exactly as on a task', () => {
  it('gives a config that never started start-replication, and one that ran reload-target', () => {
    const fresh = serverlessSnapshot(NEVER_STARTED);
    expect(fresh.status).toBe('ready');
    expect(hasRunBefore(fresh)).toBe(false);
    expect(chooseStartType(fresh).startType).toBe('start-replication');
    expect(chooseStartType(serverlessSnapshot(FINISHED)).startType).toBe('reload-target');
  });

  it('resumes a full-load-and-cdc replication whose full load finished', () => {
    const cdc = serverlessSnapshot({ ...FINISHED, ReplicationType: 'full-load-and-cdc' });
    expect(chooseStartType(cdc).startType).toBe('resume-processing');
  });

  it('classifies a finished full load as succeeded, and one with tables in error as failed', () => {
    expect(classifyOutcome(serverlessSnapshot(FINISHED)).kind).toBe('succeeded');
    const errored = serverlessSnapshot({
      ...FINISHED,
      ReplicationStats: { ...FINISHED.ReplicationStats, TablesErrored: 2 },
    });
    expect(classifyOutcome(errored)).toEqual({
      kind: 'failed',
      explanation: 'The full load finished, but 2 table(s) are in error',
    });
  });

  it('classifies a stop by hand midway as stopped-by-user, not success', () => {
    const midway = serverlessSnapshot({
      ...FINISHED,
      StopReason: 'Stop Reason NORMAL',
      ReplicationStats: {
        ...FINISHED.ReplicationStats,
        FullLoadProgressPercent: 40,
        FullLoadFinishDate: undefined,
      },
    });
    expect(classifyOutcome(midway).kind).toBe('stopped-by-user');
  });
});

describe('start', () => {
  it.each([
    'start-replication',
    'reload-target',
    'resume-processing',
  ] as const)('sends StartReplication with the start type %s for our config', async (startType) => {
    dms.on(StartReplicationCommand).resolves({});
    await control.start({ taskArn: CONFIG_ARN, startType });
    expect(dms).toHaveReceivedCommandExactlyOnceWith(StartReplicationCommand, {
      ReplicationConfigArn: CONFIG_ARN,
      StartReplicationType: startType,
    });
    expect(dms).not.toHaveReceivedCommand(StartReplicationTaskCommand);
  });

  it('sends a CDC start time or position when asked', async () => {
    dms.on(StartReplicationCommand).resolves({});
    const cdcStartTime = new Date('2026-11-22T23:30:00Z');
    await control.start({ taskArn: CONFIG_ARN, startType: 'start-replication', cdcStartTime });
    await control.start({
      taskArn: CONFIG_ARN,
      startType: 'start-replication',
      cdcStartPosition: 'checkpoint:V1#27',
    });
    expect(dms).toHaveReceivedNthCommandWith(StartReplicationCommand, 1, { CdcStartTime: cdcStartTime });
    expect(dms).toHaveReceivedNthCommandWith(StartReplicationCommand, 2, {
      CdcStartPosition: 'checkpoint:V1#27',
    });
  });

  it('turns "valid only for replications running for the first time" into FirstRunOnlyError', async () => {
    const refused = new DatabaseMigrationServiceServiceException({
      name: 'InvalidParameterCombinationException',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
      message: 'Start Type : START_REPLICATION, valid only for replications running for the first time',
    });
    dms.on(StartReplicationCommand).rejects(refused);
    const error = await rejection(control.start({ taskArn: CONFIG_ARN, startType: 'start-replication' }));
    expect(error).toBeInstanceOf(FirstRunOnlyError);
    expect(error).toHaveProperty('cause', refused);
  });

  it('turns a client fault into StartRefusedError, and leaves throttling and server faults unknown', async () => {
    const fault = (name: string, $fault: 'client' | 'server', message: string) =>
      new DatabaseMigrationServiceServiceException({ name, $fault, $metadata: {}, message });
    dms.on(StartReplicationCommand).rejects(fault('AccessDeniedFault', 'client', 'not allowed'));
    expect(
      await rejection(control.start({ taskArn: CONFIG_ARN, startType: 'reload-target' })),
    ).toBeInstanceOf(StartRefusedError);
    for (const unknown of [
      fault('ThrottlingException', 'client', 'Rate exceeded'),
      fault('InternalFailure', 'server', 'try again'),
      fault('InvalidResourceStateFault', 'client', 'Replication cannot be started, invalid state'),
    ]) {
      dms.reset();
      dms.on(StartReplicationCommand).rejects(unknown);
      expect(await rejection(control.start({ taskArn: CONFIG_ARN, startType: 'reload-target' }))).toBe(
        unknown,
      );
    }
  });
});

describe('stop', () => {
  it('sends StopReplication for our config, never a task call', async () => {
    dms.on(StopReplicationCommand).resolves({});
    await control.stop(CONFIG_ARN);
    expect(dms).toHaveReceivedCommandExactlyOnceWith(StopReplicationCommand, {
      ReplicationConfigArn: CONFIG_ARN,
    });
    expect(dms).not.toHaveReceivedCommand(StopReplicationTaskCommand);
  });

  it('turns a client fault into StopRefusedError and lets throttling through', async () => {
    const fault = (name: string) =>
      new DatabaseMigrationServiceServiceException({ name, $fault: 'client', $metadata: {}, message: name });
    dms.on(StopReplicationCommand).rejects(fault('InvalidResourceStateFault'));
    expect(await rejection(control.stop(CONFIG_ARN))).toBeInstanceOf(StopRefusedError);
    dms.reset();
    const throttled = fault('ThrottlingException');
    dms.on(StopReplicationCommand).rejects(throttled);
    expect(await rejection(control.stop(CONFIG_ARN))).toBe(throttled);
  });
});

describe('taskControlFor', () => {
  it('talks to a replication config through the Serverless API, to a task through the task API', () => {
    expect(taskControlFor(client, CONFIG_ARN)).toBeInstanceOf(DmsServerlessControl);
    expect(
      taskControlFor(client, 'arn:aws:dms:us-east-1:123456789012:task:ABCDEFGHIJKLMNOPQRSTUVWXYZ'),
    ).toBeInstanceOf(DmsTaskControl);
  });

  it('refuses an ARN that is neither, naming it', () => {
    expect(() => taskControlFor(client, 'arn:aws:dms:us-east-1:123456789012:endpoint:ABC')).toThrow(
      'arn:aws:dms:us-east-1:123456789012:endpoint:ABC is neither a DMS task ARN nor a replication config ARN',
    );
  });
});
