// `--stack` discovery: a described stack becomes one Deployment, or is refused with every missing or
// malformed output and parameter named (exit 5), before any other call.
import type { Stack } from '@aws-sdk/client-cloudformation';
import { describe, expect, it } from 'vitest';
import { deploymentFromStack } from '../../../cli/deployment.ts';
import { DeploymentError } from '../../../cli/errors.ts';

const TASK_ARN = 'arn:aws:dms:eu-west-1:123456789012:task:ABCDEF123';
const ALERTS = 'arn:aws:sns:eu-west-1:123456789012:nightly-alerts';

function stack(outputs: Record<string, string>, parameters: Record<string, string>): Stack {
  return {
    StackName: 'dms-nightly',
    StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/dms-nightly/1',
    StackStatus: 'UPDATE_COMPLETE',
    CreationTime: new Date(0),
    Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
    Parameters: Object.entries(parameters).map(([ParameterKey, ParameterValue]) => ({
      ParameterKey,
      ParameterValue,
    })),
  };
}

const OUTPUTS = {
  TaskStarterFunctionName: 'nightly-task-starter',
  PostProcessorFunctionName: 'nightly-post-processor',
  ScheduleRuleName: 'nightly-schedule',
  AlertsTopicArn: ALERTS,
  RunLedgerTableName: 'nightly-run-ledger',
  OneTimeRunCommand: 'aws lambda invoke …',
};
const PARAMETERS = {
  NamePrefix: 'nightly',
  ReplicationTaskArn: TASK_ARN,
  ReplicationTaskIdentifier: 'staging-refresh',
  MigrationRefreshIndicator: 'data-refresh',
  MigrationRefreshType: 'full-load',
  ScheduleOrOneTime: 'schedule',
  ScheduleExpression: 'cron(0 0 * * ? *)',
  RuleAfterFailure: 'keep-disabled',
  HooksConfig: 'example',
  NotificationEmail: '',
};

function refusal(value: Stack): DeploymentError {
  try {
    deploymentFromStack(value);
  } catch (error) {
    if (error instanceof DeploymentError) return error;
    throw error;
  }
  throw new Error('the stack was accepted');
}

describe('deploymentFromStack', () => {
  it('reads a schedule-mode stack into one Deployment', () => {
    expect(deploymentFromStack(stack(OUTPUTS, PARAMETERS))).toEqual({
      stack: {
        name: 'dms-nightly',
        id: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/dms-nightly/1',
        status: 'UPDATE_COMPLETE',
      },
      namePrefix: 'nightly',
      task: { arn: TASK_ARN, identifier: 'staging-refresh' },
      members: [{ arn: TASK_ARN, identifier: 'staging-refresh' }],
      group: undefined,
      mode: { indicator: 'data-refresh', migrationType: 'full-load', cadence: 'schedule' },
      functions: { taskStarter: 'nightly-task-starter', postProcessor: 'nightly-post-processor' },
      scheduleRule: { name: 'nightly-schedule', expression: 'cron(0 0 * * ? *)' },
      runLedgerTable: 'nightly-run-ledger',
      topics: { alerts: ALERTS, dmsEvents: undefined, success: undefined },
      ruleAfterFailure: 'keep-disabled',
      hooksConfig: 'example',
      notifyOnSuccess: undefined,
    });
  });

  it('reads the success topic and NotifyOnSuccess when the stack has them, and refuses a malformed topic', () => {
    const success = 'arn:aws:sns:eu-west-1:123456789012:nightly-success';
    const deployment = deploymentFromStack(
      stack({ ...OUTPUTS, SuccessTopicArn: success }, { ...PARAMETERS, NotifyOnSuccess: 'success-topic' }),
    );
    expect(deployment.topics.success).toBe(success);
    expect(deployment.notifyOnSuccess).toBe('success-topic');
    expect(refusal(stack({ ...OUTPUTS, SuccessTopicArn: 'nightly-success' }, PARAMETERS)).problems).toEqual([
      'Output SuccessTopicArn is not an SNS topic ARN',
    ]);
  });

  it('one-time mode has no schedule rule, even if an output names one', () => {
    const deployment = deploymentFromStack(stack(OUTPUTS, { ...PARAMETERS, ScheduleOrOneTime: 'one-time' }));
    expect(deployment.scheduleRule).toBeUndefined();
  });

  it('a blank optional parameter is unset, not an empty value', () => {
    expect(
      deploymentFromStack(stack(OUTPUTS, { ...PARAMETERS, HooksConfig: '' })).hooksConfig,
    ).toBeUndefined();
  });

  it('names every missing and malformed value at once, in one line', () => {
    const { RunLedgerTableName: _table, TaskStarterFunctionName: _starter, ...outputs } = OUTPUTS;
    const { NamePrefix: _prefix, ...parameters } = PARAMETERS;
    const error = refusal(
      stack({ ...outputs, AlertsTopicArn: 'not-an-arn' }, { ...parameters, MigrationRefreshType: 'nightly' }),
    );
    expect(error.problems).toEqual([
      'Output TaskStarterFunctionName is missing',
      'Output RunLedgerTableName is missing',
      'Output AlertsTopicArn is not an SNS topic ARN',
      'Parameter NamePrefix is missing',
      'Parameter MigrationRefreshType is not one of full-load, full-load-and-cdc, cdc',
    ]);
    expect(error.message).toMatch(
      /^stack dms-nightly is not a usable dms-scheduler deployment: Output TaskStarter/,
    );
    expect(error.message).not.toContain('\n');
  });

  it('a schedule-mode stack without its rule output is refused', () => {
    const { ScheduleRuleName: _rule, ...outputs } = OUTPUTS;
    expect(refusal(stack(outputs, PARAMETERS)).problems).toEqual([
      'Output ScheduleRuleName is missing (a schedule-mode stack has a schedule rule)',
    ]);
  });

  it('a stack listing several tasks is a run group named by its NamePrefix, keyed group/<name> in the ledger', () => {
    const second = 'arn:aws:dms:eu-west-1:123456789012:task:GHIJKL456';
    const deployment = deploymentFromStack(
      stack(OUTPUTS, {
        ...PARAMETERS,
        ReplicationTaskArn: `${TASK_ARN}, ${second}`,
        ReplicationTaskIdentifier: 'orders-refresh,customers-refresh',
      }),
    );
    expect(deployment.group).toEqual({ name: 'nightly' });
    expect(deployment.task).toEqual({ arn: 'group/nightly', identifier: 'nightly' });
    expect(deployment.members).toEqual([
      { arn: TASK_ARN, identifier: 'orders-refresh' },
      { arn: second, identifier: 'customers-refresh' },
    ]);
  });

  it('refuses a group whose lists do not pair up, that holds a Serverless replication, or lists a task twice', () => {
    const config = 'arn:aws:dms:eu-west-1:123456789012:replication-config:XYZ';
    expect(
      refusal(stack(OUTPUTS, { ...PARAMETERS, ReplicationTaskArn: `${TASK_ARN},${config}` })).problems,
    ).toEqual([
      'Parameter ReplicationTaskArn lists 2 task(s) but Parameter ReplicationTaskIdentifier 1: they name the same tasks, in the same order',
      'Parameter ReplicationTaskArn lists a Serverless replication config in a run group: a group holds replication tasks only',
    ]);
    expect(
      refusal(
        stack(OUTPUTS, {
          ...PARAMETERS,
          ReplicationTaskArn: `${TASK_ARN},${TASK_ARN}`,
          ReplicationTaskIdentifier: 'a,b',
        }),
      ).problems,
    ).toEqual(['Parameter ReplicationTaskArn lists a task twice']);
  });
});
