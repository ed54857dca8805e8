// `stop` over fake ports, for what moto cannot show: DMS refusing a stop whose first answer was lost (the
// task is stopping: applied), refusing for real (the request marked not applied, exit 4), or not answering
// (the request stays, exit 3); and the exit codes of `wait`'s every ending.
import type { Stack } from '@aws-sdk/client-cloudformation';
import { beforeEach, describe, expect, it } from 'vitest';
import type { TaskSnapshot } from '#shared/dms/task';
import { StopRefusedError } from '#shared/errors';
import { deploymentFromStack } from '../../../cli/deployment.ts';
import { AwsCallError, RefusedError } from '../../../cli/errors.ts';
import { EXIT } from '../../../cli/exit-codes.ts';
import { summariseRun } from '../../../cli/run-summary.ts';
import { stopTask } from '../../../cli/stop.ts';
import { INTERRUPTED_EXIT, type WaitReport, waitExitCode } from '../../../cli/wait.ts';
import { RecordingStore, runFixture, seedRecord, TASK_ARN, TASK_ID, task } from '../../support/ports.ts';

const deployment = deploymentFromStack({
  StackName: 'dms-nightly',
  StackStatus: 'CREATE_COMPLETE',
  CreationTime: new Date(),
  Outputs: [
    ['TaskStarterFunctionName', 'nightly-task-starter'],
    ['PostProcessorFunctionName', 'nightly-post-processor'],
    ['RunLedgerTableName', 'dms-scheduler-runs'],
    ['AlertsTopicArn', 'arn:aws:sns:us-east-1:123456789012:alerts'],
  ].map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
  Parameters: [
    ['NamePrefix', 'nightly'],
    ['ReplicationTaskArn', TASK_ARN],
    ['ReplicationTaskIdentifier', TASK_ID],
    ['MigrationRefreshIndicator', 'data-refresh'],
    ['MigrationRefreshType', 'full-load'],
    ['ScheduleOrOneTime', 'one-time'],
  ].map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue })),
} satisfies Stack);

const AT = new Date('2026-11-23T00:20:00.000Z');

describe('stopTask', () => {
  let store: RecordingStore;
  let statuses: string[];
  let stopError: Error | undefined;
  const ports = () => ({
    tasks: {
      describe: async (): Promise<TaskSnapshot> => task({ status: statuses.shift() ?? 'stopped' }),
      start: async () => {},
    },
    stopper: {
      stop: async () => {
        if (stopError) throw stopError;
      },
    },
    store,
  });

  beforeEach(async () => {
    store = new RecordingStore();
    await seedRecord(store.inner, { seen: 0, run: runFixture({ phase: 'started' }) });
    stopError = undefined;
  });

  it('a refusal of a stop whose first answer was lost: the task is stopping, so it applied', async () => {
    statuses = ['running', 'stopping', 'stopping'];
    stopError = new StopRefusedError('InvalidResourceStateFault: task is stopping');
    const report = await stopTask(ports(), deployment, { at: AT });
    expect(report).toMatchObject({ task: { statusBefore: 'running', statusAfter: 'stopping' } });
    expect((await store.record())?.run?.stopRequested).toEqual({ by: 'cli', at: AT.toISOString() });
  });

  it('a real refusal: the request is marked not applied, and the command is refused (exit 4)', async () => {
    statuses = ['running', 'running'];
    stopError = new StopRefusedError('InvalidResourceStateFault: nope');
    const error = await stopTask(ports(), deployment, { at: AT }).catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(RefusedError);
    expect((error as Error).message).toBe(
      'DMS refused to stop task nightly-refresh (InvalidResourceStateFault: nope); it is still running and nothing was changed',
    );
    expect((await store.record())?.run?.stopRequested).toEqual({
      by: 'cli',
      at: AT.toISOString(),
      notApplied: 'StopRefusedError: InvalidResourceStateFault: nope',
    });
  });

  it('no answer: an AWS error (exit 3), the request stays recorded as it was written first', async () => {
    statuses = ['starting'];
    stopError = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const error = await stopTask(ports(), deployment, { at: AT }).catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(AwsCallError);
    expect((error as Error).message).toMatch(
      /whether the task is stopping is unknown \(the stop request stays recorded\)/,
    );
    expect((await store.record())?.run?.stopRequested).toEqual({ by: 'cli', at: AT.toISOString() });
  });

  it('with no run of the scheduler active (a start by hand), the task is stopped and nothing recorded', async () => {
    store = new RecordingStore();
    statuses = ['running', 'stopping'];
    expect(await stopTask(ports(), deployment, { at: AT })).toMatchObject({ run: null, stopRequest: null });
    expect(store.written).toEqual([]);
  });
});

describe('waitExitCode', () => {
  const succeeded = summariseRun(
    runFixture({ phase: 'released', outcome: { kind: 'succeeded', explanation: 'ok' }, hooks: [] }),
  );
  const report = (result: WaitReport['result'], run: WaitReport['run'], ok: boolean | null): WaitReport => ({
    kind: 'wait',
    version: 1,
    result,
    run,
    succeeded: ok,
    rule: null,
    holdOff: null,
    followAgain: null,
  });
  it.each([
    ['settled, succeeded', report('settled', succeeded, true), EXIT.ok],
    ['settled, not succeeded', report('settled', succeeded, false), EXIT.failed],
    ['no run active, the last succeeded', report('no-active-run', succeeded, true), EXIT.ok],
    ['no run active, the last failed', report('no-active-run', succeeded, false), EXIT.failed],
    ['no run active, none ever', report('no-active-run', null, null), EXIT.ok],
    ['superseded', report('superseded', null, null), EXIT.failed],
    ['interrupted', report('interrupted', null, null), INTERRUPTED_EXIT],
  ] as const)('%s: %i', (_case, subject, code) => {
    expect(waitExitCode(subject)).toBe(code);
  });
});
