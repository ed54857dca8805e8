// The post-processor handler over every sample event: notices for this task move its recorded run on (from
// what DMS shows, not from the notice); the reconcile rule's tick also reports health; everything else
// (other tasks, other sources, another schedule, garbage) is logged, counted on InputsIgnored and ignored
// without failing the invocation or changing anything; a step the run still owes fails it, so Lambda retries.
import type { Context } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import { StepFailedError } from '#shared/errors';
import { LEASE_GRACE_MS } from '#shared/runs/advance';
import type { HookProgress } from '#shared/runs/run';
import { createPostProcessorHandler } from '../../../functions/post-processor/app.ts';
import { sampleEvent } from '../../support/events.ts';
import {
  finishedTask,
  ManualClock,
  postProcessorConfig,
  RecordingAlerts,
  RecordingHistory,
  RecordingHooks,
  RecordingLog,
  RecordingMetrics,
  RecordingRule,
  RecordingStore,
  runFixture,
  ScriptedTasks,
  seedRecord,
} from '../../support/ports.ts';
import { rejection } from '../../support/rejection.ts';

const STOPPED_AT = finishedTask().stats?.stopDate?.getTime() ?? 0;

let tasks: ScriptedTasks;
let rule: RecordingRule;
let alerts: RecordingAlerts;
let store: RecordingStore;
let history: RecordingHistory;
let metrics: RecordingMetrics;
let log: RecordingLog;
let clock: ManualClock;
let hooks: RecordingHooks;

beforeEach(() => {
  tasks = new ScriptedTasks(finishedTask());
  rule = new RecordingRule('DISABLED');
  alerts = new RecordingAlerts();
  store = new RecordingStore();
  history = new RecordingHistory();
  metrics = new RecordingMetrics();
  log = new RecordingLog();
  clock = new ManualClock(STOPPED_AT + 3600_000);
  hooks = new RecordingHooks([{ name: 'mask-pii', rerunnable: true }]);
});

const handler = () =>
  createPostProcessorHandler(
    { tasks, rule, alerts, store, history, hooks, metrics, log, clock: clock.date },
    postProcessorConfig(),
  );

/** The scheduled run the task-starter recorded, waiting on DMS. */
async function aRunIsStarted(): Promise<void> {
  await seedRecord(store.inner, { seen: 0, run: runFixture({ phase: 'started' }) });
  store.calls.length = 0;
}

function lambdaContext(requestId: string, remainingMs: number): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'post-processor',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:post-processor',
    memoryLimitInMB: '512',
    awsRequestId: requestId,
    logGroupName: '/aws/lambda/post-processor',
    logStreamName: 'stream',
    getRemainingTimeInMillis: () => remainingMs,
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

describe('notices for this task', () => {
  it.each([
    'sns-stopped-full-load-finished.json',
    'sns-stopped-full-load-finished-shape-b.json',
    'eventbridge-stopped.json',
  ])('%s settles the finished run: hooks once, rule enabled', async (name) => {
    await aRunIsStarted();
    const result = await handler()(sampleEvent(name));
    expect(result).toEqual({
      rejected: 0,
      results: [
        {
          action: 'advanced',
          adopted: false,
          run: expect.objectContaining({ state: 'released', succeeded: true, ruleDecision: 'enable' }),
        },
      ],
    });
    expect(hooks.ran).toEqual(['mask-pii']);
    expect(rule.current).toBe('ENABLED');
    expect(alerts.published).toEqual([]);
  });

  it.each([
    'sns-started.json',
    'sns-started-shape-b.json',
    'eventbridge-started-documented.json',
  ])('%s while the task runs: waits, changing nothing', async (name) => {
    tasks.snapshot = finishedTask({ status: 'running', stopReason: undefined });
    await aRunIsStarted();
    const result = await handler()(sampleEvent(name));
    expect(result.results).toEqual([
      expect.objectContaining({ action: 'advanced', run: expect.objectContaining({ state: 'waiting' }) }),
    ]);
    expect(store.calls.filter((call) => call === 'save')).toEqual([]);
    expect(rule.calls).toEqual([]);
    expect(hooks.ran).toEqual([]);
  });

  it.each([
    'sns-failed.json',
    'sns-failed-shape-b.json',
    'eventbridge-failed.json',
  ])('%s with a failed task: one alert, no hooks', async (name) => {
    tasks.snapshot = finishedTask({
      status: 'failed',
      stopReason: undefined,
      lastFailureMessage: 'ORA-00942',
    });
    await aRunIsStarted();
    const result = await handler()(sampleEvent(name));
    expect(result.results).toEqual([
      expect.objectContaining({ run: expect.objectContaining({ state: 'released', outcome: 'failed' }) }),
    ]);
    expect(hooks.ran).toEqual([]);
    expect(alerts.published).toHaveLength(1);
  });

  it("leases a hook to this invocation until the function's own deadline, plus the grace", async () => {
    let leased: HookProgress | undefined;
    hooks = new RecordingHooks([
      {
        name: 'mask-pii',
        during: async () => {
          leased = (await store.record())?.run?.hooks?.[0];
        },
      },
    ]);
    await aRunIsStarted();
    await handler()(sampleEvent('eventbridge-stopped.json'), lambdaContext('req-42', 120_000));
    expect(leased).toMatchObject({ status: 'running', leaseUntil: clock.now + 120_000 + LEASE_GRACE_MS });
    expect(leased?.owner).toMatch(/^req-42~/);
  });
});

describe('input that changes nothing', () => {
  it.each([
    ['sns-foreign-task.json', 0],
    ['eventbridge-foreign-task.json', 0],
    ['sns-replication-instance.json', 1],
    ['eventbridge-instance-state-change.json', 1],
    ['eventbridge-serverless-failed.json', 1],
    ['sns-garbage-message.json', 1],
    ['garbage.json', 1],
    ['console-test.json', 1],
    ['schedule.json', 1],
    ['schedule-other-rule.json', 1],
  ])('%s is ignored without failing, and counted when it is not a notice', async (name, rejected) => {
    await aRunIsStarted();
    const result = await handler()(sampleEvent(name));
    expect(result.rejected).toBe(rejected);
    expect(result.results.every((entry) => entry.action === 'ignored')).toBe(true);
    expect(metrics.total('InputsIgnored')).toBe(rejected);
    expect(metrics.recorded.filter((entry) => entry.name !== 'InputsIgnored')).toEqual([]);
    expect(tasks.describeCalls).toEqual([]);
    expect(store.calls).toEqual([]);
    expect(rule.calls).toEqual([]);
    expect(alerts.published).toEqual([]);
    expect(hooks.ran).toEqual([]);
    if (rejected > 0) {
      expect(log.entries).toContainEqual(
        expect.objectContaining({ level: 'warn', message: 'input ignored' }),
      );
    }
  });

  it.each([
    null,
    42,
    'text',
    [],
    { Records: [] },
    { Records: [{ EventSource: 'aws:sns' }] },
  ])('survives %j, counting it', async (event) => {
    const result = await handler()(event);
    expect(result).toEqual({ results: [], rejected: 1 });
    expect(metrics.total('InputsIgnored')).toBe(1);
    expect(tasks.describeCalls).toEqual([]);
  });
});

describe('the reconcile tick', () => {
  it('takes events/reconcile.json for a tick: it settles and reports health', async () => {
    await aRunIsStarted();
    const result = await handler()(sampleEvent('reconcile.json'));
    expect(result.rejected).toBe(0);
    expect(result.results).toEqual([
      expect.objectContaining({ action: 'advanced', run: expect.objectContaining({ state: 'released' }) }),
    ]);
    expect(hooks.ran).toEqual(['mask-pii']);
    expect(metrics.recorded).toContainEqual({ name: 'StuckRuns', value: 0, kind: 'count' });
    expect(metrics.recorded).toContainEqual({ name: 'ScheduleOffWithoutRun', value: 0, kind: 'count' });
  });

  it("does not take the schedule rule's event (events/schedule.json) for a tick", async () => {
    const result = await handler()(sampleEvent('schedule.json'));
    expect(result).toEqual({ results: [], rejected: 1 });
    expect(metrics.recorded).toEqual([{ name: 'InputsIgnored', value: 1, kind: 'count' }]);
    expect(rule.calls).toEqual([]);
  });
});

describe('failures that must be retried', () => {
  it('rethrows a StepFailedError (an alert still owed), so Lambda retries the invocation', async () => {
    tasks.snapshot = finishedTask({ status: 'failed', stopReason: undefined });
    alerts.failures = 1;
    await aRunIsStarted();
    const error = await rejection(handler()(sampleEvent('sns-failed.json')));
    expect(error).toBeInstanceOf(StepFailedError);
    expect(log.entries).toContainEqual(
      expect.objectContaining({ level: 'error', message: 'post-processor failed' }),
    );
    expect((await store.record())?.run?.phase).toBe('finished');

    // The retry sends it.
    expect((await handler()(sampleEvent('sns-failed.json'))).results).toEqual([
      expect.objectContaining({ run: expect.objectContaining({ state: 'released' }) }),
    ]);
    expect(alerts.published).toHaveLength(1);
  });

  it('rethrows a StepFailedError when the rule cannot be given back, keeping the lock', async () => {
    rule.failOn = 'enable';
    await aRunIsStarted();
    expect(await rejection(handler()(sampleEvent('eventbridge-stopped.json')))).toBeInstanceOf(
      StepFailedError,
    );
    expect((await store.record())?.run?.phase).toBe('notified');
  });

  it('fails the invocation when DMS cannot be read, having changed nothing', async () => {
    tasks.describe = async () => {
      throw new Error('ThrottlingException: Rate exceeded');
    };
    await aRunIsStarted();
    await expect(handler()(sampleEvent('sns-stopped-full-load-finished.json'))).rejects.toThrow(
      'ThrottlingException',
    );
    expect(store.calls.filter((call) => call === 'save')).toEqual([]);
    expect(rule.calls).toEqual([]);
    expect(log.entries).toContainEqual(
      expect.objectContaining({ level: 'error', message: 'post-processor failed' }),
    );
  });
});

describe('the milestone tick (full-load-and-cdc)', () => {
  const cdcConfig = (env: Record<string, string> = {}) =>
    postProcessorConfig({
      MIGRATION_REFRESH_INDICATOR: 'data-migration',
      MIGRATION_REFRESH_TYPE: 'full-load-and-cdc',
      SCHEDULE_OR_ONE_TIME: 'one-time',
      SCHEDULE_RULE_ARN: '',
      MILESTONE_RULE_ARN: 'arn:aws:events:us-east-1:123456789012:rule/dms-scheduler-milestone-tick',
      ...env,
    });
  const cdcHandler = (config = cdcConfig()) =>
    createPostProcessorHandler(
      { tasks, rule: undefined, alerts, store, history, hooks, metrics, log, clock: clock.date },
      config,
    );

  it('takes events/milestone-tick.json for a milestone tick: the run’s full load finished, its hooks run', async () => {
    const started = new Date(STOPPED_AT - 3600_000);
    tasks.snapshot = finishedTask({
      status: 'running',
      migrationType: 'full-load-and-cdc',
      stopReason: undefined,
      lastStartDate: started,
      stats: {
        startDate: started,
        fullLoadStartDate: started,
        fullLoadFinishDate: new Date(STOPPED_AT),
        fullLoadProgressPercent: 100,
        tablesLoaded: 12,
      },
    });
    await seedRecord(store.inner, {
      seen: 0,
      run: runFixture({
        phase: 'started',
        trigger: 'manual',
        ruleOwned: false,
        startType: 'start-replication',
      }),
    });
    const result = await cdcHandler()(sampleEvent('milestone-tick.json'));
    expect(result.rejected).toBe(0);
    expect(result.results).toEqual([
      expect.objectContaining({ action: 'advanced', run: expect.objectContaining({ state: 'waiting' }) }),
    ]);
    expect(hooks.ran).toEqual(['mask-pii']);
    expect(alerts.published.map((alert) => alert.id)).toEqual([`${runFixture().id}:cutover`]);
    // No health report: that is the hourly tick's.
    expect(metrics.recorded.filter((entry) => entry.name === 'StuckRuns')).toEqual([]);
  });

  it('refuses it in a stack without the milestone rule, and reads nothing', async () => {
    const result = await handler()(sampleEvent('milestone-tick.json'));
    expect(result).toEqual({ results: [], rejected: 1 });
    expect(store.calls).toEqual([]);
    expect(tasks.describeCalls).toEqual([]);
  });
});
