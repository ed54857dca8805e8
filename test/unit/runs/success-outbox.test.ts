// A succeeded run's summary ("staging is ready") goes through the run's outbox like an alert: queued in the
// same write as the phase change that makes it due, claimed before it is published, published until SNS
// acknowledges it, once per run, to its own port (the topic NotifyOnSuccess names), never to the alerts port.
// A deployment that sends none queues none; a run that did not succeed never sends one.
import { beforeEach, describe, expect, it } from 'vitest';
import { StepFailedError } from '#shared/errors';
import { advanceRun, type RunDeps } from '#shared/runs/advance';
import { activeRun, type Run } from '#shared/runs/run';
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
  runFixture,
  ScriptedTasks,
  seedRecord,
} from '../../support/ports.ts';
import { rejection } from '../../support/rejection.ts';

const HOOKS: readonly HookSpec[] = [
  { name: 'mask-pii', rerunnable: true, rowsMasked: 120 },
  { name: 'mask-orders', rowsMasked: 30 },
  { name: 'notify-team' },
];
const config = postProcessorConfig({ NOTIFY_ON_SUCCESS: 'alerts-topic' });

let tasks: ScriptedTasks;
let rule: RecordingRule;
let alerts: RecordingAlerts;
let successNotices: RecordingAlerts;
let store: RecordingStore;
let clock: ManualClock;

beforeEach(() => {
  tasks = new ScriptedTasks(finishedTask());
  rule = new RecordingRule('DISABLED');
  alerts = new RecordingAlerts();
  successNotices = new RecordingAlerts();
  store = new RecordingStore();
  clock = new ManualClock();
});

function deps(overrides: Partial<RunDeps> = {}): RunDeps {
  return {
    tasks,
    rule,
    alerts,
    successNotices,
    store,
    history: new RecordingHistory(),
    hooks: new RecordingHooks(HOOKS),
    metrics: new RecordingMetrics(),
    log: new RecordingLog(),
    clock: clock.date,
    remainingTimeMs: () => 900_000,
    invocationId: 'post-processor-1',
    ...overrides,
  };
}

async function seedStarted(): Promise<Run> {
  const run = runFixture({ phase: 'started' });
  await seedRecord(store.inner, { seen: 0, run });
  return run;
}

const storedRun = async () => (await store.record())?.run;

describe('a succeeded run', () => {
  it('queues its summary in the very write that ends its hooks, and publishes it once to its own port', async () => {
    const run = await seedStarted();
    expect(await advanceRun(deps(), config)).toMatchObject({ state: 'released', succeeded: true });

    const hooksDone = store.written.find((record) => record.run?.phase === 'hooks-done');
    expect(hooksDone?.run?.outbox).toEqual([
      expect.objectContaining({ id: `${run.id}:succeeded`, kind: 'success', attempts: 0 }),
    ]);
    expect(hooksDone?.run?.outbox[0]?.sentAt).toBeUndefined();
    // Claimed before it is published: the write before the publish names this invocation.
    const claimed = store.written.find((record) => record.run?.outbox[0]?.claimedBy === 'post-processor-1');
    expect(claimed?.run?.phase).toBe('hooks-done');

    expect(successNotices.published).toHaveLength(1);
    expect(successNotices.published[0]).toMatchObject({
      id: `${run.id}:succeeded`,
      // The run was recorded at midnight; its hooks ended at 01:00.
      subject: 'dms-scheduler: nightly-refresh: refresh succeeded (1h 00m)',
    });
    expect(successNotices.published[0]?.message).toContain('Rows masked: 150');
    expect(alerts.published).toEqual([]);
    const sent = (await storedRun())?.outbox[0];
    expect(sent).toMatchObject({ kind: 'success', attempts: 1, sentAt: clock.date().toISOString() });
    expect(sent?.message).toBeUndefined();
    expect(rule.calls).toEqual(['enable']);
  });

  it('queues its summary with the hooks-done write when there are no hooks to run', async () => {
    const run = await seedStarted();
    await advanceRun(deps({ hooks: new RecordingHooks([]) }), config);
    const hooksDone = store.written.find((record) => record.run?.phase === 'hooks-done');
    expect(hooksDone?.run?.outbox.map((entry) => entry.id)).toEqual([`${run.id}:succeeded`]);
    expect(successNotices.published.map((notice) => notice.id)).toEqual([`${run.id}:succeeded`]);
    expect(successNotices.published[0]?.message).toContain('Hooks: none configured');
  });

  it('keeps the lock while its summary cannot be published, and a later call sends it exactly once', async () => {
    successNotices.failures = 1;
    const run = await seedStarted();
    const error = await rejection(advanceRun(deps(), config));
    expect(error).toBeInstanceOf(StepFailedError);
    expect(String(error)).toContain(`alert ${run.id}:succeeded could not be published`);
    const owed = activeRun(await store.record());
    expect(owed?.phase).toBe('hooks-done');
    expect(owed?.outbox[0]).toMatchObject({ attempts: 1, message: expect.any(String) });
    expect(owed?.outbox[0]?.claimedBy).toBeUndefined();
    expect(rule.calls).toEqual([]);

    clock.advance(60_000);
    const hooks = new RecordingHooks(HOOKS);
    expect(await advanceRun(deps({ invocationId: 'retry', hooks }), config)).toMatchObject({
      state: 'released',
    });
    expect(hooks.ran).toEqual([]);
    expect(successNotices.published.map((notice) => notice.id)).toEqual([`${run.id}:succeeded`]);
    expect(rule.calls).toEqual(['enable']);
  });

  it('sends nothing more for notices delivered again after it was released', async () => {
    await seedStarted();
    await advanceRun(deps(), config);
    for (const invocationId of ['sns-again', 'eventbridge', 'tick']) {
      expect(await advanceRun(deps({ invocationId }), config)).toMatchObject({ state: 'idle' });
    }
    expect(successNotices.published).toHaveLength(1);
  });

  it('queues nothing when the deployment sends no summaries (NotifyOnSuccess off)', async () => {
    await seedStarted();
    const { successNotices: _none, ...off } = deps();
    expect(await advanceRun(off, postProcessorConfig())).toMatchObject({ state: 'released' });
    expect(store.written.every((record) => record.run?.outbox.length === 0)).toBe(true);
    expect(successNotices.published).toEqual([]);
    expect(alerts.published).toEqual([]);
  });

  it('gives up a summary it owes once the deployment sends none, rather than holding the lock', async () => {
    const run = await seedStarted();
    successNotices.failures = 1;
    await rejection(advanceRun(deps(), config));
    const { successNotices: _none, ...off } = deps({ invocationId: 'after-redeploy' });
    expect(await advanceRun(off, postProcessorConfig())).toMatchObject({ state: 'released' });
    const dropped = (await storedRun())?.outbox[0];
    expect(dropped).toMatchObject({ id: `${run.id}:succeeded`, droppedAt: clock.date().toISOString() });
    expect(dropped?.sentAt).toBeUndefined();
    expect(dropped?.message).toBeUndefined();
    expect(successNotices.published).toEqual([]);
    expect(alerts.published).toEqual([]);
    expect(rule.calls).toEqual(['enable']);
  });
});

describe('a run that did not succeed', () => {
  it('sends its alert and no summary when DMS reports the task failed', async () => {
    tasks.snapshot = finishedTask({ stopReason: 'Stop Reason FATAL_ERROR', lastFailureMessage: 'boom' });
    const run = await seedStarted();
    await advanceRun(deps(), config);
    expect(alerts.published.map((alert) => alert.id)).toEqual([`${run.id}:run-failed`]);
    expect(successNotices.published).toEqual([]);
  });

  it('sends its alert and no summary when a hook fails', async () => {
    const run = await seedStarted();
    await advanceRun(
      deps({ hooks: new RecordingHooks([{ name: 'mask-pii', fails: 'no such table' }]) }),
      config,
    );
    expect(alerts.published.map((alert) => alert.id)).toEqual([`${run.id}:hook-failed`]);
    expect(successNotices.published).toEqual([]);
    expect((await storedRun())?.outbox.some((entry) => entry.kind === 'success')).toBe(false);
  });

  it('sends no summary when a failed hook lets the rest continue and they succeed', async () => {
    await seedStarted();
    const lenient = new RecordingHooks([
      { name: 'reindex', fails: 'timeout', onFailure: 'continue' },
      { name: 'notify-team' },
    ]);
    await advanceRun(deps({ hooks: lenient }), config);
    expect(alerts.published).toHaveLength(1);
    expect(successNotices.published).toEqual([]);
  });
});
