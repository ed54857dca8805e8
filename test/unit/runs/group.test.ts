// A run group is one run over several tasks: started whole or not at all, under one lock, no more members at
// once than the limit, queued members started as others finish, hooks once after the last one and only when
// every member succeeded, and any failure told in one alert naming the task, with the rule under the failure
// policy. These tests drive the real task-starter and post-processor steps over a scripted DMS of several tasks.
import { beforeEach, describe, expect, it } from 'vitest';
import { StartRefusedError, TaskMismatchError } from '#shared/errors';
import { type AdvanceResult, advanceRun, type RunDeps, START_GRACE_MS } from '#shared/runs/advance';
import { launchMember } from '#shared/runs/group';
import { handleNotice } from '#shared/runs/reconcile';
import { activeRun, type Run } from '#shared/runs/run';
import { type StarterDeps, startRun } from '#shared/runs/start-run';
import { markStopNotApplied, recordStopRequest } from '#shared/runs/stop-request';
import type { Trigger } from '#shared/runs/trigger';
import {
  GROUP_NAME,
  GroupDms,
  type GroupDms as GroupDmsType,
  groupPostProcessorConfig,
  groupStarterConfig,
  groupTasks,
} from '../../support/group-dms.ts';
import {
  ManualClock,
  RecordingAlerts,
  RecordingHistory,
  RecordingHooks,
  RecordingLog,
  RecordingMetrics,
  RecordingRule,
  RecordingStore,
  RULE_ARN,
  runFixture,
  seedRecord,
} from '../../support/ports.ts';
import { rejection } from '../../support/rejection.ts';

const scheduled: Trigger = { kind: 'schedule', ruleArn: RULE_ARN };
const GROUP_KEY = `group/${GROUP_NAME}`;
const MINUTE = 60_000;

let clock: ManualClock;
let dms: GroupDmsType;
let rule: RecordingRule;
let alerts: RecordingAlerts;
let store: RecordingStore;
let history: RecordingHistory;
let hooks: RecordingHooks;
const tasks = groupTasks(3);
const [first, second, third] = tasks as [(typeof tasks)[0], (typeof tasks)[0], (typeof tasks)[0]];

beforeEach(() => {
  clock = new ManualClock();
  dms = new GroupDms(tasks, clock.date);
  rule = new RecordingRule('ENABLED');
  alerts = new RecordingAlerts();
  store = new RecordingStore();
  history = new RecordingHistory();
  hooks = new RecordingHooks([{ name: 'mask' }, { name: 'smoke-check' }]);
});

function starterDeps(): StarterDeps {
  return {
    tasks: dms,
    rule,
    alerts,
    store,
    history,
    metrics: new RecordingMetrics(),
    log: new RecordingLog(),
    clock: clock.date,
    remainingTimeMs: () => 60_000,
    invocationId: 'starter~1',
  };
}

function postDeps(invocationId = 'post~1'): RunDeps {
  return { ...starterDeps(), hooks, invocationId, remainingTimeMs: () => 900_000 };
}

const start = (limit = 0, trigger: Trigger = scheduled) =>
  startRun(starterDeps(), groupStarterConfig(tasks, limit), trigger);
const advance = (limit = 0, invocationId?: string): Promise<AdvanceResult> =>
  advanceRun(postDeps(invocationId), groupPostProcessorConfig(tasks, limit));

async function run(): Promise<Run | undefined> {
  return (await store.record(GROUP_KEY))?.run;
}

async function states(): Promise<string[]> {
  return ((await run())?.members ?? []).map((member) => `${member.identifier} ${member.state}`);
}

/** Every started task runs, and DMS's API shows it; the grace is over. */
function everyStartedRuns(): void {
  clock.advance(2 * MINUTE);
  for (const task of tasks) if (dms.snapshot(task.arn).status === 'starting') dms.run(task.arn);
}

describe('starting a group', () => {
  it('starts every member at once without a limit, under one lock, with the rule switched off first', async () => {
    const result = await start();
    expect(result.outcome).toBe('started');
    expect(dms.startCalls.map((call) => [call.taskArn, call.startType])).toEqual(
      tasks.map((task) => [task.arn, 'start-replication']),
    );
    expect(rule.current).toBe('DISABLED');
    expect(await states()).toEqual(tasks.map((task) => `${task.identifier} started`));
    const current = await run();
    expect(current?.phase).toBe('started');
    // The group's one record is its lock; no member has a record of its own.
    expect(await store.record(first.arn)).toBeUndefined();
  });

  it('starts no more members than the limit; the rest wait, queued', async () => {
    await start(2);
    expect(dms.startCalls.map((call) => call.taskArn)).toEqual([first.arn, second.arn]);
    expect(await states()).toEqual([
      `${first.identifier} started`,
      `${second.identifier} started`,
      `${third.identifier} queued`,
    ]);
  });

  it("chooses each member's start type from its own history", async () => {
    const ranAt = new Date('2026-11-20T00:00:00Z');
    dms.set(second.arn, {
      status: 'stopped',
      stopReason: 'Stop Reason FULL_LOAD_ONLY_FINISHED',
      lastStartDate: ranAt,
      stats: { startDate: ranAt, stopDate: ranAt, fullLoadFinishDate: ranAt },
    });
    await start();
    expect(dms.startCalls.map((call) => call.startType)).toEqual([
      'start-replication',
      'reload-target',
      'start-replication',
    ]);
  });

  it('starts nothing, and changes nothing, when one member is not startable', async () => {
    dms.set(second.arn, { status: 'running' });
    const result = await start();
    expect(result.outcome).toBe('skipped');
    expect(result.reason).toContain(`task ${second.identifier}: the task is already running`);
    expect(dms.startCalls).toEqual([]);
    expect(rule.calls).toEqual([]);
    expect(rule.current).toBe('ENABLED');
    expect(await run()).toBeUndefined();
  });

  it('refuses a member that is not the task its identifier names, before anything changes', async () => {
    dms.set(third.arn, { identifier: 'someone-elses-task' });
    const error = await rejection(start());
    expect(error).toBeInstanceOf(TaskMismatchError);
    expect((error as Error).message).toContain(third.arn);
    expect(dms.startCalls).toEqual([]);
    expect(rule.current).toBe('ENABLED');
    expect(await run()).toBeUndefined();
  });

  it('skips a trigger while the group holds its lock: no member is started twice', async () => {
    await start();
    const again = await start(0, { kind: 'manual' });
    expect(again.outcome).toBe('skipped');
    expect(again.reason).toContain("holds the group's lock");
    expect(dms.startCalls).toHaveLength(3);
  });
});

describe('a group run to its end', () => {
  it('starts queued members as others finish, runs the hooks once after the last, gives the rule back', async () => {
    await start(2);
    everyStartedRuns();
    expect((await advance(2)).state).toBe('waiting');
    expect(hooks.ran).toEqual([]);

    dms.finish(first.arn, 'succeeded');
    await advance(2);
    // The post-processor started the queued member once a slot was free.
    expect(dms.startsOf(third.arn)).toHaveLength(1);
    expect(await states()).toEqual([
      `${first.identifier} finished`,
      `${second.identifier} started`,
      `${third.identifier} started`,
    ]);
    expect(rule.current).toBe('DISABLED');

    everyStartedRuns();
    dms.finish(second.arn, 'succeeded');
    expect((await advance(2)).state).toBe('waiting');
    expect(hooks.ran).toEqual([]);

    dms.finish(third.arn, 'succeeded');
    const end = await advance(2);
    expect(end).toMatchObject({ state: 'released', succeeded: true, ruleDecision: 'enable' });
    expect(hooks.ran).toEqual(['mask', 'smoke-check']);
    expect(rule.current).toBe('ENABLED');
    expect((await run())?.outcome?.explanation).toBe('All 3 tasks of the group succeeded');
    expect(alerts.published).toEqual([]);
    expect(await history.all(GROUP_KEY)).toHaveLength(1);

    // A late notice changes nothing: the hooks ran once.
    await advance(2);
    expect(hooks.ran).toEqual(['mask', 'smoke-check']);
  });

  it('on a failure starts no more members, lets the running ones end, and alerts once naming the task', async () => {
    await start(2);
    everyStartedRuns();
    dms.finish(second.arn, 'failed');
    const after = await advance(2);
    expect(after.state).toBe('waiting');
    expect(await states()).toEqual([
      `${first.identifier} started`,
      `${second.identifier} finished`,
      `${third.identifier} not-started`,
    ]);
    expect(dms.startsOf(third.arn)).toEqual([]);
    // The group is not over while a member still runs: the rule stays off, nothing is told yet.
    expect(alerts.published).toEqual([]);
    expect(rule.current).toBe('DISABLED');

    dms.finish(first.arn, 'succeeded');
    const end = await advance(2);
    expect(end).toMatchObject({ state: 'released', succeeded: false, outcome: 'failed' });
    expect(hooks.ran).toEqual([]);
    expect(alerts.published).toHaveLength(1);
    const message = alerts.published[0]?.message ?? '';
    expect(message).toContain(
      `1 of 3 tasks of the group succeeded; task ${second.identifier}: The task failed`,
    );
    expect(message).toContain(`task ${third.identifier} was not started`);
    expect(message).toContain(`Run group: ${GROUP_NAME} (3 tasks)`);
    expect(rule.current).toBe('ENABLED');
  });

  it('keeps the rule off after a failed group under keep-disabled', async () => {
    const config = groupStarterConfig(tasks, 0, { RULE_AFTER_FAILURE: 'keep-disabled' });
    await startRun(starterDeps(), config, scheduled);
    everyStartedRuns();
    for (const task of tasks) dms.finish(task.arn, task === first ? 'stopped-by-user' : 'succeeded');
    const end = await advanceRun(
      postDeps(),
      groupPostProcessorConfig(tasks, 0, { RULE_AFTER_FAILURE: 'keep-disabled' }),
    );
    expect(end).toMatchObject({
      state: 'released',
      outcome: 'stopped-by-user',
      ruleDecision: 'keep-disabled',
    });
    expect(rule.current).toBe('DISABLED');
    expect((await store.record(GROUP_KEY))?.holdOff).toBeDefined();
    expect(hooks.ran).toEqual([]);
  });

  it('ends as start-failed, released at once with one alert, when DMS refuses every member', async () => {
    for (const task of tasks) {
      dms.startErrors.set(task.arn, { error: new StartRefusedError('Test connection should be successful') });
    }
    const result = await start();
    expect(result.outcome).toBe('start-failed');
    expect(alerts.published).toHaveLength(1);
    expect(alerts.published[0]?.subject).toContain("the group's tasks could not be started");
    expect(rule.current).toBe('ENABLED');
    expect(activeRun(await store.record(GROUP_KEY))).toBeUndefined();
  });

  it('fails the group when DMS refuses one member: those started run to their end, the rest never start', async () => {
    dms.startErrors.set(second.arn, { error: new StartRefusedError('Test connection should be successful') });
    const result = await start();
    expect(result.outcome).toBe('started');
    expect(await states()).toEqual([
      `${first.identifier} started`,
      `${second.identifier} finished`,
      `${third.identifier} not-started`,
    ]);
    expect(dms.startsOf(third.arn)).toEqual([]);
    everyStartedRuns();
    expect((await advance()).state).toBe('waiting');
    expect(alerts.published).toEqual([]);
    dms.finish(first.arn, 'succeeded');
    const end = await advance();
    expect(end).toMatchObject({ state: 'released', outcome: 'failed', succeeded: false });
    expect(alerts.published).toHaveLength(1);
    expect(alerts.published[0]?.message).toContain(
      `DMS refused to start task ${second.identifier} (start-replication)`,
    );
    expect(hooks.ran).toEqual([]);
  });

  it('reads a member back from DMS when its start answer was lost, and never starts it twice', async () => {
    dms.startErrors.set(second.arn, { error: new Error('socket hang up'), applied: true });
    const result = await start();
    expect(result.outcome).toBe('started');
    expect(dms.startsOf(second.arn)).toHaveLength(1);
    expect(await states()).toContain(`${second.identifier} started`);
  });

  it('settles a member DMS never showed as start-failed, once the grace is over', async () => {
    dms.startErrors.set(second.arn, { error: new Error('socket hang up') });
    const result = await start();
    // The other members run: the group started; the lost one waits for the grace.
    expect(result.outcome).toBe('started');
    expect((await run())?.members?.[1]).toMatchObject({
      state: 'starting',
      startError: 'Error: socket hang up',
    });
    clock.advance(START_GRACE_MS + MINUTE);
    for (const task of [first, third]) dms.run(task.arn);
    await advance();
    expect((await run())?.members?.[1]?.outcome?.explanation).toContain('DMS never showed the start');
  });

  it('takes over a group whose task-starter died before starting any member', async () => {
    // The task-starter took the lock and switched the rule off, then its invocation ended.
    rule.current = 'DISABLED';
    await seedRecord(
      store,
      {
        seen: 0,
        run: runFixture({
          id: 'group-run',
          phase: 'starting',
          createdAt: clock.date().toISOString(),
          startType: undefined,
          members: tasks.map((task) => ({
            ...task,
            state: 'queued',
            before: 0,
            startType: 'start-replication',
          })),
        }),
      },
      GROUP_KEY,
    );
    // Within the grace, the task-starter may still be at work: the post-processor leaves it.
    expect((await advance()).state).toBe('in-progress');
    expect(dms.startCalls).toEqual([]);
    clock.advance(START_GRACE_MS + MINUTE);
    await advance();
    expect(dms.startCalls.map((call) => call.taskArn)).toEqual(tasks.map((t) => t.arn));
    expect(await states()).toEqual(tasks.map((task) => `${task.identifier} started`));
  });

  it('starts no queued member once a person asked the group to stop, whichever member ends first', async () => {
    await start(2);
    everyStartedRuns();
    const current = (await run()) as Run;
    await recordStopRequest(store, GROUP_KEY, current.id, { by: 'cli', at: clock.date().toISOString() });
    // The first member had finished well before the stop reached it; the second is stopping.
    dms.finish(first.arn, 'succeeded');
    dms.set(second.arn, { status: 'stopping' });
    await advance(2);
    expect(dms.startsOf(third.arn)).toEqual([]);
    expect(await states()).toEqual([
      `${first.identifier} finished`,
      `${second.identifier} started`,
      `${third.identifier} not-started`,
    ]);
    dms.finish(second.arn, 'stopped-by-user');
    const end = await advance(2);
    expect(end).toMatchObject({ state: 'released', outcome: 'stopped-by-user', succeeded: false });
    expect((await run())?.outcome?.explanation).toMatch(/^Stopped by a person through `dms-scheduler stop`/);
    expect(hooks.ran).toEqual([]);
  });

  it('never starts a member whose turn comes after a stop was asked for', async () => {
    await start(2);
    const current = (await run()) as Run;
    await recordStopRequest(store, GROUP_KEY, current.id, { by: 'cli', at: clock.date().toISOString() });
    await launchMember(postDeps(), groupPostProcessorConfig(tasks, 2), current.id, 2);
    expect(dms.startsOf(third.arn)).toEqual([]);
    expect((await run())?.members?.[2]?.state).toBe('not-started');
  });

  it('starts queued members as usual when DMS refused the stop asked for', async () => {
    await start(2);
    everyStartedRuns();
    const current = (await run()) as Run;
    const at = clock.date().toISOString();
    await recordStopRequest(store, GROUP_KEY, current.id, { by: 'cli', at });
    await markStopNotApplied(store, GROUP_KEY, current.id, at, 'the task is not running');
    dms.finish(first.arn, 'succeeded');
    await advance(2);
    expect(dms.startsOf(third.arn)).toHaveLength(1);
  });

  it('lets only one of two invocations start a queued member', async () => {
    await start(1);
    everyStartedRuns();
    dms.finish(first.arn, 'succeeded');
    await Promise.all([advance(1, 'post~a'), advance(1, 'post~b')]);
    expect(dms.startsOf(second.arn)).toHaveLength(1);
  });
});

describe('notices for a group', () => {
  it("advances the group's run on a notice naming any member, and ignores other tasks", async () => {
    await start();
    everyStartedRuns();
    for (const task of tasks) dms.finish(task.arn, 'succeeded');
    const config = groupPostProcessorConfig(tasks);
    const other = await handleNotice(postDeps(), config, { channel: 'sns', taskIdentifier: 'another-task' });
    expect(other.action).toBe('ignored');
    expect(activeRun(await store.record(GROUP_KEY))).toBeDefined();
    const ours = await handleNotice(postDeps(), config, { channel: 'sns', taskIdentifier: third.identifier });
    expect(ours).toMatchObject({ action: 'advanced', run: { state: 'released', succeeded: true } });
  });

  it('adopts no run of a member someone started by hand', async () => {
    const at = new Date(clock.now - MINUTE);
    dms.set(first.arn, {
      status: 'stopped',
      stopReason: 'Stop Reason FULL_LOAD_ONLY_FINISHED',
      lastStartDate: at,
      stats: { startDate: at, stopDate: at, fullLoadFinishDate: at },
    });
    const result = await handleNotice(postDeps(), groupPostProcessorConfig(tasks), {
      channel: 'eventbridge',
      taskArn: first.arn,
    });
    expect(result.action).toBe('ignored');
    expect(await run()).toBeUndefined();
    expect(hooks.ran).toEqual([]);
  });
});

describe('a full-load-and-cdc group', () => {
  const CDC = {
    MIGRATION_REFRESH_INDICATOR: 'data-migration',
    MIGRATION_REFRESH_TYPE: 'full-load-and-cdc',
    SCHEDULE_OR_ONE_TIME: 'one-time',
    SCHEDULE_RULE_ARN: '',
  };
  const pair = tasks.slice(0, 2);
  const [a, b] = pair as [(typeof tasks)[0], (typeof tasks)[0]];
  let cdc: GroupDmsType;

  beforeEach(() => {
    cdc = new GroupDms(pair, clock.date, 'full-load-and-cdc');
  });
  const deps = (): RunDeps => ({ ...postDeps(), tasks: cdc, rule: undefined });
  const advanceCdc = () => advanceRun(deps(), groupPostProcessorConfig(pair, 0, CDC));
  /** DMS shows the task's full load finished while it goes on replicating. */
  const fullLoadDone = (arn: string) => {
    const stats = cdc.snapshot(arn).stats ?? {};
    cdc.set(arn, {
      status: 'running',
      stats: { ...stats, fullLoadFinishDate: clock.date(), fullLoadProgressPercent: 100, tablesLoaded: 2 },
    });
  };
  const stopNormally = (arn: string) => {
    const stats = cdc.snapshot(arn).stats ?? {};
    cdc.set(arn, {
      status: 'stopped',
      stopReason: 'Stop Reason NORMAL',
      stats: { ...stats, stopDate: clock.date() },
    });
  };

  it('runs its hooks once, when every task finished its full load, then ends succeeded at the stop', async () => {
    const started = await startRun(
      { ...starterDeps(), tasks: cdc, rule: undefined },
      groupStarterConfig(pair, 0, CDC),
      {
        kind: 'manual',
      },
    );
    expect(started.outcome).toBe('started');
    clock.advance(2 * MINUTE);
    for (const task of pair) cdc.run(task.arn);
    fullLoadDone(a.arn);
    expect((await advanceCdc()).state).toBe('waiting');
    expect(hooks.ran).toEqual([]);

    fullLoadDone(b.arn);
    await advanceCdc();
    expect(hooks.ran).toEqual(['mask', 'smoke-check']);
    const atMilestone = await run();
    expect(atMilestone?.phase).toBe('started');
    expect(atMilestone?.milestone?.stats.tablesLoaded).toBe(4);
    expect(alerts.published.map((alert) => alert.id)).toEqual([`${atMilestone?.id}:cutover`]);

    // Changes keep flowing; a tick changes nothing; a person stops both tasks at cut-over.
    await advanceCdc();
    expect(hooks.ran).toHaveLength(2);
    stopNormally(a.arn);
    expect((await advanceCdc()).state).toBe('waiting');
    stopNormally(b.arn);
    const end = await advanceCdc();
    expect(end).toMatchObject({ state: 'released', outcome: 'succeeded', succeeded: true });
    expect(hooks.ran).toHaveLength(2);
    expect((await run())?.members?.map((member) => member.outcome?.kind)).toEqual(['succeeded', 'succeeded']);
  });

  it('is not succeeded when a task is stopped before every full load finished, and runs no hook', async () => {
    await startRun({ ...starterDeps(), tasks: cdc, rule: undefined }, groupStarterConfig(pair, 0, CDC), {
      kind: 'manual',
    });
    clock.advance(2 * MINUTE);
    for (const task of pair) cdc.run(task.arn);
    fullLoadDone(a.arn);
    stopNormally(b.arn);
    await advanceCdc();
    stopNormally(a.arn);
    const end = await advanceCdc();
    expect(end).toMatchObject({ state: 'released', succeeded: false, outcome: 'stopped-by-user' });
    expect(hooks.ran).toEqual([]);
  });

  it('refuses a concurrency limit below its size: a queued task would wait for one that never ends', () => {
    expect(() => groupStarterConfig(tasks, 2, CDC)).toThrow(
      /GROUP_MAX_CONCURRENCY is 2, but a full-load-and-cdc task replicates until it is stopped/,
    );
  });
});
