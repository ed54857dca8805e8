// advanceRun moves a run on from whatever its record says, whichever invocation calls it. These tests pin
// the promises that make that safe: DMS decides whether a start took and how the run ended; hooks run at
// most once, under a lease, and an interrupted one is re-run only if it says it may be; every alert is
// recorded before it is sent and sent exactly once; the rule is given back last, only by the run that took
// it; a step that fails leaves the run holding its lock for the next invocation; a released run is done.
import { beforeEach, describe, expect, it } from 'vitest';
import type { TaskSnapshot } from '#shared/dms/task';
import { StepFailedError } from '#shared/errors';
import {
  ALERT_CLAIM_MS,
  advanceRun,
  LEASE_GRACE_MS,
  MAX_HOOK_ATTEMPTS,
  type RunDeps,
  START_GRACE_MS,
} from '#shared/runs/advance';
import { activeRun, fingerprintOf, type HookProgress, type Run, type TaskRecord } from '#shared/runs/run';
import {
  finishedTask,
  type HookSpec,
  ManualClock,
  postProcessorConfig,
  RecordingAlerts,
  RecordingHistory,
  RecordingHooks,
  RecordingLog,
  RecordingMetrics,
  RecordingRule,
  RecordingStore,
  RULE_NAME,
  runFixture,
  ScriptedTasks,
  seedRecord,
  TASK_ID,
  task,
} from '../../support/ports.ts';
import { rejection } from '../../support/rejection.ts';

const REMAINING_MS = 900_000;
const HOOKS: readonly HookSpec[] = [{ name: 'mask-pii', rerunnable: true }, { name: 'notify-team' }];

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
  // A run that owns the rule disabled it when it started.
  rule = new RecordingRule('DISABLED');
  alerts = new RecordingAlerts();
  store = new RecordingStore();
  history = new RecordingHistory();
  metrics = new RecordingMetrics();
  log = new RecordingLog();
  clock = new ManualClock();
  hooks = new RecordingHooks(HOOKS);
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
    remainingTimeMs: () => REMAINING_MS,
    invocationId: 'post-processor-1',
    ...overrides,
  };
}

const config = (env: Record<string, string> = {}) => postProcessorConfig(env);

/** Stores `run` as the task's current run (its `before` 0 unless given: a first run). */
async function seed(run: Partial<Run>, record: Partial<TaskRecord> = {}): Promise<Run> {
  const seeded = runFixture(run);
  await seedRecord(store.inner, { seen: 0, ...record, run: seeded });
  store.calls.length = 0;
  return seeded;
}

const storedRun = async () => (await store.record())?.run;
const saves = () => store.calls.filter((call) => call === 'save').length;
const minutesAgo = (minutes: number) => new Date(clock.now - minutes * 60_000).toISOString();
const SUCCEEDED = { kind: 'succeeded', explanation: 'The full load finished' } as const;
const FAILED_TASK: TaskSnapshot = finishedTask({
  status: 'stopped',
  stopReason: 'Stop Reason FATAL_ERROR',
  lastFailureMessage: 'Last Error ORA-00942: table or view does not exist',
});

const pending = (name: string, rerunnable = false): HookProgress => ({
  name,
  status: 'pending',
  rerunnable,
  attempts: 0,
});

describe('starting: did the start take?', () => {
  it.each([
    ['the start request', 'startRequestedAt'],
    ['the lock, with no start request yet', 'createdAt'],
  ] as const)('waits within the grace after %s, without even reading DMS', async (_, field) => {
    await seed({ phase: 'starting', [field]: minutesAgo(START_GRACE_MS / 60_000 - 1) });
    const result = await advanceRun(deps(), config());
    expect(result).toMatchObject({ state: 'in-progress', phase: 'starting' });
    expect(tasks.describeCalls).toEqual([]);
    expect(saves()).toBe(0);
  });

  it('ends the run start-failed, with an alert, when DMS never showed the start after the grace', async () => {
    tasks.snapshot = finishedTask();
    const requestedAt = minutesAgo(START_GRACE_MS / 60_000);
    await seed({ phase: 'starting', startRequestedAt: requestedAt, before: fingerprintOf(finishedTask()) });
    const result = await advanceRun(deps(), config());
    expect(result).toMatchObject({
      state: 'released',
      outcome: 'start-failed',
      succeeded: false,
      ruleDecision: 'enable',
    });
    expect(alerts.published).toHaveLength(1);
    expect(alerts.published[0]?.subject).toBe(`dms-scheduler: ${TASK_ID}: the task could not be started`);
    expect(alerts.published[0]?.message).toContain(`DMS never showed the start requested at ${requestedAt}`);
    expect(rule.calls).toEqual(['enable']);
    expect(hooks.ran).toEqual([]);
  });

  it('marks the run started when DMS shows the start after the grace, then waits on the task', async () => {
    tasks.snapshot = finishedTask({ status: 'running', stopReason: undefined });
    await seed({
      phase: 'starting',
      startRequestedAt: minutesAgo(10),
      before: fingerprintOf(finishedTask()),
    });
    const result = await advanceRun(deps(), config());
    expect(result).toMatchObject({ state: 'waiting', phase: 'started', reason: 'The task is running' });
    expect((await storedRun())?.phase).toBe('started');
    expect(tasks.describeCalls).toHaveLength(1);
    expect(alerts.published).toEqual([]);
    expect(rule.calls).toEqual([]);
  });
});

describe('started: how did the run end?', () => {
  it('waits while DMS does not show the start yet, within the grace', async () => {
    tasks.snapshot = finishedTask();
    await seed({ phase: 'started', startRequestedAt: minutesAgo(1), before: fingerprintOf(finishedTask()) });
    expect(await advanceRun(deps(), config())).toMatchObject({ state: 'waiting', phase: 'started' });
    expect(saves()).toBe(0);
  });

  it('ends start-failed when DMS took the start but never ran the task', async () => {
    tasks.snapshot = finishedTask();
    await seed({ phase: 'started', startRequestedAt: minutesAgo(30), before: fingerprintOf(finishedTask()) });
    expect(await advanceRun(deps(), config())).toMatchObject({ state: 'released', outcome: 'start-failed' });
    expect(alerts.published[0]?.message).toContain('DMS accepted the start, but the task never ran');
  });

  it.each(['running', 'stopping'])('waits while the task is %s', async (status) => {
    tasks.snapshot = finishedTask({ status, stopReason: undefined });
    await seed({ phase: 'started', startRequestedAt: minutesAgo(30) });
    expect(await advanceRun(deps(), config())).toMatchObject({ state: 'waiting', phase: 'started' });
    expect(saves()).toBe(0);
    expect(hooks.ran).toEqual([]);
  });

  it('records the rows a hook masked in the run, for `dms-scheduler history`, and only where it reported some', async () => {
    hooks = new RecordingHooks([
      { name: 'mask-pii', rerunnable: true, rowsMasked: 238 },
      { name: 'notify-team' },
    ]);
    await seed({ phase: 'started', startRequestedAt: minutesAgo(60) });
    await advanceRun(deps(), config());
    const recorded = (await storedRun())?.hooks;
    expect(recorded?.[0]).toMatchObject({ name: 'mask-pii', status: 'succeeded', rowsMasked: 238 });
    expect(recorded?.[1]).not.toHaveProperty('rowsMasked');
    expect(metrics.total('RowsMasked')).toBe(238);
  });

  it('runs the hooks of a succeeded run once, each recorded before it runs, then gives the rule back', async () => {
    const seenDuringHook: (readonly HookProgress[] | undefined)[] = [];
    hooks = new RecordingHooks([
      {
        name: 'mask-pii',
        rerunnable: true,
        during: async () => void seenDuringHook.push((await storedRun())?.hooks),
      },
      { name: 'notify-team' },
    ]);
    const run = await seed({ phase: 'started', startRequestedAt: minutesAgo(60) });
    const result = await advanceRun(deps(), config());

    expect(result).toEqual({
      state: 'released',
      runId: run.id,
      outcome: 'succeeded',
      succeeded: true,
      ruleDecision: 'enable',
    });
    expect(hooks.ran).toEqual(['mask-pii', 'notify-team']);
    expect(seenDuringHook).toEqual([
      [
        {
          name: 'mask-pii',
          status: 'running',
          rerunnable: true,
          attempts: 1,
          owner: 'post-processor-1',
          leaseUntil: clock.now + REMAINING_MS + LEASE_GRACE_MS,
        },
        pending('notify-team'),
      ],
    ]);
    const released = await storedRun();
    expect(released?.hooks).toEqual([
      {
        name: 'mask-pii',
        status: 'succeeded',
        rerunnable: true,
        attempts: 1,
        durationMs: expect.any(Number),
        changed: 'mask-pii done',
      },
      {
        name: 'notify-team',
        status: 'succeeded',
        rerunnable: false,
        attempts: 1,
        durationMs: expect.any(Number),
        changed: 'notify-team done',
      },
    ]);
    expect(released).toMatchObject({
      phase: 'released',
      outcome: { kind: 'succeeded', stopReason: 'Stop Reason FULL_LOAD_ONLY_FINISHED' },
      ruleDecision: 'enable',
      stats: { tablesLoaded: 12, stopDate: '2026-11-23T00:41:07.000Z' },
      releasedAt: clock.date().toISOString(),
    });
    expect((await store.record())?.seen).toBe(fingerprintOf(finishedTask()));
    expect(rule.calls).toEqual(['enable']);
    expect(rule.current).toBe('ENABLED');
    expect(alerts.published).toEqual([]);
    expect(metrics.total('RunsSucceeded')).toBe(1);
    expect(metrics.total('RunsFailed')).toBe(0);
    expect(metrics.recorded.filter((entry) => entry.name === 'HookDuration')).toHaveLength(2);
    expect(metrics.recorded).toContainEqual({
      name: 'RunDuration',
      value: 60 * 60_000,
      kind: 'milliseconds',
    });

    expect(await advanceRun(deps({ invocationId: 'post-processor-2' }), config())).toMatchObject({
      state: 'idle',
    });
    expect(hooks.ran).toEqual(['mask-pii', 'notify-team']);
  });

  it('releases a succeeded run with no hooks configured', async () => {
    hooks = new RecordingHooks([]);
    await seed({ phase: 'started' });
    expect(await advanceRun(deps(), config())).toMatchObject({ state: 'released', succeeded: true });
    expect((await storedRun())?.hooks).toEqual([]);
    expect(rule.current).toBe('ENABLED');
  });

  it.each([
    ['re-enable', ['enable'], 'ENABLED', false],
    ['keep-disabled', ['disable'], 'DISABLED', true],
  ] as const)('alerts once on a failed run and runs no hook; the rule follows %s', async (policy, calls, state, heldOff) => {
    tasks.snapshot = FAILED_TASK;
    const run = await seed({ phase: 'started' });
    const result = await advanceRun(deps(), config({ RULE_AFTER_FAILURE: policy }));
    expect(result).toMatchObject({ state: 'released', outcome: 'failed', succeeded: false });
    expect(hooks.ran).toEqual([]);
    expect(alerts.published).toHaveLength(1);
    const [alert] = alerts.published;
    expect(alert?.subject).toBe(`dms-scheduler: ${TASK_ID}: the run failed`);
    expect(alert?.message).toContain('DMS stop reason: Stop Reason FATAL_ERROR');
    expect(alert?.message).toContain('ORA-00942');
    expect(alert?.id).toBe(`${run.id}:run-failed`);
    expect(rule.calls).toEqual(calls);
    expect(rule.current).toBe(state);
    const record = await store.record();
    expect(record?.holdOff).toEqual(
      heldOff ? { runId: run.id, since: clock.date().toISOString() } : undefined,
    );
    expect(metrics.total('RunsFailed')).toBe(1);
  });

  it('says a run stopped by hand was stopped, not that it failed', async () => {
    tasks.snapshot = finishedTask({
      migrationType: 'full-load',
      stopReason: 'Stop Reason NORMAL',
      stats: { stopDate: new Date('2026-11-23T00:10:00Z') },
    });
    await seed({ phase: 'started' });
    expect(await advanceRun(deps(), config())).toMatchObject({ outcome: 'stopped-by-user' });
    expect(alerts.published[0]?.subject).toContain('the run was stopped before it finished');
  });
});

describe('hooks', () => {
  const inHooks = (progress: readonly HookProgress[]) => ({
    phase: 'hooks' as const,
    outcome: SUCCEEDED,
    hooks: progress,
  });

  it.each([
    ['re-enable', 'ENABLED'],
    ['keep-disabled', 'DISABLED'],
  ] as const)('alerts naming a failed hook and skips the hooks after it; the rule follows %s', async (policy, state) => {
    hooks = new RecordingHooks([
      { name: 'mask-pii', fails: 'column customers.email does not exist' },
      { name: 'notify-team' },
    ]);
    const run = await seed({ phase: 'started' });
    const result = await advanceRun(deps(), config({ RULE_AFTER_FAILURE: policy }));
    expect(result).toMatchObject({ state: 'released', outcome: 'succeeded', succeeded: false });
    expect(hooks.ran).toEqual(['mask-pii']);
    expect((await storedRun())?.hooks?.map((hook) => hook.status)).toEqual(['failed', 'skipped']);
    expect(alerts.published).toHaveLength(1);
    const [alert] = alerts.published;
    expect(alert?.id).toBe(`${run.id}:hook-failed`);
    expect(alert?.subject).toBe(`dms-scheduler: ${TASK_ID}: hook mask-pii failed`);
    expect(alert?.message).toContain('Hook mask-pii: Error: column customers.email does not exist');
    expect(alert?.message).toContain('Hooks: mask-pii failed, notify-team skipped');
    expect(rule.current).toBe(state);
    expect(metrics.total('RunsFailed')).toBe(1);
  });

  it('runs the hooks after one that fails with onFailure continue, and still alerts', async () => {
    hooks = new RecordingHooks([
      { name: 'reindex', onFailure: 'continue', fails: 'timeout' },
      { name: 'notify-team' },
    ]);
    await seed({ phase: 'started' });
    expect(await advanceRun(deps(), config())).toMatchObject({ state: 'released', succeeded: false });
    expect(hooks.ran).toEqual(['reindex', 'notify-team']);
    expect(alerts.published[0]?.subject).toContain('hook reindex failed');
  });

  it('leaves a hook another invocation holds a live lease on alone', async () => {
    await seed(
      inHooks([
        {
          name: 'mask-pii',
          status: 'running',
          rerunnable: true,
          attempts: 1,
          owner: 'other',
          leaseUntil: clock.now + 1,
        },
        pending('notify-team'),
      ]),
    );
    const result = await advanceRun(deps(), config());
    expect(result).toMatchObject({ state: 'in-progress', phase: 'hooks' });
    expect(result.state === 'in-progress' && result.reason).toContain(
      'mask-pii is running in another invocation',
    );
    expect(hooks.ran).toEqual([]);
    expect(saves()).toBe(0);
  });

  it('reports an interrupted hook that is not rerunnable, skips the rest, and never runs it again', async () => {
    const run = await seed(
      inHooks([
        {
          name: 'mask-pii',
          status: 'running',
          rerunnable: false,
          attempts: 1,
          owner: 'dead',
          leaseUntil: clock.now,
        },
        pending('notify-team'),
      ]),
    );
    hooks = new RecordingHooks([{ name: 'mask-pii' }, { name: 'notify-team' }]);
    const result = await advanceRun(deps(), config());
    expect(result).toMatchObject({ state: 'released', succeeded: false });
    expect(hooks.ran).toEqual([]);
    const released = await storedRun();
    expect(released?.hooks).toEqual([
      {
        name: 'mask-pii',
        status: 'interrupted',
        rerunnable: false,
        attempts: 1,
        error: 'interrupted: its invocation ended while it ran',
      },
      { ...pending('notify-team'), status: 'skipped' },
    ]);
    expect(alerts.published).toHaveLength(1);
    expect(alerts.published[0]?.id).toBe(`${run.id}:hooks-interrupted`);
    expect(alerts.published[0]?.subject).toBe(`dms-scheduler: ${TASK_ID}: hook mask-pii was interrupted`);
    expect(alerts.published[0]?.message).toContain('keep it closed until a run succeeds');

    await advanceRun(deps({ invocationId: 'post-processor-2' }), config());
    expect(hooks.ran).toEqual([]);
    expect(alerts.published).toHaveLength(1);
  });

  it('resumes an interrupted rerunnable hook, counting the attempt', async () => {
    await seed(
      inHooks([
        {
          name: 'mask-pii',
          status: 'running',
          rerunnable: true,
          attempts: 1,
          owner: 'dead',
          leaseUntil: clock.now - 1,
        },
        pending('notify-team'),
      ]),
    );
    const result = await advanceRun(deps(), config());
    expect(result).toMatchObject({ state: 'released', succeeded: true });
    expect(hooks.ran).toEqual(['mask-pii', 'notify-team']);
    expect(hooks.runCalls).toEqual([expect.objectContaining({ startAt: 0, earlierFailed: false })]);
    expect((await storedRun())?.hooks?.map((hook) => [hook.name, hook.status, hook.attempts])).toEqual([
      ['mask-pii', 'succeeded', 2],
      ['notify-team', 'succeeded', 1],
    ]);
    expect(alerts.published).toEqual([]);
    expect(log.entries).toContainEqual(
      expect.objectContaining({ level: 'warn', message: expect.stringContaining('resuming') }),
    );
  });

  it(`gives up on a rerunnable hook after ${MAX_HOOK_ATTEMPTS} attempts and reports it interrupted`, async () => {
    await seed(
      inHooks([
        {
          name: 'mask-pii',
          status: 'running',
          rerunnable: true,
          attempts: MAX_HOOK_ATTEMPTS,
          owner: 'dead',
          leaseUntil: clock.now - 1,
        },
        pending('notify-team'),
      ]),
    );
    expect(await advanceRun(deps(), config())).toMatchObject({ state: 'released', succeeded: false });
    expect(hooks.ran).toEqual([]);
    expect((await storedRun())?.hooks?.map((hook) => hook.status)).toEqual(['interrupted', 'skipped']);
    expect(alerts.published[0]?.message).toContain(`interrupted after ${MAX_HOOK_ATTEMPTS} attempt(s)`);
  });

  it('starts from the first hook not done, telling the runner an earlier one failed', async () => {
    hooks = new RecordingHooks([{ name: 'reindex', onFailure: 'continue' }, { name: 'notify-team' }]);
    await seed(
      inHooks([
        { name: 'reindex', status: 'failed', rerunnable: false, attempts: 1, error: 'timeout' },
        pending('notify-team'),
      ]),
    );
    await advanceRun(deps(), config());
    expect(hooks.ran).toEqual(['notify-team']);
    expect(hooks.runCalls).toEqual([expect.objectContaining({ startAt: 1, earlierFailed: true })]);
    expect(alerts.published[0]?.subject).toContain('hook reindex failed');
  });

  it.each([
    ['a hook was renamed', [{ name: 'mask-pii' }, { name: 'notify-ops' }]],
    ['a hook was added', [{ name: 'mask-pii' }, { name: 'notify-team' }, { name: 'smoke-check' }]],
  ])('stops and alerts when the hooks configuration changed mid-run (%s)', async (_, specs) => {
    hooks = new RecordingHooks(specs);
    const run = await seed(
      inHooks([
        { name: 'mask-pii', status: 'succeeded', rerunnable: false, attempts: 1, durationMs: 5 },
        pending('notify-team'),
      ]),
    );
    const result = await advanceRun(deps(), config());
    expect(result).toMatchObject({ state: 'released', succeeded: false });
    expect(hooks.ran).toEqual([]);
    expect((await storedRun())?.hooks?.[1]).toMatchObject({
      name: 'notify-team',
      status: 'interrupted',
      error: expect.stringContaining('the hooks configuration changed'),
    });
    expect(alerts.published.map((alert) => alert.id)).toEqual([`${run.id}:hooks-interrupted`]);
  });

  it('leaves a hook another invocation is running to it, even when the hooks configuration changed', async () => {
    hooks = new RecordingHooks([{ name: 'mask-pii', rerunnable: true }]);
    await seed(
      inHooks([
        {
          name: 'mask-pii',
          status: 'running',
          rerunnable: true,
          attempts: 1,
          owner: 'old-deployment',
          leaseUntil: clock.now + 60_000,
        },
        pending('notify-team'),
      ]),
    );
    const result = await advanceRun(deps(), config());
    expect(result).toMatchObject({ state: 'in-progress', phase: 'hooks' });
    expect(hooks.ran).toEqual([]);
    expect((await storedRun())?.hooks?.map((hook) => hook.status)).toEqual(['running', 'pending']);
    expect(alerts.published).toEqual([]);
  });

  it('runs an always hook after an interrupted one, skips the rest, and still reports the run interrupted', async () => {
    hooks = new RecordingHooks([
      { name: 'drop-fk' },
      { name: 'reindex' },
      { name: 'restore-fk', always: true },
    ]);
    const run = await seed(
      inHooks([
        {
          name: 'drop-fk',
          status: 'running',
          rerunnable: false,
          attempts: 1,
          owner: 'dead',
          leaseUntil: clock.now - 1,
        },
        pending('reindex'),
        { ...pending('restore-fk'), always: true },
      ]),
    );
    const result = await advanceRun(deps(), config());
    expect(hooks.ran).toEqual(['restore-fk']);
    expect((await storedRun())?.hooks?.map((hook) => `${hook.name} ${hook.status}`)).toEqual([
      'drop-fk interrupted',
      'reindex skipped',
      'restore-fk succeeded',
    ]);
    expect(result).toMatchObject({ state: 'released', succeeded: false });
    expect(alerts.published.map((alert) => alert.id)).toEqual([`${run.id}:hooks-interrupted`]);
  });

  it('runs only the always hooks when resuming after a hook that stops the rest', async () => {
    hooks = new RecordingHooks([
      { name: 'mask-pii' },
      { name: 'reindex' },
      { name: 'restore-fk', always: true },
    ]);
    await seed(
      inHooks([
        { name: 'mask-pii', status: 'failed', rerunnable: false, attempts: 1, error: 'boom' },
        pending('reindex'),
        { ...pending('restore-fk'), always: true },
      ]),
    );
    await advanceRun(deps(), config());
    expect(hooks.ran).toEqual(['restore-fk']);
    expect((await storedRun())?.hooks?.map((hook) => hook.status)).toEqual([
      'failed',
      'skipped',
      'succeeded',
    ]);
  });

  it('does not run a hook whose start could not be recorded', async () => {
    await seed(inHooks([pending('mask-pii', true), pending('notify-team')]));
    store.beforeSave = (record) => {
      if (record.run?.hooks?.some((hook) => hook.status === 'running'))
        throw new Error('InternalServerError');
      return undefined;
    };
    await expect(advanceRun(deps(), config())).rejects.toThrow('InternalServerError');
    expect(hooks.ran).toEqual([]);
    expect((await storedRun())?.hooks?.map((hook) => hook.status)).toEqual(['pending', 'pending']);
  });

  it('runs each hook once when two invocations settle the same run at once', async () => {
    await seed({ phase: 'started' });
    const results = await Promise.all([
      advanceRun(deps({ invocationId: 'sns-delivery' }), config()),
      advanceRun(deps({ invocationId: 'eventbridge-delivery' }), config()),
    ]);
    expect(results.filter((result) => result.state === 'released')).toHaveLength(1);
    expect(hooks.ran).toEqual(['mask-pii', 'notify-team']);
    expect(rule.current).toBe('ENABLED');
    expect(alerts.published).toEqual([]);
    expect(metrics.total('RunsSucceeded')).toBe(1);
  });
});

describe('the outbox', () => {
  it('keeps an alert it could not publish, fails the step, and a later call sends it exactly once', async () => {
    tasks.snapshot = FAILED_TASK;
    alerts.failures = 1;
    const run = await seed({ phase: 'started' });
    const error = await rejection(advanceRun(deps(), config()));
    expect(error).toBeInstanceOf(StepFailedError);
    expect(String(error)).toContain('AuthorizationErrorException');
    const owed = activeRun(await store.record());
    expect(owed?.phase).toBe('finished');
    expect(owed?.outbox).toHaveLength(1);
    expect(owed?.outbox[0]).toMatchObject({
      id: `${run.id}:run-failed`,
      attempts: 1,
      message: expect.any(String),
    });
    expect(owed?.outbox[0]?.sentAt).toBeUndefined();
    expect(owed?.outbox[0]?.claimedBy).toBeUndefined();
    expect(rule.calls).toEqual([]);

    clock.advance(60_000);
    expect(await advanceRun(deps({ invocationId: 'retry' }), config())).toMatchObject({ state: 'released' });
    expect(alerts.published).toHaveLength(1);
    const sent = (await storedRun())?.outbox[0];
    expect(sent).toMatchObject({ attempts: 2, sentAt: clock.date().toISOString() });
    expect(sent?.message).toBeUndefined();
    expect(rule.calls).toEqual(['enable']);
  });

  it('leaves an alert another invocation is sending to it', async () => {
    await seed({
      phase: 'finished',
      outcome: { kind: 'failed', explanation: 'The task failed' },
      ruleDecision: 'enable',
      outbox: [
        {
          id: 'x:run-failed',
          subject: 's',
          message: 'm',
          attempts: 0,
          claimedBy: 'other',
          claimUntil: clock.now + 1,
        },
      ],
    });
    const result = await advanceRun(deps(), config());
    expect(result).toMatchObject({ state: 'in-progress', phase: 'finished' });
    expect(alerts.published).toEqual([]);
    expect(saves()).toBe(0);
  });

  it('sends an alert whose claim ran out: its sender died', async () => {
    await seed({
      phase: 'finished',
      outcome: { kind: 'failed', explanation: 'The task failed' },
      ruleDecision: 'enable',
      outbox: [
        {
          id: 'x:run-failed',
          subject: 's',
          message: 'm',
          attempts: 0,
          claimedBy: 'dead',
          claimUntil: clock.now - ALERT_CLAIM_MS,
        },
      ],
    });
    expect(await advanceRun(deps(), config())).toMatchObject({ state: 'released' });
    expect(alerts.published).toEqual([{ id: 'x:run-failed', subject: 's', message: 'm' }]);
  });

  it('never sends an alert again once it is recorded sent', async () => {
    await seed({
      phase: 'finished',
      outcome: { kind: 'failed', explanation: 'The task failed' },
      ruleDecision: 'enable',
      outbox: [{ id: 'x:run-failed', subject: 's', attempts: 1, sentAt: minutesAgo(1) }],
    });
    expect(await advanceRun(deps(), config())).toMatchObject({ state: 'released' });
    expect(alerts.published).toEqual([]);
  });
});

describe('release', () => {
  it('keeps the lock when EnableRule fails, and a later call gives the rule back and releases', async () => {
    rule.failOn = 'enable';
    rule.failures = 1;
    await seed({ phase: 'started' });
    const error = await rejection(advanceRun(deps(), config()));
    expect(error).toBeInstanceOf(StepFailedError);
    expect(String(error)).toContain(`the schedule rule ${RULE_NAME} could not be enabled`);
    expect(activeRun(await store.record())?.phase).toBe('notified');
    expect(rule.current).toBe('DISABLED');
    expect(metrics.total('RunsSucceeded')).toBe(0);

    expect(await advanceRun(deps({ invocationId: 'retry' }), config())).toMatchObject({ state: 'released' });
    expect(rule.current).toBe('ENABLED');
    expect(hooks.ran).toEqual(['mask-pii', 'notify-team']);
    expect(metrics.total('RunsSucceeded')).toBe(1);
  });

  it.each([
    ['succeeded', finishedTask()],
    ['failed', FAILED_TASK],
  ] as const)('never touches the rule for a %s run that did not disable it (re-enable)', async (_, snapshot) => {
    tasks.snapshot = snapshot;
    const holdOff = { runId: 'older-run', since: '2026-11-22T01:00:00.000Z' };
    await seed({ phase: 'started', ruleOwned: false, trigger: 'manual' }, { holdOff });
    expect(await advanceRun(deps(), config())).toMatchObject({ state: 'released', ruleDecision: 'none' });
    expect(rule.calls).toEqual([]);
    expect((await store.record())?.holdOff).toEqual(holdOff);
  });

  it('never enables a rule the run does not own, even holding the decision to', async () => {
    await seed({ phase: 'notified', ruleOwned: false, outcome: SUCCEEDED, ruleDecision: 'enable' });
    expect(await advanceRun(deps(), config())).toMatchObject({ state: 'released', ruleDecision: 'enable' });
    expect(rule.calls).toEqual([]);
    expect((await store.record())?.holdOff).toBeUndefined();
  });

  it('under keep-disabled, leaves a rule someone else switched off theirs: no hold-off is recorded', async () => {
    tasks.snapshot = FAILED_TASK;
    await seed({ phase: 'started', ruleOwned: false, trigger: 'manual' });
    const result = await advanceRun(deps(), config({ RULE_AFTER_FAILURE: 'keep-disabled' }));
    expect(result).toMatchObject({ state: 'released', ruleDecision: 'keep-disabled' });
    expect(rule.calls).toEqual(['state']);
    expect(rule.current).toBe('DISABLED');
    expect((await store.record())?.holdOff).toBeUndefined();
  });

  it('under keep-disabled, holds off a rule that is on after a run it did not own failed', async () => {
    tasks.snapshot = FAILED_TASK;
    rule.current = 'ENABLED';
    const run = await seed({ phase: 'started', ruleOwned: false, trigger: 'adopted' });
    await advanceRun(deps(), config({ RULE_AFTER_FAILURE: 'keep-disabled' }));
    expect(rule.calls).toEqual(['state', 'disable']);
    expect(rule.current).toBe('DISABLED');
    expect((await store.record())?.holdOff).toEqual({ runId: run.id, since: clock.date().toISOString() });
    expect(alerts.published[0]?.message).toContain(
      `dms-scheduler resume --stack STACK (it enables ${RULE_NAME} and ends the hold-off)`,
    );
  });

  it('never advances a released run again: only the store is read', async () => {
    await seed({ phase: 'released', outcome: SUCCEEDED, ruleDecision: 'enable' });
    expect(await advanceRun(deps(), config())).toEqual({ state: 'idle', reason: 'no run is active' });
    expect(store.calls).toEqual(['load']);
    expect(tasks.describeCalls).toEqual([]);
    expect(rule.calls).toEqual([]);
    expect(alerts.published).toEqual([]);
    expect(metrics.recorded).toEqual([]);
    expect(hooks.runCalls).toEqual([]);
  });

  it('is idle for a task with no record at all', async () => {
    tasks.snapshot = task();
    expect(await advanceRun(deps(), config())).toMatchObject({ state: 'idle' });
    expect(tasks.describeCalls).toEqual([]);
    expect(store.calls).toEqual(['load']);
  });
});

describe('release: the run history', () => {
  const NOTIFIED = { phase: 'notified', outcome: SUCCEEDED, ruleDecision: 'enable' } as const;

  it('writes the run into the history while it still holds the lock, then releases it at the same moment', async () => {
    let phaseWhenWritten: string | undefined;
    history.record = async (taskArn, entry) => {
      phaseWhenWritten = (await store.record())?.run?.phase;
      return RecordingHistory.prototype.record.call(history, taskArn, entry);
    };
    const run = await seed(NOTIFIED);
    expect(await advanceRun(deps(), config())).toMatchObject({ state: 'released', runId: run.id });
    expect(phaseWhenWritten).toBe('notified');
    const released = await storedRun();
    expect(await history.all()).toEqual([
      expect.objectContaining({
        id: run.id,
        outcome: { kind: 'succeeded', explanation: SUCCEEDED.explanation },
        ruleDecision: 'enable',
        releasedAt: released?.releasedAt,
      }),
    ]);
  });

  it('keeps the lock when the history write fails, and a later call writes one entry and releases', async () => {
    history.failWith = new Error('ProvisionedThroughputExceededException: slow down');
    const run = await seed(NOTIFIED);
    const error = await rejection(advanceRun(deps(), config()));
    expect(error).toBeInstanceOf(StepFailedError);
    expect(String(error)).toContain(`Run ${run.id}: its history entry could not be written yet`);
    expect(String(error)).toContain('slow down');
    expect(activeRun(await store.record())?.phase).toBe('notified');
    expect(await history.all()).toEqual([]);
    expect(metrics.total('RunsSucceeded')).toBe(0);

    expect(await advanceRun(deps({ invocationId: 'tick' }), config())).toMatchObject({ state: 'released' });
    expect((await history.all()).map((entry) => entry.id)).toEqual([run.id]);
    expect(activeRun(await store.record())).toBeUndefined();
    expect(metrics.total('RunsSucceeded')).toBe(1);
  });

  it('a write applied whose answer was lost: the lock is kept, and the retry leaves exactly one entry', async () => {
    history.loseAnswerWith = new Error('TimeoutError: socket hang up');
    const run = await seed(NOTIFIED);
    expect(await rejection(advanceRun(deps(), config()))).toBeInstanceOf(StepFailedError);
    expect(activeRun(await store.record())?.id).toBe(run.id);
    expect((await history.all()).map((entry) => entry.id)).toEqual([run.id]);

    clock.advance(60_000);
    expect(await advanceRun(deps({ invocationId: 'retry' }), config())).toMatchObject({ state: 'released' });
    const entries = await history.all();
    expect(entries.map((entry) => entry.id)).toEqual([run.id]);
    // The retry's entry replaced the first: it tells the moment the lock was in fact released.
    expect(entries[0]?.releasedAt).toBe((await storedRun())?.releasedAt);
    expect(history.writes).toHaveLength(2);
  });

  it('dies between the history write and the release: the next call leaves one entry and releases', async () => {
    store.beforeSave = (record) => {
      if (record.run?.phase === 'released') throw new Error('the invocation died');
      return undefined;
    };
    const run = await seed(NOTIFIED);
    await rejection(advanceRun(deps(), config()));
    expect(activeRun(await store.record())?.id).toBe(run.id);
    store.beforeSave = undefined;
    expect(await advanceRun(deps({ invocationId: 'next' }), config())).toMatchObject({ state: 'released' });
    expect((await history.all()).map((entry) => entry.id)).toEqual([run.id]);
  });

  it('a full day: the run is released all the same, counted and logged as not in the history', async () => {
    history.record = async () => 'day-full';
    const run = await seed(NOTIFIED);
    expect(await advanceRun(deps(), config())).toMatchObject({ state: 'released', runId: run.id });
    expect(metrics.total('RunsNotInHistory')).toBe(1);
    expect(log.entries).toContainEqual(
      expect.objectContaining({ level: 'warn', attributes: { runId: run.id } }),
    );
  });

  it('writes nothing for a run already released: a late call finds it idle', async () => {
    await seed({ phase: 'released', outcome: SUCCEEDED, ruleDecision: 'enable' });
    expect(await advanceRun(deps(), config())).toMatchObject({ state: 'idle' });
    expect(history.writes).toEqual([]);
  });
});

describe('a resumed change-capture run, whichever date DMS moves (unconfirmed: ReplicationTaskStartDate on resume)', () => {
  const cdc = {
    SCHEDULE_OR_ONE_TIME: 'one-time',
    SCHEDULE_RULE_ARN: '',
    MIGRATION_REFRESH_INDICATOR: 'data-migration',
    MIGRATION_REFRESH_TYPE: 'cdc',
  };
  const before = new Date('2026-11-20T00:00:00Z');
  const previousRun = task({
    migrationType: 'cdc',
    status: 'stopped',
    stopReason: 'Stop Reason NORMAL',
    lastStartDate: before,
    stats: { startDate: before, stopDate: new Date('2026-11-21T00:00:00Z') },
  });
  const resumedAt = new Date('2026-11-23T00:00:10Z');
  const failedAt = new Date('2026-11-23T00:30:00Z');

  it.each([
    [
      'only the statistics move (ReplicationTaskStartDate stays)',
      { lastStartDate: before, stats: { startDate: resumedAt, stopDate: failedAt } },
    ],
    [
      'only ReplicationTaskStartDate moves (the statistics stay)',
      { lastStartDate: resumedAt, stats: previousRun.stats },
    ],
    ['only the stop date moves', { lastStartDate: before, stats: { startDate: before, stopDate: failedAt } }],
  ] as const)('is a new run whose failure is alerted once, when %s', async (_, dates) => {
    await seed({
      phase: 'started',
      trigger: 'manual',
      ruleOwned: false,
      startType: 'resume-processing',
      startRequestedAt: minutesAgo(30),
      before: fingerprintOf(previousRun),
    });
    tasks.snapshot = task({
      ...previousRun,
      ...dates,
      status: 'failed',
      stopReason: 'Stop Reason FATAL_ERROR',
    });
    const result = await advanceRun(deps({ rule: undefined }), config(cdc));
    expect(result).toMatchObject({ state: 'released', outcome: 'failed', succeeded: false });
    expect(alerts.published).toHaveLength(1);
    expect(alerts.published[0]?.subject).toBe(`dms-scheduler: ${TASK_ID}: the run failed`);
    expect((await store.record())?.seen).toBe(fingerprintOf(tasks.snapshot));
  });

  it('is not mistaken for the previous run when DMS moves no date and shows the task stopped as before', async () => {
    await seed({
      phase: 'started',
      trigger: 'manual',
      ruleOwned: false,
      startType: 'resume-processing',
      startRequestedAt: minutesAgo(1),
      before: fingerprintOf(previousRun),
    });
    tasks.snapshot = previousRun;
    const result = await advanceRun(deps({ rule: undefined }), config(cdc));
    // Within the grace DMS is given time; the previous run's end is never taken for this run's.
    expect(result).toMatchObject({ state: 'waiting', phase: 'started' });
    expect(alerts.published).toEqual([]);
  });
});
