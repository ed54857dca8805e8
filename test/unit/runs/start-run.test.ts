// startRun is where a run takes the task's lock and the schedule: it must check everything it can before
// it writes anything, take the lock (a conditional write) before it touches the rule, record the start
// request before it calls DMS, read the task again before it undoes a start that failed, and end a start DMS
// refused with exactly one alert and the rule handled by the failure policy, never a silently dead schedule.
import { beforeEach, describe, expect, it } from 'vitest';
import type { StarterConfig } from '#shared/config';
import type { StartRequest, TaskSnapshot } from '#shared/dms/task';
import {
  FirstRunOnlyError,
  StartRefusedError,
  StartTypeRefusedError,
  StepFailedError,
  TaskMismatchError,
} from '#shared/errors';
import { advanceRun, START_GRACE_MS } from '#shared/runs/advance';
import { activeRun, fingerprintOf, type Phase, type TaskRecord } from '#shared/runs/run';
import { type StarterDeps, startRun } from '#shared/runs/start-run';
import { StoreContentionError } from '#shared/runs/store';
import type { Trigger } from '#shared/runs/trigger';
import type { RuleState } from '#shared/schedule/rule';
import {
  finishedTask,
  ManualClock,
  RecordingAlerts,
  RecordingHistory,
  RecordingHooks,
  RecordingLog,
  RecordingMetrics,
  RecordingRule,
  RecordingStore,
  RULE_ARN,
  RULE_NAME,
  runFixture,
  ScriptedTasks,
  seedRecord,
  starterConfig,
  TASK_ARN,
  TASK_ID,
  task,
} from '../../support/ports.ts';
import { rejection } from '../../support/rejection.ts';

const scheduled: Trigger = { kind: 'schedule', ruleArn: RULE_ARN };
const manual: Trigger = { kind: 'manual' };

/** One list of the calls made to every port, in the order they were made. */
let order: string[];

/** DMS as a script; `onStart` lets a test change what DMS shows once a start was asked for. */
class OrderedTasks extends ScriptedTasks {
  onStart: ((request: StartRequest) => void) | undefined;

  override async describe(taskArn: string): Promise<TaskSnapshot> {
    order.push('dms.describe');
    return super.describe(taskArn);
  }

  override async start(request: StartRequest): Promise<void> {
    order.push(`dms.start ${request.startType}`);
    this.onStart?.(request);
    return super.start(request);
  }
}

class OrderedRule extends RecordingRule {
  /** DisableRule takes effect, but its answer is lost (the call throws). */
  disableAnswerLost = false;
  /** Reading the state fails from the n-th read on (1-based). */
  stateFailsFrom = Number.POSITIVE_INFINITY;

  override async state(): Promise<RuleState> {
    order.push('rule.state');
    if (this.calls.filter((call) => call === 'state').length + 1 >= this.stateFailsFrom) {
      this.calls.push('state');
      throw new Error('ThrottlingException: Rate exceeded');
    }
    return super.state();
  }

  override async disable(): Promise<void> {
    order.push('rule.disable');
    if (this.disableAnswerLost) {
      this.calls.push('disable');
      this.current = 'DISABLED';
      throw new Error('socket hang up');
    }
    return super.disable();
  }

  override async enable(): Promise<void> {
    order.push('rule.enable');
    return super.enable();
  }
}

class OrderedStore extends RecordingStore {
  override async save(taskArn: string, record: TaskRecord, expectedVersion: number): Promise<boolean> {
    const run = record.run;
    order.push(`store.save ${run?.phase}${run?.startRequestedAt ? ' (start requested)' : ''}`);
    return super.save(taskArn, record, expectedVersion);
  }
}

let tasks: OrderedTasks;
let rule: OrderedRule;
let alerts: RecordingAlerts;
let store: OrderedStore;
let history: RecordingHistory;
let metrics: RecordingMetrics;
let log: RecordingLog;
let clock: ManualClock;

beforeEach(() => {
  order = [];
  tasks = new OrderedTasks(task());
  rule = new OrderedRule('ENABLED');
  alerts = new RecordingAlerts();
  store = new OrderedStore();
  history = new RecordingHistory();
  metrics = new RecordingMetrics();
  log = new RecordingLog();
  clock = new ManualClock();
});

function deps(overrides: Partial<StarterDeps> = {}): StarterDeps {
  return {
    tasks,
    rule,
    alerts,
    store,
    history,
    metrics,
    log,
    clock: clock.date,
    remainingTimeMs: () => 60_000,
    invocationId: 'starter-1',
    ...overrides,
  };
}

const stored = () => store.record();
const saves = () => store.calls.filter((call) => call === 'save').length;

/** A finished task whose every date is a day after finishedTask()'s: a run that ended after the one before. */
function laterFinishedTask(): TaskSnapshot {
  const day = 24 * 3600_000;
  const shift = (date: Date | undefined) => (date ? new Date(date.getTime() + day) : undefined);
  const base = finishedTask();
  return finishedTask({
    lastStartDate: shift(base.lastStartDate),
    stats: {
      ...base.stats,
      startDate: shift(base.stats?.startDate),
      fullLoadStartDate: shift(base.stats?.fullLoadStartDate),
      fullLoadFinishDate: shift(base.stats?.fullLoadFinishDate),
      stopDate: shift(base.stats?.stopDate),
    },
  });
}

/** The post-processor's side: DMS shows the run finished, and the next invocation settles it. */
async function finishTheRun(config: StarterConfig = starterConfig()) {
  tasks.snapshot = laterFinishedTask();
  clock.advance(45 * 60_000);
  return advanceRun({ ...deps({ invocationId: 'post-processor-1' }), hooks: new RecordingHooks([]) }, config);
}

const oneTime = (env: Record<string, string> = {}) =>
  starterConfig({ SCHEDULE_OR_ONE_TIME: 'one-time', SCHEDULE_RULE_ARN: '', ...env });

describe('a run that starts', () => {
  it('starts a first run with start-replication, records it, and switches the schedule off', async () => {
    const result = await startRun(deps(), starterConfig(), scheduled);
    expect(result).toMatchObject({
      outcome: 'started',
      startType: 'start-replication',
      reason: 'first run of the task',
      task: { identifier: TASK_ID, status: 'ready' },
      rule: { name: RULE_NAME, state: 'DISABLED' },
    });
    expect(tasks.startCalls).toEqual([{ taskArn: TASK_ARN, startType: 'start-replication' }]);
    expect(rule.current).toBe('DISABLED');
    expect((await stored())?.run).toEqual({
      id: result.runId,
      trigger: 'schedule',
      phase: 'started',
      createdAt: clock.date().toISOString(),
      updatedAt: clock.date().toISOString(),
      before: 0,
      startType: 'start-replication',
      startRequestedAt: clock.date().toISOString(),
      ruleOwned: true,
      outbox: [],
    });
    expect(metrics.total('RunsStarted')).toBe(1);
    expect(alerts.published).toEqual([]);
  });

  it.each([
    ['a finished full load', 'reload-target', finishedTask(), starterConfig()],
    [
      'a failed full load',
      'reload-target',
      finishedTask({ status: 'failed', stopReason: undefined }),
      starterConfig(),
    ],
    [
      'a stopped cdc task (one-time)',
      'resume-processing',
      finishedTask({ migrationType: 'cdc', stopReason: 'Stop Reason NORMAL' }),
      oneTime({ MIGRATION_REFRESH_INDICATOR: 'data-migration', MIGRATION_REFRESH_TYPE: 'cdc' }),
    ],
  ] as const)('re-runs %s with %s, remembering the task as it was', async (_, startType, snapshot, config) => {
    tasks.snapshot = snapshot;
    const result = await startRun(deps(), config, manual);
    expect(result).toMatchObject({ outcome: 'started', startType });
    expect(tasks.startCalls).toEqual([{ taskArn: TASK_ARN, startType }]);
    expect((await stored())?.run?.before).toBe(fingerprintOf(snapshot));
  });

  it('takes the lock before it touches the rule, and records the request before it calls DMS', async () => {
    await startRun(deps(), starterConfig(), scheduled);
    expect(order).toEqual([
      'dms.describe',
      'rule.state',
      'store.save starting',
      'rule.disable',
      'store.save starting (start requested)',
      'dms.start start-replication',
      'store.save started (start requested)',
    ]);
  });

  it('goes on under its lock when DisableRule fails, and disowns the rule it never switched off', async () => {
    rule.failOn = 'disable';
    const result = await startRun(deps(), starterConfig(), scheduled);
    expect(result).toMatchObject({ outcome: 'started', rule: { state: 'ENABLED' } });
    expect(tasks.startCalls).toHaveLength(1);
    expect(activeRun(await stored())?.ruleOwned).toBe(false);
    expect(log.entries).toContainEqual(
      expect.objectContaining({ level: 'warn', message: expect.stringContaining('could not be disabled') }),
    );

    // A person switches the schedule off while the run goes on: the run's end must not switch it on.
    rule.failOn = undefined;
    rule.current = 'DISABLED';
    expect(await finishTheRun()).toMatchObject({ state: 'released', ruleDecision: 'none' });
    expect(rule.calls).not.toContain('enable');
    expect(rule.current).toBe('DISABLED');
  });

  it('lets go of the rule when it cannot be read after DisableRule failed, and never enables it', async () => {
    // In doubt the run lets go: a rule left off by mistake is reported by the tick's alarm, whereas a
    // person's hand-disable overridden at the end would be told to no one.
    rule.failOn = 'disable';
    rule.stateFailsFrom = 2;
    const result = await startRun(deps(), starterConfig(), scheduled);
    expect(result).toMatchObject({ outcome: 'started' });
    expect(activeRun(await stored())?.ruleOwned).toBe(false);

    rule.failOn = undefined;
    rule.stateFailsFrom = Number.POSITIVE_INFINITY;
    rule.current = 'DISABLED';
    expect(await finishTheRun()).toMatchObject({ state: 'released', ruleDecision: 'none' });
    expect(rule.calls).not.toContain('enable');
    expect(rule.current).toBe('DISABLED');
  });

  it.each([
    ['DisableRule took effect although its answer was lost', { disableAnswerLost: true }],
  ])('keeps the rule when %s, and gives it back at the end', async (_, setup) => {
    if ('disableAnswerLost' in setup) rule.disableAnswerLost = true;
    const result = await startRun(deps(), starterConfig(), scheduled);
    expect(result).toMatchObject({ outcome: 'started', rule: { state: 'DISABLED' } });
    expect(activeRun(await stored())?.ruleOwned).toBe(true);

    rule.failOn = undefined;
    rule.stateFailsFrom = Number.POSITIVE_INFINITY;
    rule.current = 'DISABLED';
    expect(await finishTheRun()).toMatchObject({ state: 'released', ruleDecision: 'enable' });
    expect(rule.current).toBe('ENABLED');
  });

  it('retries start-replication once with the re-run type when DMS says the task ran before', async () => {
    tasks.startErrors = [
      new FirstRunOnlyError(
        'Start Type : START_REPLICATION, valid only for tasks running for the first time',
      ),
    ];
    const result = await startRun(deps(), starterConfig(), scheduled);
    expect(tasks.startCalls.map((call) => call.startType)).toEqual(['start-replication', 'reload-target']);
    expect(result).toMatchObject({
      outcome: 'started',
      startType: 'reload-target',
      reason: 'DMS refused start-replication: the task has run before',
    });
    expect((await stored())?.run?.phase).toBe('started');
    expect(alerts.published).toEqual([]);
  });
});

describe('start type overrides', () => {
  it.each([
    ['start-replication', finishedTask()],
    ['reload-target', task()],
    ['resume-processing', finishedTask()],
  ] as const)('refuses %s on a task that cannot take it, before writing or touching anything', async (startType, snapshot) => {
    tasks.snapshot = snapshot;
    const error = await rejection(startRun(deps(), starterConfig(), { kind: 'manual', startType }));
    expect(error).toBeInstanceOf(StartTypeRefusedError);
    expect(saves()).toBe(0);
    expect(await stored()).toBeUndefined();
    expect(rule.calls).toEqual([]);
    expect(tasks.startCalls).toEqual([]);
  });

  it("prefers the event's override to the configured one", async () => {
    tasks.snapshot = finishedTask();
    const result = await startRun(deps(), starterConfig({ START_TYPE_OVERRIDE: 'start-replication' }), {
      kind: 'manual',
      startType: 'reload-target',
    });
    expect(result).toMatchObject({
      outcome: 'started',
      startType: 'reload-target',
      reason: 'explicit override',
    });
  });

  it('uses the configured override when the event has none', async () => {
    tasks.snapshot = finishedTask();
    await startRun(deps(), starterConfig({ START_TYPE_OVERRIDE: 'reload-target' }), scheduled);
    expect(tasks.startCalls.map((call) => call.startType)).toEqual(['reload-target']);
  });
});

describe('nothing is started, and nothing changes', () => {
  it.each([
    ['identifier', task({ identifier: 'another-name' }), 'REPLICATION_TASK_IDENTIFIER'],
    ['migration type', task({ migrationType: 'cdc' }), 'MIGRATION_REFRESH_TYPE'],
  ])('refuses a task whose %s is not the configured one', async (_, snapshot, setting) => {
    tasks.snapshot = snapshot;
    const error = await rejection(startRun(deps(), starterConfig(), scheduled));
    expect(error).toBeInstanceOf(TaskMismatchError);
    expect(String(error)).toContain(setting);
    expect(saves()).toBe(0);
    expect(rule.calls).toEqual([]);
    expect(tasks.startCalls).toEqual([]);
  });

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
  ])('skips a task that is %s, taking no lock and leaving the rule alone', async (status) => {
    tasks.snapshot = finishedTask({ status });
    const result = await startRun(deps(), starterConfig(), scheduled);
    expect(result).toMatchObject({ outcome: 'skipped', rule: { state: 'untouched' } });
    expect(result.reason).toContain(`status ${status}`);
    expect(saves()).toBe(0);
    expect(rule.calls).toEqual([]);
    expect(tasks.startCalls).toEqual([]);
  });

  it.each([
    'starting',
    'started',
    'finished',
    'hooks',
    'hooks-done',
    'hooks-interrupted',
    'notified',
  ] as const)('skips while a run is %s: it holds the lock, and the skip names it', async (phase: Phase) => {
    tasks.snapshot = finishedTask();
    const holder = runFixture({ phase });
    await seedRecord(store.inner, { seen: 0, run: holder });
    const result = await startRun(deps(), starterConfig(), manual);
    expect(result.outcome).toBe('skipped');
    expect(result.reason).toContain(holder.id);
    expect(result.reason).toContain(phase);
    expect(await store.inner.load(TASK_ARN)).toEqual({ record: { seen: 0, run: holder }, version: 1 });
    expect(rule.calls).toEqual([]);
    expect(tasks.startCalls).toEqual([]);
  });

  it('skips a scheduled event that arrives while the rule is disabled (late, repeated, or switched off by hand)', async () => {
    rule.current = 'DISABLED';
    const result = await startRun(deps(), starterConfig(), scheduled);
    expect(result.outcome).toBe('skipped');
    expect(result.reason).toContain(`${RULE_NAME} is disabled`);
    expect(rule.calls).toEqual(['state']);
    expect(saves()).toBe(0);
    expect(tasks.startCalls).toEqual([]);
  });
});

describe('whose rule it is', () => {
  it('starts a manual run while a person has the rule off, but never gives the rule back', async () => {
    rule.current = 'DISABLED';
    const result = await startRun(deps(), starterConfig(), manual);
    expect(result).toMatchObject({ outcome: 'started', rule: { state: 'DISABLED' } });
    expect((await stored())?.run?.ruleOwned).toBe(false);

    const settled = await finishTheRun();
    expect(settled).toMatchObject({ state: 'released', succeeded: true, ruleDecision: 'none' });
    expect(rule.calls).toEqual(['state']);
    expect(rule.current).toBe('DISABLED');
  });

  it("takes over the hold-off a failed run's policy left, and enables the rule once it succeeds", async () => {
    rule.current = 'DISABLED';
    tasks.snapshot = finishedTask();
    const holdOff = { runId: 'failed-run', since: '2026-11-22T01:00:00.000Z' };
    await seedRecord(store.inner, {
      seen: fingerprintOf(finishedTask()),
      holdOff,
      run: runFixture({ id: 'failed-run', phase: 'released' }),
    });
    await startRun(deps(), starterConfig(), manual);
    const record = await stored();
    expect(record?.run?.ruleOwned).toBe(true);
    expect(record?.holdOff).toEqual(holdOff);

    expect(await finishTheRun()).toMatchObject({ state: 'released', ruleDecision: 'enable' });
    expect(rule.current).toBe('ENABLED');
    expect((await stored())?.holdOff).toBeUndefined();
  });

  it('drops a hold-off when the rule is on again (a person enabled it): the run owns the rule it disables', async () => {
    tasks.snapshot = finishedTask();
    await seedRecord(store.inner, {
      seen: fingerprintOf(finishedTask()),
      holdOff: { runId: 'failed-run', since: '2026-11-22T01:00:00.000Z' },
      run: runFixture({ id: 'failed-run', phase: 'released' }),
    });
    await startRun(deps(), starterConfig(), scheduled);
    const record = await stored();
    expect(record?.holdOff).toBeUndefined();
    expect(record?.run?.ruleOwned).toBe(true);
  });

  it('never touches a rule in one-time mode, and a refused start there says so', async () => {
    const config = oneTime();
    expect(config.scheduleRule).toBeUndefined();
    const started = await startRun(deps({ rule: undefined }), config, manual);
    expect(started).toMatchObject({ outcome: 'started', rule: { name: undefined, state: 'untouched' } });
    expect((await stored())?.run?.ruleOwned).toBe(false);
    expect(await finishTheRun(config)).toMatchObject({ state: 'released', ruleDecision: 'none' });

    tasks.snapshot = laterFinishedTask();
    tasks.startErrors = [undefined, new StartRefusedError('InvalidResourceStateFault: invalid state')];
    const refused = await startRun(deps({ rule: undefined }), config, manual);
    expect(refused.outcome).toBe('start-failed');
    expect((await stored())?.run).toMatchObject({ phase: 'released', ruleDecision: 'none' });
    expect(alerts.published).toHaveLength(1);
    expect(alerts.published[0]?.message).toContain('One-time mode: no schedule rule is involved');
    expect(rule.calls).toEqual([]);
  });
});

describe('a start that fails', () => {
  const refusal = new StartRefusedError(
    'InvalidResourceStateFault: Test connection for replication instance ri-1 and endpoint ep-1 should be successful',
  );

  it.each([
    ['re-enable', ['state', 'disable', 'enable'], 'ENABLED', false, `${RULE_NAME} is being re-enabled`],
    [
      'keep-disabled',
      ['state', 'disable', 'disable'],
      'DISABLED',
      true,
      `dms-scheduler resume --stack STACK (it enables ${RULE_NAME} and ends the hold-off)`,
    ],
  ] as const)('ends a refused start as start-failed with one alert; the rule follows %s', async (policy, calls, state, heldOff, says) => {
    tasks.snapshot = finishedTask();
    tasks.startErrors = [refusal];
    const result = await startRun(deps(), starterConfig({ RULE_AFTER_FAILURE: policy }), scheduled);
    expect(result.outcome).toBe('start-failed');
    expect(alerts.published).toHaveLength(1);
    const [alert] = alerts.published;
    expect(alert?.subject).toBe(`dms-scheduler: ${TASK_ID}: the task could not be started`);
    expect(alert?.message).toContain('Test connection for replication instance ri-1');
    expect(alert?.message).toContain(says);
    expect(alert?.id).toBe(`${result.runId}:start-failed`);
    expect(rule.calls).toEqual(calls);
    expect(rule.current).toBe(state);
    expect(result.rule).toEqual({ name: RULE_NAME, state });
    const record = await stored();
    expect(activeRun(record)).toBeUndefined();
    expect(record?.run).toMatchObject({
      phase: 'released',
      outcome: { kind: 'start-failed' },
      ruleDecision: policy === 're-enable' ? 'enable' : 'keep-disabled',
    });
    expect(record?.holdOff).toEqual(
      heldOff ? { runId: result.runId, since: clock.date().toISOString() } : undefined,
    );
    expect(metrics.total('RunsFailed')).toBe(1);
    expect(metrics.total('RunsStarted')).toBe(0);
  });

  it('keeps the lock and the alert owed when the alert cannot be published; the next call sends it once', async () => {
    tasks.snapshot = finishedTask();
    tasks.startErrors = [refusal];
    alerts.failures = 1;
    const error = await rejection(startRun(deps(), starterConfig(), scheduled));
    expect(error).toBeInstanceOf(StepFailedError);
    const held = activeRun(await stored());
    expect(held).toMatchObject({ phase: 'finished', outcome: { kind: 'start-failed' } });
    expect(held?.outbox).toEqual([
      expect.objectContaining({
        id: `${held?.id}:start-failed`,
        attempts: 1,
        lastError: 'Error: AuthorizationErrorException: not allowed to publish',
      }),
    ]);
    expect(held?.outbox[0]?.sentAt).toBeUndefined();
    expect(rule.current).toBe('DISABLED');

    expect(await advanceRun({ ...deps({ invocationId: 'tick-1' }) }, starterConfig())).toMatchObject({
      state: 'released',
      ruleDecision: 'enable',
    });
    expect(alerts.published).toHaveLength(1);
    expect(rule.current).toBe('ENABLED');
  });

  it('takes a refusal for a start whose answer was lost when DMS shows the task starting', async () => {
    tasks.snapshot = finishedTask();
    tasks.startErrors = [refusal];
    tasks.onStart = () => {
      tasks.snapshot = finishedTask({ status: 'starting' });
    };
    const result = await startRun(deps(), starterConfig(), scheduled);
    expect(result.outcome).toBe('started');
    expect(result.reason).toContain('DMS shows the task started');
    expect(alerts.published).toEqual([]);
    expect(rule.calls).toEqual(['state', 'disable']);
    expect(rule.current).toBe('DISABLED');
    expect((await stored())?.run?.phase).toBe('started');
  });

  it('leaves a start DMS did not answer recorded as starting, undoing nothing', async () => {
    tasks.snapshot = finishedTask();
    tasks.startErrors = [new Error('socket hang up')];
    const result = await startRun(deps(), starterConfig(), scheduled);
    expect(result.outcome).toBe('start-unknown');
    expect(result.runId).toBeDefined();
    const run = activeRun(await stored());
    expect(run).toMatchObject({ phase: 'starting', startError: 'Error: socket hang up' });
    expect(alerts.published).toEqual([]);
    expect(rule.calls).toEqual(['state', 'disable']);

    // Past the grace, DMS still shows nothing: the next invocation ends it, saying the answer was lost.
    clock.advance(START_GRACE_MS);
    expect(await advanceRun(deps({ invocationId: 'tick-1' }), starterConfig())).toMatchObject({
      state: 'released',
      outcome: 'start-failed',
    });
    expect(alerts.published).toHaveLength(1);
    expect(alerts.published[0]?.message).toContain('its answer was lost: Error: socket hang up');
  });

  it('leaves the run starting when the task cannot even be read again', async () => {
    tasks.snapshot = finishedTask();
    tasks.startErrors = [new Error('socket hang up')];
    tasks.onStart = () => {
      tasks.describe = async () => {
        throw new Error('ThrottlingException: Rate exceeded');
      };
    };
    const result = await startRun(deps(), starterConfig(), scheduled);
    expect(result.outcome).toBe('start-unknown');
    expect(result.reason).toContain('ThrottlingException');
    expect(activeRun(await stored())).toMatchObject({
      phase: 'starting',
      startError: 'Error: socket hang up',
    });
    expect(alerts.published).toEqual([]);
  });

  it('leaves a run that can still be settled when recording the start request fails', async () => {
    let writes = 0;
    store.beforeSave = () => {
      writes += 1;
      if (writes === 2) throw new Error('ProvisionedThroughputExceededException');
      return undefined;
    };
    await expect(startRun(deps(), starterConfig(), scheduled)).rejects.toThrow(
      'ProvisionedThroughputExceeded',
    );
    expect(tasks.startCalls).toEqual([]);
    expect(activeRun(await stored())?.phase).toBe('starting');

    store.beforeSave = undefined;
    clock.advance(START_GRACE_MS);
    expect(await advanceRun(deps({ invocationId: 'tick-1' }), starterConfig())).toMatchObject({
      state: 'released',
      outcome: 'start-failed',
      ruleDecision: 'enable',
    });
    expect(alerts.published[0]?.message).toContain('stopped before it asked DMS to start the task');
    expect(rule.current).toBe('ENABLED');
  });
});

describe('CDC start point', () => {
  const cdcConfig = (env: Record<string, string> = {}) =>
    oneTime({ MIGRATION_REFRESH_INDICATOR: 'data-migration', MIGRATION_REFRESH_TYPE: 'cdc', ...env });

  it('passes the configured position with a first start-replication', async () => {
    tasks.snapshot = task({ migrationType: 'cdc' });
    await startRun(
      deps({ rule: undefined }),
      cdcConfig({ CDC_START_POSITION: 'mysql-bin-changelog.000024:373' }),
      manual,
    );
    expect(tasks.startCalls).toEqual([
      {
        taskArn: TASK_ARN,
        startType: 'start-replication',
        cdcStartPosition: 'mysql-bin-changelog.000024:373',
      },
    ]);
  });

  it("prefers the event's start time to the configured position", async () => {
    tasks.snapshot = task({ migrationType: 'cdc' });
    const cdcStartTime = new Date('2026-11-20T00:00:00Z');
    await startRun(deps({ rule: undefined }), cdcConfig({ CDC_START_POSITION: 'x:1' }), {
      kind: 'manual',
      cdcStartTime,
    });
    expect(tasks.startCalls).toEqual([{ taskArn: TASK_ARN, startType: 'start-replication', cdcStartTime }]);
  });

  it('sends no start point when resuming, nor for a full-load task', async () => {
    tasks.snapshot = finishedTask({ migrationType: 'cdc', stopReason: 'Stop Reason NORMAL' });
    await startRun(deps({ rule: undefined }), cdcConfig({ CDC_START_POSITION: 'x:1' }), manual);
    expect(tasks.startCalls).toEqual([{ taskArn: TASK_ARN, startType: 'resume-processing' }]);

    const fullLoad = new OrderedTasks(task());
    await startRun(
      deps({ tasks: fullLoad, store: new OrderedStore() }),
      starterConfig({ CDC_START_POSITION: 'x:1' }),
      scheduled,
    );
    expect(fullLoad.startCalls).toEqual([{ taskArn: TASK_ARN, startType: 'start-replication' }]);
  });
});

describe('repeated deliveries of one scheduled firing', () => {
  const firing = (time: string): Trigger => ({ kind: 'schedule', ruleArn: RULE_ARN, time: new Date(time) });
  const released = (overrides: Partial<TaskRecord> = {}): TaskRecord => ({
    seen: fingerprintOf(finishedTask()),
    lastScheduledFor: '2026-11-23T00:00:00.000Z',
    run: runFixture({ id: 'last-night', phase: 'released' }),
    ...overrides,
  });

  it('records the firing a scheduled run was started for', async () => {
    const result = await startRun(deps(), starterConfig(), firing('2026-11-23T00:00:00Z'));
    const record = await stored();
    expect(record?.lastScheduledFor).toBe('2026-11-23T00:00:00.000Z');
    expect(record?.run).toMatchObject({ id: result.runId, scheduledFor: '2026-11-23T00:00:00.000Z' });
  });

  it.each([
    ['the same firing', '2026-11-23T00:00:00Z'],
    ['an earlier firing', '2026-11-22T00:00:00Z'],
  ])('skips %s delivered again after its run ended, even with the rule back on', async (_, time) => {
    tasks.snapshot = finishedTask();
    await seedRecord(store.inner, released());
    const result = await startRun(deps(), starterConfig(), firing(time));
    expect(result.outcome).toBe('skipped');
    expect(result.reason).toContain('late or repeated delivery');
    expect(rule.calls).toEqual([]);
    expect(saves()).toBe(0);
    expect(tasks.startCalls).toEqual([]);
  });

  it("starts the next night's firing", async () => {
    tasks.snapshot = finishedTask();
    await seedRecord(store.inner, released());
    const result = await startRun(deps(), starterConfig(), firing('2026-11-24T00:00:00Z'));
    expect(result.outcome).toBe('started');
    expect((await stored())?.lastScheduledFor).toBe('2026-11-24T00:00:00.000Z');
  });

  it('keeps the last firing through a manual run, so the old firing stays spent', async () => {
    tasks.snapshot = finishedTask();
    await seedRecord(store.inner, released());
    await startRun(deps(), starterConfig(), manual);
    expect((await stored())?.lastScheduledFor).toBe('2026-11-23T00:00:00.000Z');
  });

  it('refuses a firing that another delivery used between the read and the lock', async () => {
    tasks.snapshot = finishedTask();
    let first = true;
    store.beforeSave = () => {
      if (first) {
        first = false;
        // Another copy of the same event took the lock, started, and was released meanwhile.
        void store.inner.save(
          TASK_ARN,
          { seen: 1, lastScheduledFor: '2026-11-23T00:00:00.000Z', run: runFixture({ phase: 'released' }) },
          0,
        );
      }
      return undefined;
    };
    const result = await startRun(deps(), starterConfig(), firing('2026-11-23T00:00:00Z'));
    expect(result.outcome).toBe('skipped');
    expect(tasks.startCalls).toEqual([]);
  });
});

describe('two starts at once', () => {
  it('lets exactly one of two racing starts take the lock and start the task', async () => {
    const results = await Promise.all([
      startRun(deps({ invocationId: 'starter-1' }), starterConfig(), scheduled),
      startRun(deps({ invocationId: 'starter-2' }), starterConfig(), manual),
    ]);
    expect(results.map((result) => result.outcome).sort()).toEqual(['skipped', 'started']);
    expect(tasks.startCalls).toHaveLength(1);
    const winner = results.find((result) => result.outcome === 'started');
    const loser = results.find((result) => result.outcome === 'skipped');
    expect(loser?.reason).toContain(winner?.runId);
    expect((await stored())?.run).toMatchObject({ id: winner?.runId, phase: 'started' });
  });

  it('gives up with StoreContentionError when every lock write loses, having started nothing', async () => {
    store.beforeSave = () => false;
    expect(await rejection(startRun(deps(), starterConfig(), scheduled))).toBeInstanceOf(
      StoreContentionError,
    );
    expect(rule.calls).toEqual(['state']);
    expect(tasks.startCalls).toEqual([]);
  });

  it('skips when another run began and ended between the read and the lock', async () => {
    tasks.snapshot = finishedTask();
    let first = true;
    store.beforeSave = () => {
      if (first) {
        first = false;
        // A whole run, from lock to release, slipped in after this start read the record.
        void store.inner.save(
          TASK_ARN,
          { seen: 1, run: runFixture({ id: 'quick-run', phase: 'released' }) },
          0,
        );
      }
      return undefined;
    };
    const result = await startRun(deps(), starterConfig(), scheduled);
    expect(result.outcome).toBe('skipped');
    expect(result.reason).toContain('another run began and ended');
    expect(rule.calls).toEqual(['state']);
    expect(tasks.startCalls).toEqual([]);
  });
});
