// `dms-scheduler run` without AWS: the request checked with the task-starter's own parser, the Lambda
// adapter (the payload it sends, a function error, an answer that is not a start result, a failed call) over
// aws-sdk-client-mock, and each start outcome's exit code and line.
import { InvokeCommand, LambdaClient, ResourceNotFoundException } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { StartResult } from '#shared/runs/start-run';
import { AwsCallError, UsageError } from '../../../cli/errors.ts';
import { EXIT } from '../../../cli/exit-codes.ts';
import { PLAIN } from '../../../cli/output.ts';
import { formatStart, manualRequest, runReport, startExitCode } from '../../../cli/start.ts';
import { LambdaTaskStarter, parseStarterAnswer } from '../../../cli/task-starter-invoker.ts';
import { rejection } from '../../support/rejection.ts';

const lambda = mockClient(LambdaClient);
const starter = new LambdaTaskStarter(new LambdaClient({ region: 'us-east-1' }), 'nightly-task-starter');
const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

const STARTED: StartResult = {
  outcome: 'started',
  reason: 'the task ran before: reload-target re-runs the full load',
  runId: '2026-11-23T00:00:00.000Z~0a1b2c',
  startType: 'reload-target',
  task: { identifier: 'nightly-refresh', status: 'stopped' },
  rule: { name: 'nightly-schedule', state: 'DISABLED' },
};

beforeEach(() => lambda.reset());

describe('manualRequest', () => {
  it('holds only the options given, in the shape the task-starter accepts', () => {
    expect(manualRequest({})).toEqual({});
    expect(manualRequest({ startType: 'reload-target' })).toEqual({ startType: 'reload-target' });
    expect(manualRequest({ startType: 'start-replication', cdcStartTime: '2026-11-23T00:00:00Z' })).toEqual({
      startType: 'start-replication',
      cdcStartTime: '2026-11-23T00:00:00Z',
    });
  });

  it.each([
    [{ startType: 'fresh' }, /startType/],
    [{ cdcStartTime: 'yesterday' }, /cdcStartTime/],
    [{ cdcStartTime: '2026-11-23T00:00:00Z', cdcStartPosition: 'mysql-bin.000024:373' }, /not both/],
  ])('refuses %j as a usage error, before any call', (options, message) => {
    expect(() => manualRequest(options)).toThrow(UsageError);
    expect(() => manualRequest(options)).toThrow(message);
  });
});

describe('LambdaTaskStarter', () => {
  it('invokes the function synchronously with the manual request as its payload, and reads its result', async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: encode(STARTED) as never });
    expect(await starter.invoke({ startType: 'reload-target' })).toEqual(STARTED);
    expect(lambda).toHaveReceivedCommandTimes(InvokeCommand, 1);
    const input = lambda.commandCalls(InvokeCommand)[0]?.args[0].input;
    expect(input).toMatchObject({ FunctionName: 'nightly-task-starter', InvocationType: 'RequestResponse' });
    expect(JSON.parse(new TextDecoder().decode(input?.Payload as Uint8Array))).toEqual({
      startType: 'reload-target',
    });
  });

  it('a function error (the starter threw) is an AWS error naming its type and message', async () => {
    lambda.on(InvokeCommand).resolves({
      StatusCode: 200,
      FunctionError: 'Unhandled',
      Payload: encode({ errorType: 'TaskMismatchError', errorMessage: 'The task is named "x"' }) as never,
    });
    const error = (await rejection(starter.invoke({}))) as Error;
    expect(error).toBeInstanceOf(AwsCallError);
    expect(error.message).toBe(
      'the task-starter nightly-task-starter failed (Unhandled): TaskMismatchError: The task is named "x"',
    );
  });

  it('a failed call says whether a run started is unknown, and where to look', async () => {
    lambda
      .on(InvokeCommand)
      .rejects(new ResourceNotFoundException({ $metadata: {}, message: 'Function not found' }));
    const error = (await rejection(starter.invoke({}))) as Error;
    expect(error).toBeInstanceOf(AwsCallError);
    expect(error.message).toBe(
      'Lambda Invoke (task-starter) of nightly-task-starter failed: ResourceNotFoundException: Function not found; whether a run started is unknown: see dms-scheduler status',
    );
  });

  it.each([
    ['not JSON', new TextEncoder().encode('<html>')],
    ['JSON of another shape', encode({ startType: 'reload-target' })],
    ['nothing', undefined],
  ])('an answer that is %s is an AWS error quoting it', (_case, payload) => {
    expect(() => parseStarterAnswer('fn', undefined, payload)).toThrow(
      /^the task-starter fn answered with something that is not a start result: /,
    );
  });
});

describe('exit codes and the line printed', () => {
  it.each([
    ['started', EXIT.ok],
    ['skipped', EXIT.refused],
    ['start-failed', EXIT.failed],
    ['start-unknown', EXIT.aws],
    ['preflight-failed', EXIT.failed],
  ] as const)('%s ends with %i', (outcome, code) => {
    expect(startExitCode(outcome)).toBe(code);
  });

  it('says the outcome, the run, its start type, the reason and the rule', () => {
    expect(formatStart(STARTED, PLAIN)).toEqual([
      'started: run 2026-11-23T00:00:00.000Z~0a1b2c (reload-target): the task ran before: reload-target re-runs the full load; schedule rule nightly-schedule: DISABLED',
    ]);
    const skipped: StartResult = {
      outcome: 'skipped',
      reason: 'run X is still active (hooks, last changed at T) and holds the task\u2019s lock',
      task: { identifier: 'nightly-refresh' },
      rule: { name: undefined, state: 'untouched' },
    };
    expect(formatStart(skipped, PLAIN)).toEqual([`skipped: ${skipped.reason}`]);
  });

  it('--json: every key present, null where the start has no value', () => {
    const report = runReport({ ...STARTED, outcome: 'skipped', runId: undefined, startType: undefined });
    expect(Object.keys(report)).toEqual([
      'kind',
      'version',
      'outcome',
      'reason',
      'runId',
      'startType',
      'task',
      'rule',
      'wait',
    ]);
    expect(report).toMatchObject({ kind: 'run', version: 1, runId: null, startType: null, wait: null });
  });
});
