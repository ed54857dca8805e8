// startRun: the task-starter's decisions. Whether a task is started, with which start type, what happens to
// the schedule rule, and, above all, that a refused start never leaves the schedule silently disabled.
import { beforeEach, describe, expect, it } from 'vitest';
import {
  FirstRunOnlyError,
  StartFailedError,
  StartTypeRefusedError,
  TaskMismatchError,
} from '#shared/errors';
import { startRun } from '#shared/runs/start-run';
import type { Trigger } from '#shared/runs/trigger';
import {
  finishedTask,
  RecordingAlerts,
  RecordingLock,
  RecordingLog,
  RULE_NAME,
  ScriptedTasks,
  starterConfig,
  TASK_ARN,
  task,
} from '../../support/ports.ts';
import { rejection } from '../../support/rejection.ts';

const scheduled: Trigger = {
  kind: 'schedule',
  ruleArn: `arn:aws:events:us-east-1:123456789012:rule/${RULE_NAME}`,
};
const manual: Trigger = { kind: 'manual' };

let lock: RecordingLock;
let alerts: RecordingAlerts;
let log: RecordingLog;

beforeEach(() => {
  lock = new RecordingLock();
  alerts = new RecordingAlerts();
  log = new RecordingLog();
});

const depsFor = (tasks: ScriptedTasks, withLock = true) => ({
  tasks,
  lock: withLock ? lock : undefined,
  alerts,
  log,
});

describe('a run that starts', () => {
  it('starts a first run with start-replication after disabling the rule', async () => {
    const tasks = new ScriptedTasks(task());
    const result = await startRun(depsFor(tasks), starterConfig(), scheduled);
    expect(result).toMatchObject({
      outcome: 'started',
      startType: 'start-replication',
      rule: { state: 'DISABLED' },
    });
    expect(lock.calls).toEqual(['disable']);
    expect(tasks.startCalls).toEqual([{ taskArn: TASK_ARN, startType: 'start-replication' }]);
    expect(alerts.published).toEqual([]);
  });

  it('re-runs a finished full load with reload-target', async () => {
    const tasks = new ScriptedTasks(finishedTask());
    const result = await startRun(depsFor(tasks), starterConfig(), scheduled);
    expect(result.startType).toBe('reload-target');
    expect(tasks.startCalls.map((call) => call.startType)).toEqual(['reload-target']);
  });

  it('re-runs a failed full load with reload-target', async () => {
    const tasks = new ScriptedTasks(finishedTask({ status: 'failed', stopReason: undefined }));
    expect((await startRun(depsFor(tasks), starterConfig(), scheduled)).startType).toBe('reload-target');
  });

  it('resumes a cdc task that has run before, in one-time mode, without touching any rule', async () => {
    const tasks = new ScriptedTasks(finishedTask({ migrationType: 'cdc', stopReason: 'Stop Reason NORMAL' }));
    const config = starterConfig({
      MIGRATION_REFRESH_INDICATOR: 'data-migration',
      MIGRATION_REFRESH_TYPE: 'cdc',
      SCHEDULE_OR_ONE_TIME: 'one-time',
    });
    const result = await startRun(depsFor(tasks, false), config, manual);
    expect(result).toMatchObject({
      startType: 'resume-processing',
      rule: { name: undefined, state: 'untouched' },
    });
    expect(lock.calls).toEqual([]);
  });

  it('takes the lock on a manual run in schedule mode too, so the schedule cannot overlap it', async () => {
    const tasks = new ScriptedTasks(finishedTask());
    await startRun(depsFor(tasks), starterConfig(), manual);
    expect(lock.calls).toEqual(['disable']);
  });
});

describe('a task that is not startable', () => {
  it.each([
    'running',
    'starting',
    'stopping',
    'creating',
    'modifying',
    'deleting',
    'testing',
    'moving',
    'failed-move',
  ])('is not started while %s, and the rule is not touched', async (status) => {
    const tasks = new ScriptedTasks(finishedTask({ status }));
    const result = await startRun(depsFor(tasks), starterConfig(), scheduled);
    expect(result.outcome).toBe('skipped');
    expect(result.reason.length).toBeGreaterThan(10);
    expect(result.rule.state).toBe('untouched');
    expect(tasks.startCalls).toEqual([]);
    expect(lock.calls).toEqual([]);
  });
});

describe('start type overrides', () => {
  it('uses a valid override from the event in preference to the configured one', async () => {
    const tasks = new ScriptedTasks(finishedTask({ migrationType: 'full-load-and-cdc' }));
    const config = starterConfig({
      MIGRATION_REFRESH_INDICATOR: 'data-migration',
      MIGRATION_REFRESH_TYPE: 'full-load-and-cdc',
      SCHEDULE_OR_ONE_TIME: 'one-time',
      START_TYPE_OVERRIDE: 'resume-processing',
    });
    const result = await startRun(depsFor(tasks, false), config, {
      kind: 'manual',
      startType: 'reload-target',
    });
    expect(result.startType).toBe('reload-target');
  });

  it('uses the configured override when the event has none', async () => {
    const tasks = new ScriptedTasks(finishedTask());
    const result = await startRun(
      depsFor(tasks),
      starterConfig({ START_TYPE_OVERRIDE: 'reload-target' }),
      scheduled,
    );
    expect(result).toMatchObject({ startType: 'reload-target', reason: 'explicit override' });
  });

  it.each([
    ['start-replication', finishedTask()],
    ['reload-target', task()],
    ['resume-processing', finishedTask()],
  ] as const)('refuses %s when the task cannot take it, before changing anything', async (startType, snapshot) => {
    const tasks = new ScriptedTasks(snapshot);
    await expect(startRun(depsFor(tasks), starterConfig(), { kind: 'manual', startType })).rejects.toThrow(
      StartTypeRefusedError,
    );
    expect(lock.calls).toEqual([]);
    expect(tasks.startCalls).toEqual([]);
  });
});

describe('CDC start point', () => {
  const cdcConfig = (env: Record<string, string> = {}) =>
    starterConfig({
      MIGRATION_REFRESH_INDICATOR: 'data-migration',
      MIGRATION_REFRESH_TYPE: 'cdc',
      SCHEDULE_OR_ONE_TIME: 'one-time',
      ...env,
    });

  it('passes the configured position with a first start-replication', async () => {
    const tasks = new ScriptedTasks(task({ migrationType: 'cdc' }));
    await startRun(
      depsFor(tasks, false),
      cdcConfig({ CDC_START_POSITION: 'mysql-bin-changelog.000024:373' }),
      manual,
    );
    expect(tasks.startCalls[0]).toEqual({
      taskArn: TASK_ARN,
      startType: 'start-replication',
      cdcStartPosition: 'mysql-bin-changelog.000024:373',
    });
  });

  it("prefers the event's start time over the configured position", async () => {
    const tasks = new ScriptedTasks(task({ migrationType: 'cdc' }));
    const time = new Date('2026-11-20T00:00:00Z');
    await startRun(
      depsFor(tasks, false),
      cdcConfig({ CDC_START_POSITION: 'mysql-bin-changelog.000024:373' }),
      {
        kind: 'manual',
        cdcStartTime: time,
      },
    );
    expect(tasks.startCalls[0]).toEqual({
      taskArn: TASK_ARN,
      startType: 'start-replication',
      cdcStartTime: time,
    });
  });

  it('sends no start point when resuming, nor for a full-load task', async () => {
    const resumed = new ScriptedTasks(
      finishedTask({ migrationType: 'cdc', stopReason: 'Stop Reason NORMAL' }),
    );
    await startRun(depsFor(resumed, false), cdcConfig({ CDC_START_POSITION: 'x:1' }), manual);
    expect(resumed.startCalls[0]).toEqual({ taskArn: TASK_ARN, startType: 'resume-processing' });

    const fullLoad = new ScriptedTasks(task());
    await startRun(depsFor(fullLoad), starterConfig({ CDC_START_POSITION: 'x:1' }), scheduled);
    expect(fullLoad.startCalls[0]).toEqual({ taskArn: TASK_ARN, startType: 'start-replication' });
  });
});

describe('when DMS says start-replication is only for a first run', () => {
  it('retries once with reload-target and reports it', async () => {
    const tasks = new ScriptedTasks(task());
    tasks.startErrors = [
      new FirstRunOnlyError(
        'Start Type : START_REPLICATION, valid only for tasks running for the first time',
      ),
    ];
    const result = await startRun(depsFor(tasks), starterConfig(), scheduled);
    expect(tasks.startCalls.map((call) => call.startType)).toEqual(['start-replication', 'reload-target']);
    expect(result).toMatchObject({
      outcome: 'started',
      startType: 'reload-target',
      rule: { state: 'DISABLED' },
    });
    expect(alerts.published).toEqual([]);
  });

  it('compensates when the retry fails too', async () => {
    const tasks = new ScriptedTasks(task());
    tasks.startErrors = [
      new FirstRunOnlyError('valid only for tasks running for the first time'),
      new Error('InvalidResourceStateFault: no'),
    ];
    await expect(startRun(depsFor(tasks), starterConfig(), scheduled)).rejects.toThrow(StartFailedError);
    expect(tasks.startCalls).toHaveLength(2);
    expect(lock.state).toBe('ENABLED');
    expect(alerts.published).toHaveLength(1);
    // The alert names the start type of the attempt that failed last.
    expect(alerts.published[0]?.message).toContain('(reload-target)');
  });

  it('does not retry other errors', async () => {
    const tasks = new ScriptedTasks(task());
    tasks.startErrors = [new Error('AccessDeniedFault: nope')];
    await expect(startRun(depsFor(tasks), starterConfig(), scheduled)).rejects.toThrow(StartFailedError);
    expect(tasks.startCalls).toHaveLength(1);
  });
});

describe('compensation when DMS refuses the start after the rule was disabled', () => {
  const dmsError = new Error(
    'Test connection for replication instance ri-1 and endpoint ep-1 should be successful for starting the replication task',
  );
  dmsError.name = 'InvalidResourceStateFault';

  it('re-enables the rule, publishes an alert with the DMS error, and fails the invocation', async () => {
    const tasks = new ScriptedTasks(finishedTask());
    tasks.startErrors = [dmsError];
    const failure = await rejection(startRun(depsFor(tasks), starterConfig(), scheduled));
    expect(failure).toBeInstanceOf(StartFailedError);
    expect((failure as StartFailedError).cause).toBe(dmsError);
    expect((failure as StartFailedError).compensation).toEqual([
      `re-enabled rule ${RULE_NAME}`,
      'published an alert',
    ]);
    expect(lock.calls).toEqual(['disable', 'enable']);
    expect(lock.state).toBe('ENABLED');
    expect(alerts.published).toHaveLength(1);
    const [alert] = alerts.published;
    expect(alert?.subject).toContain('nightly-refresh');
    expect(alert?.message).toContain('Test connection for replication instance ri-1');
    expect(alert?.message).toContain(`${RULE_NAME} was re-enabled`);
  });

  it('still alerts, saying how to enable the rule by hand, when re-enabling fails', async () => {
    const tasks = new ScriptedTasks(finishedTask());
    tasks.startErrors = [dmsError];
    lock.failOn = 'enable';
    const failure = (await rejection(
      startRun(depsFor(tasks), starterConfig(), scheduled),
    )) as StartFailedError;
    expect(failure).toBeInstanceOf(StartFailedError);
    expect(failure.compensation[0]).toContain('could NOT re-enable');
    expect(alerts.published[0]?.message).toContain(`aws events enable-rule --name ${RULE_NAME}`);
  });

  it('still re-enables the rule and fails the invocation when the alert cannot be published', async () => {
    const tasks = new ScriptedTasks(finishedTask());
    tasks.startErrors = [dmsError];
    alerts.failures = 1;
    const failure = (await rejection(
      startRun(depsFor(tasks), starterConfig(), scheduled),
    )) as StartFailedError;
    expect(failure).toBeInstanceOf(StartFailedError);
    expect(lock.state).toBe('ENABLED');
    expect(failure.compensation).toEqual([
      `re-enabled rule ${RULE_NAME}`,
      expect.stringContaining('could NOT publish the alert'),
    ]);
  });

  it('in one-time mode alerts without touching any rule', async () => {
    const tasks = new ScriptedTasks(finishedTask());
    tasks.startErrors = [dmsError];
    const config = starterConfig({ SCHEDULE_OR_ONE_TIME: 'one-time' });
    await expect(startRun(depsFor(tasks, false), config, manual)).rejects.toThrow(StartFailedError);
    expect(lock.calls).toEqual([]);
    expect(alerts.published[0]?.message).toContain('One-time mode');
  });

  it('changes nothing when the rule cannot be disabled in the first place', async () => {
    const tasks = new ScriptedTasks(finishedTask());
    lock.failOn = 'disable';
    await expect(startRun(depsFor(tasks), starterConfig(), scheduled)).rejects.toThrow(
      'ConcurrentModificationException',
    );
    expect(tasks.startCalls).toEqual([]);
  });
});

describe('input and configuration that change nothing', () => {
  it('ignores a scheduled event from another rule without reading the task', async () => {
    const tasks = new ScriptedTasks(task());
    const result = await startRun(depsFor(tasks), starterConfig(), {
      kind: 'schedule',
      ruleArn: 'arn:aws:events:us-east-1:123456789012:rule/someone-elses-rule',
    });
    expect(result.outcome).toBe('ignored');
    expect(tasks.describeCalls).toEqual([]);
    expect(lock.calls).toEqual([]);
  });

  it('ignores a scheduled event in one-time mode', async () => {
    const tasks = new ScriptedTasks(task());
    const config = starterConfig({ SCHEDULE_OR_ONE_TIME: 'one-time' });
    expect((await startRun(depsFor(tasks, false), config, scheduled)).outcome).toBe('ignored');
    expect(tasks.startCalls).toEqual([]);
  });

  it.each([
    ['identifier', task({ identifier: 'another-name' }), 'REPLICATION_TASK_IDENTIFIER'],
    ['migration type', task({ migrationType: 'cdc' }), 'MIGRATION_REFRESH_TYPE'],
  ])('refuses a task whose %s does not match the configuration', async (_what, snapshot, setting) => {
    const tasks = new ScriptedTasks(snapshot);
    await expect(startRun(depsFor(tasks), starterConfig(), scheduled)).rejects.toThrow(
      expect.objectContaining({ name: TaskMismatchError.name, message: expect.stringContaining(setting) }),
    );
    expect(lock.calls).toEqual([]);
    expect(tasks.startCalls).toEqual([]);
  });
});
