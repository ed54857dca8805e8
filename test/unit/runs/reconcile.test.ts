// handleNotice is the post-processor's whole decision: a notice is only a hint, so it must ignore notices
// for other tasks without a single call, settle the run the record holds, adopt a finished run nobody
// recorded only if it is newer than everything accounted for and inside one window that every channel
// shares (an old task state whose record is gone must never run hooks), and, on the tick, report what no
// alert may be able to say (a stuck run, a schedule off with nothing holding it), failing loudly if it cannot.
import { beforeEach, describe, expect, it } from 'vitest';
import type { TaskNotice } from '#shared/notices/notice';
import type { RunDeps } from '#shared/runs/advance';
import { handleNotice, RECONCILE_WINDOW_MS } from '#shared/runs/reconcile';
import { fingerprintOf, type Run, type TaskRecord } from '#shared/runs/run';
import type { RuleState } from '#shared/schedule/rule';
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
  TASK_ARN,
  TASK_ID,
} from '../../support/ports.ts';
import { rejection } from '../../support/rejection.ts';

const SNS: TaskNotice = { channel: 'sns', taskIdentifier: TASK_ID, eventId: 'DMS-EVENT-0079' };
const EVENTBRIDGE: TaskNotice = { channel: 'eventbridge', taskArn: TASK_ARN, eventId: 'DMS-EVENT-0079' };
const TICK: TaskNotice = { channel: 'reconcile' };
const CHANNELS = [
  ['sns', SNS],
  ['eventbridge', EVENTBRIDGE],
  ['reconcile', TICK],
] as const;

const FINISHED = finishedTask();
const STOPPED_AT = FINISHED.stats?.stopDate?.getTime() ?? 0;
const HOUR = 3600_000;
const STALE_RUN_MS = 24 * HOUR;

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
  tasks = new ScriptedTasks(FINISHED);
  rule = new RecordingRule('ENABLED');
  alerts = new RecordingAlerts();
  store = new RecordingStore();
  history = new RecordingHistory();
  metrics = new RecordingMetrics();
  log = new RecordingLog();
  clock = new ManualClock(STOPPED_AT + HOUR);
  hooks = new RecordingHooks([{ name: 'mask-pii', rerunnable: true }, { name: 'notify-team' }]);
});

function deps(overrides: Partial<RunDeps> = {}): RunDeps {
  return {
    tasks,
    rule,
    alerts,
    store,
    history,
    hooks,
    metrics,
    log,
    clock: clock.date,
    remainingTimeMs: () => 900_000,
    invocationId: 'post-processor-1',
    ...overrides,
  };
}

const config = (env: Record<string, string> = {}) => postProcessorConfig(env);
const cdcConfig = () =>
  postProcessorConfig({
    MIGRATION_REFRESH_INDICATOR: 'data-migration',
    MIGRATION_REFRESH_TYPE: 'cdc',
    SCHEDULE_OR_ONE_TIME: 'one-time',
    SCHEDULE_RULE_ARN: '',
  });

async function seed(record: TaskRecord): Promise<void> {
  await seedRecord(store.inner, record);
  store.calls.length = 0;
}

/** Rule calls other than reading its state: what a notice changed about the schedule. */
const ruleWrites = () => rule.calls.filter((call) => call !== 'state');
const metric = (name: 'StuckRuns' | 'ScheduleOffWithoutRun') =>
  metrics.recorded.filter((entry) => entry.name === name).map((entry) => entry.value);

describe('notices for another task', () => {
  it.each([
    ['an SNS notice naming another task', { channel: 'sns', taskIdentifier: 'someone-elses-task' }],
    ['an EventBridge notice for another ARN', { channel: 'eventbridge', taskArn: `${TASK_ARN}X` }],
  ] as const)('ignores %s without a single call', async (_, notice) => {
    const result = await handleNotice(deps(), config(), notice);
    expect(result.action).toBe('ignored');
    expect(result.action === 'ignored' && result.reason).toContain('names another task');
    expect(store.calls).toEqual([]);
    expect(tasks.describeCalls).toEqual([]);
    expect(rule.calls).toEqual([]);
    expect(metrics.recorded).toEqual([]);
  });
});

describe('with no run active', () => {
  it.each([
    ['equal to', fingerprintOf(FINISHED)],
    ['older than', fingerprintOf(FINISHED) + 1],
  ])('ignores a finished task whose fingerprint is %s what the record has seen: settled already', async (_, seen) => {
    await seed({
      seen,
      run: runFixture({ phase: 'released', outcome: { kind: 'succeeded', explanation: 'ok' } }),
    });
    for (const notice of [SNS, EVENTBRIDGE]) {
      expect(await handleNotice(deps(), config(), notice)).toEqual({
        action: 'ignored',
        reason: "the task's last run was settled already",
      });
    }
    expect(rule.calls).toEqual([]);
    expect(alerts.published).toEqual([]);
    expect(hooks.ran).toEqual([]);
    expect(store.calls.filter((call) => call === 'save')).toEqual([]);
  });

  it('ignores a task that is still running: nothing to settle yet', async () => {
    tasks.snapshot = finishedTask({ status: 'running', stopReason: undefined });
    const result = await handleNotice(deps(), config(), SNS);
    expect(result).toMatchObject({ action: 'ignored', reason: expect.stringContaining('task is running') });
    expect(await store.record()).toBeUndefined();
  });

  it.each(
    CHANNELS,
  )('adopts a newer finished run nobody recorded (via %s): hooks once, the rule never enabled', async (_, notice) => {
    rule.current = 'DISABLED';
    await seed({ seen: STOPPED_AT - 24 * HOUR });
    const result = await handleNotice(deps(), config(), notice);
    expect(result).toMatchObject({
      action: 'advanced',
      adopted: true,
      run: { state: 'released', outcome: 'succeeded', succeeded: true, ruleDecision: 'none' },
    });
    expect(hooks.ran).toEqual(['mask-pii', 'notify-team']);
    const record = await store.record();
    expect(record?.run).toMatchObject({
      trigger: 'adopted',
      ruleOwned: false,
      before: STOPPED_AT - 24 * HOUR,
      phase: 'released',
      createdAt: clock.date().toISOString(),
    });
    expect(record?.seen).toBe(fingerprintOf(FINISHED));
    expect(ruleWrites()).toEqual([]);
    expect(rule.current).toBe('DISABLED');
    expect(alerts.published).toEqual([]);

    // The next copy of the notice finds the run accounted for.
    expect(await handleNotice(deps(), config(), notice)).toMatchObject({ action: 'ignored' });
    expect(hooks.ran).toEqual(['mask-pii', 'notify-team']);
  });

  it('adopts a failed run with an alert that says the rule was not its to change', async () => {
    tasks.snapshot = finishedTask({
      status: 'failed',
      stopReason: undefined,
      lastFailureMessage: 'ORA-00942',
    });
    const result = await handleNotice(deps(), config(), EVENTBRIDGE);
    expect(result).toMatchObject({ action: 'advanced', adopted: true, run: { outcome: 'failed' } });
    expect(hooks.ran).toEqual([]);
    expect(alerts.published).toHaveLength(1);
    expect(alerts.published[0]?.message).toContain('was not disabled by this run, so it is left as it is');
    expect(rule.calls).toEqual([]);
  });

  it.each(
    CHANNELS.flatMap(([name, notice]) => [
      [name, 'no record at all', notice, undefined],
      [name, 'an older record', notice, { seen: STOPPED_AT - 30 * 24 * HOUR }],
    ]),
  )('ignores, via %s with %s, a run that ended before the window: it never runs hooks', async (_, _record, notice, record) => {
    if (record) await seed(record);
    clock.now = STOPPED_AT + RECONCILE_WINDOW_MS + 1;
    const result = await handleNotice(deps(), config(), notice);
    expect(result).toEqual({
      action: 'ignored',
      reason: "the task's last run ended before the reconcile window; it is not settled now",
    });
    expect(hooks.ran).toEqual([]);
    expect(alerts.published).toEqual([]);
    expect(ruleWrites()).toEqual([]);
    expect(store.calls.filter((call) => call === 'save')).toEqual([]);
  });

  it('still adopts a run that ended exactly at the edge of the window', async () => {
    clock.now = STOPPED_AT + RECONCILE_WINDOW_MS;
    expect(await handleNotice(deps(), config(), SNS)).toMatchObject({ action: 'advanced', adopted: true });
  });
});

describe('with a run active', () => {
  it.each(CHANNELS)('settles the recorded run from what DMS shows (via %s)', async (_, notice) => {
    rule.current = 'DISABLED';
    await seed({ seen: 0, run: runFixture({ phase: 'started' }) });
    const result = await handleNotice(deps(), config(), notice);
    expect(result).toMatchObject({
      action: 'advanced',
      adopted: false,
      run: { state: 'released', ruleDecision: 'enable' },
    });
    expect(hooks.ran).toEqual(['mask-pii', 'notify-team']);
    expect(rule.current).toBe('ENABLED');
  });
});

describe('the reconcile tick: health', () => {
  const runningTask = finishedTask({ status: 'running', stopReason: undefined });
  const ageOf = (run: Partial<Run>, ageMs: number) =>
    runFixture({ ...run, createdAt: new Date(clock.now - ageMs).toISOString() });

  it.each([
    ['a full-load run waiting past STALE_RUN_HOURS', STALE_RUN_MS + 1, 1],
    ['a full-load run younger than STALE_RUN_HOURS', STALE_RUN_MS - HOUR, 0],
  ] as const)('counts %s on StuckRuns', async (_, age, stuck) => {
    tasks.snapshot = runningTask;
    await seed({ seen: 0, run: ageOf({ phase: 'started' }, age) });
    await handleNotice(deps(), config(), TICK);
    expect(metric('StuckRuns')).toEqual([stuck]);
    const stuckLogs = log.entries.filter((entry) => entry.message === 'a run is stuck');
    expect(stuckLogs).toHaveLength(stuck);
  });

  it('does not count a change-capture run that is still capturing, however old', async () => {
    tasks.snapshot = finishedTask({ migrationType: 'cdc', status: 'running', stopReason: undefined });
    await seed({ seen: 0, run: ageOf({ phase: 'started' }, 30 * 24 * HOUR) });
    await handleNotice(deps({ rule: undefined }), cdcConfig(), TICK);
    expect(metric('StuckRuns')).toEqual([0]);
  });

  it('counts a change-capture run stuck anywhere else', async () => {
    tasks.snapshot = finishedTask({ migrationType: 'cdc' });
    const leased = {
      name: 'mask-pii',
      status: 'running',
      rerunnable: true,
      attempts: 1,
      owner: 'other',
    } as const;
    await seed({
      seen: 0,
      run: ageOf(
        {
          phase: 'hooks',
          outcome: { kind: 'succeeded', explanation: 'ok' },
          hooks: [
            { ...leased, leaseUntil: clock.now + HOUR },
            { name: 'notify-team', status: 'pending', rerunnable: false, attempts: 0 },
          ],
        },
        STALE_RUN_MS + 1,
      ),
    });
    await handleNotice(deps({ rule: undefined }), cdcConfig(), TICK);
    expect(metric('StuckRuns')).toEqual([1]);
  });

  it.each([
    ['disabled, with no run and no hold-off', 'DISABLED', false, 1],
    ['disabled by the failure policy (a hold-off)', 'DISABLED', true, 0],
    ['enabled', 'ENABLED', false, 0],
  ] as const)('counts a schedule %s on ScheduleOffWithoutRun', async (_, state: RuleState, holdOff, off) => {
    rule.current = state;
    await seed({
      seen: fingerprintOf(FINISHED),
      ...(holdOff && { holdOff: { runId: 'failed-run', since: '2026-11-22T01:00:00.000Z' } }),
    });
    await handleNotice(deps(), config(), TICK);
    expect(metric('ScheduleOffWithoutRun')).toEqual([off]);
    expect(metric('StuckRuns')).toEqual([0]);
    expect(ruleWrites()).toEqual([]);
  });

  it('does not count a schedule a run holds off', async () => {
    rule.current = 'DISABLED';
    tasks.snapshot = runningTask;
    await seed({ seen: 0, run: runFixture({ phase: 'started' }) });
    await handleNotice(deps(), config(), TICK);
    expect(metric('ScheduleOffWithoutRun')).toEqual([0]);
  });

  it('ends a hold-off once it finds the rule enabled again (a person turned it on)', async () => {
    const holdOff = { runId: 'failed-run', since: '2026-11-22T01:00:00.000Z' };
    await seed({ seen: fingerprintOf(FINISHED), holdOff });
    await handleNotice(deps(), config(), TICK);
    expect(await store.record()).toEqual({ seen: fingerprintOf(FINISHED) });

    rule.current = 'DISABLED';
    await handleNotice(deps(), config(), TICK);
    expect(metric('ScheduleOffWithoutRun')).toEqual([0, 1]);
  });

  it('reports nothing about health on a notice that is not the tick', async () => {
    tasks.snapshot = runningTask;
    await seed({ seen: 0, run: ageOf({ phase: 'started' }, 30 * 24 * HOUR) });
    await handleNotice(deps(), config(), SNS);
    expect(metric('StuckRuns')).toEqual([]);
    expect(metric('ScheduleOffWithoutRun')).toEqual([]);
  });

  it('fails the tick when health cannot be reported, even after the run was settled', async () => {
    rule.current = 'DISABLED';
    rule.failOn = 'state';
    await seed({ seen: 0, run: runFixture({ phase: 'started' }) });
    await expect(handleNotice(deps(), config(), TICK)).rejects.toThrow(
      'ConcurrentModificationException: state failed',
    );
    expect((await store.record())?.run?.phase).toBe('released');
    expect(hooks.ran).toEqual(['mask-pii', 'notify-team']);
  });

  it('reports health even when settling fails, and fails with the settle error', async () => {
    const throttled = new Error('ThrottlingException: Rate exceeded');
    tasks.describe = async () => {
      throw throttled;
    };
    rule.current = 'DISABLED';
    expect(await rejection(handleNotice(deps(), config(), TICK))).toBe(throttled);
    expect(metric('ScheduleOffWithoutRun')).toEqual([1]);
  });

  it('fails with the settle error when health fails too, logging the second', async () => {
    const throttled = new Error('ThrottlingException: Rate exceeded');
    tasks.describe = async () => {
      throw throttled;
    };
    rule.failOn = 'state';
    expect(await rejection(handleNotice(deps(), config(), TICK))).toBe(throttled);
    expect(log.entries).toContainEqual(
      expect.objectContaining({ level: 'error', message: 'run health could not be reported either' }),
    );
  });
});

describe('adopting against a race', () => {
  it('adopts nothing when another invocation settled the same end between the read and the write', async () => {
    const settledMeanwhile: TaskRecord = {
      seen: fingerprintOf(FINISHED),
      run: runFixture({ phase: 'released', outcome: { kind: 'succeeded', explanation: 'ok' } }),
    };
    await seed(settledMeanwhile);
    // This invocation read the record before the other one settled the run: nothing accounted for yet.
    let first = true;
    const racing: RunDeps['store'] = {
      load: async (taskArn) => {
        if (!first) return store.load(taskArn);
        first = false;
        return { record: { seen: 0 }, version: 0 };
      },
      save: (taskArn, record, expectedVersion) => store.save(taskArn, record, expectedVersion),
    };
    await handleNotice(deps({ store: racing }), config(), SNS);
    expect((await store.record())?.run?.id).toBe(settledMeanwhile.run?.id);
    expect(hooks.ran).toEqual([]);
    expect(alerts.published).toEqual([]);
  });
});
