// A person's stop, as the run records it: the request written by compare-and-swap on the active run (under
// conflicts and lost answers), marked when DMS refuses it, and said in the outcome and alert the
// post-processor records, while every other classification stays DMS's.
import { beforeEach, describe, expect, it } from 'vitest';
import { advanceRun, type RunDeps } from '#shared/runs/advance';
import type { Run, StopRequest, TaskRecord } from '#shared/runs/run';
import { explainStop, markStopNotApplied, recordStopRequest } from '#shared/runs/stop-request';
import { ChangeRefused, type RunStore, StoreContentionError } from '#shared/runs/store';
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
} from '../../support/ports.ts';

const REQUEST: StopRequest = {
  by: 'cli',
  at: '2026-11-23T00:20:00.000Z',
  principal: 'arn:aws:iam::1:user/ana',
};

let store: RecordingStore;
let run: Run;

beforeEach(async () => {
  store = new RecordingStore();
  run = runFixture({ phase: 'started', startRequestedAt: '2026-11-23T00:00:01.000Z' });
  await seedRecord(store.inner, { seen: 0, run });
  store.calls.length = 0;
});

const stored = async () => (await store.record())?.run;

/**
 * The store, its first save replaced by `first` (given the record as stored, its version and the record the
 * caller meant to write): another writer coming first, or the caller's own write applied with its answer lost.
 */
function firstSaveInterleaved(
  over: RecordingStore,
  first: (stored: TaskRecord, version: number, own: TaskRecord) => Promise<boolean>,
): RunStore & { saves: number } {
  let saves = 0;
  return {
    get saves() {
      return saves;
    },
    load: (taskArn) => over.inner.load(taskArn),
    save: async (taskArn, record, version) => {
      saves += 1;
      if (saves > 1) return over.inner.save(taskArn, record, version);
      const current = await over.inner.load(taskArn);
      return first(current.record as TaskRecord, current.version, record);
    },
  };
}

describe('recordStopRequest', () => {
  it('writes the request on the active run, and nothing else of it', async () => {
    const recorded = await recordStopRequest(store, TASK_ARN, run.id, REQUEST);
    expect(recorded.stopRequested).toEqual(REQUEST);
    expect(await stored()).toEqual({ ...run, stopRequested: REQUEST, updatedAt: REQUEST.at });
  });

  it('after a conflict (another writer came first) it re-reads and writes on the newer record', async () => {
    const racing = firstSaveInterleaved(store, async (record, version) => {
      // Another invocation moves the run on meanwhile: its change must survive.
      await store.inner.save(TASK_ARN, { ...record, run: { ...run, lastError: 'x' } }, version);
      return false;
    });
    await recordStopRequest(racing, TASK_ARN, run.id, REQUEST);
    expect(await stored()).toMatchObject({ lastError: 'x', stopRequested: REQUEST });
    expect(racing.saves).toBe(2);
  });

  it('a write applied whose answer was lost: the retry finds its own request and writes nothing more', async () => {
    // Applied, but answered as a conflict (as DynamoDB's retry of an applied PutItem is).
    const losing = firstSaveInterleaved(store, async (_seen, version, own) => {
      await store.inner.save(TASK_ARN, own, version);
      return false;
    });
    await recordStopRequest(losing, TASK_ARN, run.id, REQUEST);
    expect(losing.saves).toBe(1);
    expect((await stored())?.stopRequested).toEqual(REQUEST);
    expect((await store.inner.load(TASK_ARN)).version).toBe(2);
  });

  it('refuses a run that is no longer active, or whose task has already ended', async () => {
    await expect(recordStopRequest(store, TASK_ARN, 'another-run', REQUEST)).rejects.toBeInstanceOf(
      ChangeRefused,
    );
    const finished = runFixture({ phase: 'hooks' });
    const other = new RecordingStore();
    await seedRecord(other.inner, { seen: 0, run: finished });
    await expect(recordStopRequest(other, TASK_ARN, finished.id, REQUEST)).rejects.toThrow(/is hooks/);
    expect(other.written).toHaveLength(0);
  });

  it('gives up with StoreContentionError when every write loses the race', async () => {
    store.beforeSave = () => false;
    await expect(recordStopRequest(store, TASK_ARN, run.id, REQUEST)).rejects.toBeInstanceOf(
      StoreContentionError,
    );
  });
});

describe('markStopNotApplied', () => {
  it("marks the request DMS refused, so it explains nothing; a newer request or another run's is left alone", async () => {
    await recordStopRequest(store, TASK_ARN, run.id, REQUEST);
    await markStopNotApplied(store, TASK_ARN, run.id, '2026-11-23T00:19:00.000Z', 'older request');
    expect((await stored())?.stopRequested?.notApplied).toBeUndefined();
    await markStopNotApplied(store, TASK_ARN, run.id, REQUEST.at, 'InvalidResourceStateFault: not running');
    expect((await stored())?.stopRequested).toEqual({
      ...REQUEST,
      notApplied: 'InvalidResourceStateFault: not running',
    });
  });
});

describe('explainStop', () => {
  const started = runFixture({ phase: 'started' });
  const stoppedByUser = {
    kind: 'stopped-by-user',
    explanation: 'The task was stopped before it finished (Stop Reason NORMAL)',
  } as const;

  it('a stopped-by-user outcome of a run a person stopped says who, how and when', () => {
    expect(explainStop(stoppedByUser, { ...started, stopRequested: REQUEST }).explanation).toBe(
      'Stopped by a person (arn:aws:iam::1:user/ana) through `dms-scheduler stop` at 2026-11-23T00:20:00.000Z: The task was stopped before it finished (Stop Reason NORMAL)',
    );
  });

  it.each([
    ['no request', started, stoppedByUser],
    [
      'a request DMS refused',
      { ...started, stopRequested: { ...REQUEST, notApplied: 'refused' } },
      stoppedByUser,
    ],
    [
      'a load that finished anyway',
      { ...started, stopRequested: REQUEST },
      { kind: 'succeeded', explanation: 'The full load finished' },
    ],
    ['a failure', { ...started, stopRequested: REQUEST }, { kind: 'failed', explanation: 'The task failed' }],
  ] as const)('leaves the outcome as DMS made it with %s', (_case, subject, outcome) => {
    expect(explainStop(outcome, subject)).toEqual(outcome);
  });
});

describe('the post-processor records a person stop as such', () => {
  const clock = new ManualClock(Date.parse('2026-11-23T01:00:00Z'));
  const stoppedMidway = finishedTask({
    stopReason: 'Stop Reason NORMAL',
    stats: {
      startDate: new Date('2026-11-23T00:00:05Z'),
      fullLoadStartDate: new Date('2026-11-23T00:00:05Z'),
      stopDate: new Date('2026-11-23T00:20:03Z'),
      fullLoadProgressPercent: 42,
      tablesLoaded: 5,
      tablesErrored: 0,
    },
  });
  const deps = (alerts: RecordingAlerts): RunDeps => ({
    tasks: new ScriptedTasks(stoppedMidway),
    rule: new RecordingRule('DISABLED'),
    alerts,
    store,
    history: new RecordingHistory(),
    hooks: new RecordingHooks([]),
    metrics: new RecordingMetrics(),
    log: new RecordingLog(),
    clock: clock.date,
    remainingTimeMs: () => 900_000,
    invocationId: 'post-processor-1',
  });

  it('in the outcome and in the alert, when the run holds an applied request', async () => {
    await recordStopRequest(store, TASK_ARN, run.id, REQUEST);
    const alerts = new RecordingAlerts();
    expect(await advanceRun(deps(alerts), postProcessorConfig())).toMatchObject({
      state: 'released',
      outcome: 'stopped-by-user',
    });
    expect((await stored())?.outcome?.explanation).toMatch(
      /^Stopped by a person .* through `dms-scheduler stop`/,
    );
    expect(alerts.published).toHaveLength(1);
    expect(alerts.published[0]?.message).toContain(
      'through `dms-scheduler stop` at 2026-11-23T00:20:00.000Z',
    );
  });

  it('not at all without one: the same stop is a bare NORMAL', async () => {
    const alerts = new RecordingAlerts();
    await advanceRun(deps(alerts), postProcessorConfig());
    expect((await stored())?.outcome).toMatchObject({
      kind: 'stopped-by-user',
      explanation: 'The task was stopped before it finished (Stop Reason NORMAL)',
    });
    expect(alerts.published[0]?.message).not.toContain('dms-scheduler stop');
  });
});
