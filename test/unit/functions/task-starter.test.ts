// The task-starter handler over the sample trigger events: only its own rule's scheduled event and explicit
// manual requests start anything; every other shape (an SNS delivery, an aws.dms event, another rule's or
// another account's schedule, null) and every malformed manual request is refused with InvalidEventError
// before a single port is called, so bad input can never take the lock, touch the rule or start the task.
import { beforeEach, describe, expect, it } from 'vitest';
import { InvalidEventError } from '#shared/errors';
import { createStarterHandler } from '../../../functions/task-starter/app.ts';
import { sampleEvent } from '../../support/events.ts';
import {
  finishedTask,
  ManualClock,
  RecordingAlerts,
  RecordingHistory,
  RecordingLog,
  RecordingMetrics,
  RecordingRule,
  RecordingStore,
  ScriptedTasks,
  starterConfig,
  TASK_ARN,
  task,
} from '../../support/ports.ts';
import { rejection } from '../../support/rejection.ts';

let tasks: ScriptedTasks;
let rule: RecordingRule;
let alerts: RecordingAlerts;
let store: RecordingStore;
let history: RecordingHistory;
let metrics: RecordingMetrics;
let log: RecordingLog;

beforeEach(() => {
  tasks = new ScriptedTasks(task());
  rule = new RecordingRule('ENABLED');
  alerts = new RecordingAlerts();
  store = new RecordingStore();
  history = new RecordingHistory();
  metrics = new RecordingMetrics();
  log = new RecordingLog();
});

const handlerFor = (env: Record<string, string> = {}) =>
  createStarterHandler(
    { tasks, rule, alerts, store, history, metrics, log, clock: new ManualClock().date },
    starterConfig(env),
  );

/** Nothing was read or changed on any port. */
function expectNoPortCalls(): void {
  expect(tasks.describeCalls).toEqual([]);
  expect(tasks.startCalls).toEqual([]);
  expect(rule.calls).toEqual([]);
  expect(store.calls).toEqual([]);
  expect(alerts.published).toEqual([]);
  expect(metrics.recorded).toEqual([]);
}

describe('triggers that start the task', () => {
  it("starts on its own rule's scheduled event, taking the rule, and logs the result", async () => {
    const result = await handlerFor()(sampleEvent('schedule.json'));
    expect(result).toMatchObject({
      outcome: 'started',
      startType: 'start-replication',
      rule: { state: 'DISABLED' },
    });
    expect(tasks.startCalls).toEqual([{ taskArn: TASK_ARN, startType: 'start-replication' }]);
    expect((await store.record())?.run).toMatchObject({
      trigger: 'schedule',
      phase: 'started',
      ruleOwned: true,
    });
    expect(log.entries).toContainEqual(
      expect.objectContaining({ level: 'info', message: 'task-starter: started' }),
    );
  });

  it("takes the console's hello-world test event for a manual run", async () => {
    tasks.snapshot = finishedTask();
    const result = await handlerFor()(sampleEvent('console-test.json'));
    expect(result).toMatchObject({ outcome: 'started', startType: 'reload-target' });
    expect((await store.record())?.run?.trigger).toBe('manual');
  });

  const cdcOneTime = {
    MIGRATION_REFRESH_INDICATOR: 'data-migration',
    MIGRATION_REFRESH_TYPE: 'cdc',
    SCHEDULE_OR_ONE_TIME: 'one-time',
    SCHEDULE_RULE_ARN: '',
  };

  it.each([
    ['override-reload-target.json', {}, finishedTask(), { taskArn: TASK_ARN, startType: 'reload-target' }],
    [
      'cdc-start-position.json',
      cdcOneTime,
      task({ migrationType: 'cdc' }),
      {
        taskArn: TASK_ARN,
        startType: 'start-replication',
        cdcStartPosition: 'mysql-bin-changelog.000024:373',
      },
    ],
  ])('starts as %s asks', async (name, env: Record<string, string>, snapshot, request) => {
    tasks.snapshot = snapshot;
    await handlerFor(env)(sampleEvent(name));
    expect(tasks.startCalls).toEqual([request]);
  });
});

describe('input that starts nothing', () => {
  it.each([
    ['an SNS delivery (sns-started.json)', sampleEvent('sns-started.json'), 'SNS notification'],
    ['an aws.dms event (eventbridge-stopped.json)', sampleEvent('eventbridge-stopped.json'), 'aws.dms event'],
    [
      "another rule's schedule (schedule-other-rule.json)",
      sampleEvent('schedule-other-rule.json'),
      'another rule',
    ],
    [
      'a same-named rule in another account (schedule-same-name-other-account.json)',
      sampleEvent('schedule-same-name-other-account.json'),
      'another rule',
    ],
    [
      'a manual event with an unknown field (manual-unknown-field.json)',
      sampleEvent('manual-unknown-field.json'),
      'force',
    ],
    ['garbage.json', sampleEvent('garbage.json'), 'Records'],
    ['null', null, 'null event'],
    ['a bare string', 'start please', 'bare string'],
  ])('refuses %s with InvalidEventError before any port call', async (_, event, named) => {
    const error = await rejection(handlerFor()(event));
    expect(error).toBeInstanceOf(InvalidEventError);
    expect(String(error)).toContain(named);
    expectNoPortCalls();
    expect(log.entries).toContainEqual(
      expect.objectContaining({ level: 'error', message: 'task-starter failed' }),
    );
  });

  it.each([
    ['override-invalid.json', sampleEvent('override-invalid.json'), 'startType'],
    ['both CDC start fields', { cdcStartTime: '2026-11-20T00:00:00Z', cdcStartPosition: 'x:1' }, 'not both'],
    ['a malformed CDC time', { cdcStartTime: 'yesterday' }, 'cdcStartTime'],
  ])('refuses a manual event with %s, naming the field, before any port call', async (_, event, field) => {
    const error = await rejection(handlerFor()(event));
    expect(error).toBeInstanceOf(InvalidEventError);
    expect(String(error)).toContain(field);
    expectNoPortCalls();
  });

  it('refuses even its own schedule in one-time mode', async () => {
    const error = await rejection(
      handlerFor({ SCHEDULE_OR_ONE_TIME: 'one-time', SCHEDULE_RULE_ARN: '' })(sampleEvent('schedule.json')),
    );
    expect(error).toBeInstanceOf(InvalidEventError);
    expect(String(error)).toContain('one-time');
    expectNoPortCalls();
  });

  it('lets a domain refusal out, logged, having started nothing', async () => {
    tasks.snapshot = task({ identifier: 'another-task' });
    await expect(handlerFor()(sampleEvent('schedule.json'))).rejects.toThrow('REPLICATION_TASK_IDENTIFIER');
    expect(tasks.startCalls).toEqual([]);
    expect(rule.calls).toEqual([]);
    expect(log.entries).toContainEqual(
      expect.objectContaining({ level: 'error', message: 'task-starter failed' }),
    );
  });
});
