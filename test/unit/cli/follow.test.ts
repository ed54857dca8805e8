// The following loop of `wait` and its pure parts: the estimate, the view of one poll, the plain line; and
// the loop itself over scripted ports with an instant sleep: every DMS status on the way, a describe that
// fails once (retried at the next poll) or for good (an AWS error), Ctrl-C, no run, a superseded run.
import { describe, expect, it } from 'vitest';
import type { TaskControl, TaskSnapshot } from '#shared/dms/task';
import type { Run, TaskRecord } from '#shared/runs/run';
import { AwsCallError } from '../../../cli/errors.ts';
import {
  estimateRemainingMs,
  type FollowTiming,
  followRun,
  formatProgressLine,
  type ProgressView,
  progressView,
  stageOf,
} from '../../../cli/follow.ts';
import { lineDisplay, QUIET_LINE_EVERY_MS } from '../../../cli/progress.ts';
import { ManualClock, RecordingStore, runFixture, seedRecord, TASK_ARN, task } from '../../support/ports.ts';

const STARTED_AT = '2026-11-23T00:00:00.000Z';
const at = (seconds: number) => new Date(Date.parse(STARTED_AT) + seconds * 1000);
const run = runFixture({ phase: 'started', startRequestedAt: STARTED_AT });
const loading = (percent: number, loaded: number, extra: Partial<TaskSnapshot> = {}) =>
  task({
    status: 'running',
    stats: {
      fullLoadProgressPercent: percent,
      tablesLoaded: loaded,
      tablesLoading: 2,
      tablesQueued: 10 - loaded - 2,
      tablesErrored: 0,
      elapsedTimeMillis: percent * 6_000,
    },
    ...extra,
  });

describe('estimateRemainingMs', () => {
  it.each([
    [50, 60_000, 60_000],
    [25, 60_000, 180_000],
    [99, 99_000, 1_000],
    [null, 60_000, null],
    [0, 60_000, null],
    [0.5, 60_000, null],
    [100, 60_000, null],
    [50, undefined, null],
    [50, 0, null],
  ] as const)('%s%% after %s ms: %s ms left', (percent, elapsed, left) => {
    expect(estimateRemainingMs(percent, elapsed)).toBe(left);
  });
});

describe('progressView and its line', () => {
  it('reads percent, table counts, elapsed since the start request and the estimate', () => {
    const view = progressView(run, loading(40, 3), at(300));
    expect(view).toEqual({
      runId: run.id,
      phase: 'started',
      taskStatus: 'running',
      percent: 40,
      tables: { loaded: 3, loading: 2, queued: 5, errored: 0 },
      elapsedMs: 300_000,
      remainingMs: 360_000,
      stage: 'full load running',
    });
    expect(formatProgressLine(view)).toBe(
      '40% | tables: 3 loaded, 2 loading, 5 queued, 0 errored | full load running | 5m 00s elapsed, about 6m 00s left',
    );
  });

  it('without statistics yet: no percent, no counts, no estimate', () => {
    const view = progressView(run, task({ status: 'starting' }), at(20));
    expect(formatProgressLine(view)).toBe(
      '--% | tables: - loaded, - loading, - queued, - errored | DMS is starting the task (starting) | 20s elapsed',
    );
  });

  it('a finished full load is 100% even where DMS dropped the percent', () => {
    const done = task({ status: 'stopped', stats: { fullLoadFinishDate: at(600) } });
    expect(progressView(run, done, at(610)).percent).toBe(100);
  });

  it.each([
    ['ready', {}, 'DMS is starting the task (ready)'],
    ['starting', {}, 'DMS is starting the task (starting)'],
    ['running', {}, 'full load running'],
    ['stopping', {}, 'DMS is stopping the task'],
    [
      'stopped',
      { stopReason: 'Stop Reason FULL_LOAD_ONLY_FINISHED' },
      'task stopped (Stop Reason FULL_LOAD_ONLY_FINISHED); the post-processor settles the run',
    ],
    [
      'failed',
      { lastFailureMessage: 'ORA-00942' },
      'task failed (ORA-00942); the post-processor settles the run',
    ],
  ] as const)('a started run whose task is %s: %s', (status, extra, stage) => {
    expect(stageOf(run, task({ status, ...extra }))).toBe(stage);
  });

  it('after the outcome, the stage is the run\u2019s: its hooks, its alert, the rule', () => {
    const inHooks: Run = {
      ...run,
      phase: 'hooks',
      hooks: [
        { name: 'mask-pii', status: 'succeeded', rerunnable: true, attempts: 1 },
        { name: 'smoke-check', status: 'running', rerunnable: false, attempts: 1 },
      ],
    };
    expect(stageOf(inHooks, task({ status: 'stopped' }))).toBe('hooks 1/2 done, smoke-check running');
    expect(stageOf({ ...run, phase: 'notified' }, task())).toBe('the schedule is being given back');
  });
});

describe('lineDisplay (stderr is not a terminal)', () => {
  it('prints a line when something changes, and one a minute when nothing does', () => {
    const clock = new ManualClock();
    const lines: string[] = [];
    const display = lineDisplay((line) => lines.push(line), clock.date);
    const view = (percent: number, elapsedMs: number): ProgressView =>
      progressView(run, loading(percent, 3), new Date(Date.parse(STARTED_AT) + elapsedMs));
    display.show(view(10, 10_000));
    clock.advance(15_000);
    display.show(view(10, 25_000));
    clock.advance(15_000);
    display.show(view(20, 40_000));
    clock.advance(QUIET_LINE_EVERY_MS);
    display.show(view(20, 40_000 + QUIET_LINE_EVERY_MS));
    expect(lines.map((line) => line.split(' | ')[0])).toEqual(['10%', '20%', '20%']);
  });
});

// ---- the loop ---------------------------------------------------------------------------------------------

/** Each poll: what the ledger holds and what DMS answers (an Error is thrown). */
interface Step {
  readonly record: TaskRecord;
  readonly task: TaskSnapshot | Error;
}

async function follow(steps: readonly Step[], timing: Partial<FollowTiming> = {}) {
  const store = new RecordingStore();
  const first = steps[0];
  if (first === undefined) throw new Error('no steps');
  await seedRecord(store.inner, first.record);
  let poll = 0;
  const tasks: TaskControl = {
    describe: async () => {
      const answer = steps[Math.min(poll, steps.length - 1)]?.task;
      if (answer instanceof Error) throw answer;
      return answer as TaskSnapshot;
    },
    start: async () => {},
  };
  const views: ProgressView[] = [];
  const retries: string[] = [];
  const sleeps: number[] = [];
  const clock = new ManualClock(Date.parse(STARTED_AT));
  const end = await followRun(
    { tasks, store },
    TASK_ARN,
    {
      intervalMs: 15_000,
      clock: clock.date,
      failedPollsAllowed: 2,
      sleep: async (ms) => {
        sleeps.push(ms);
        clock.advance(ms);
        poll += 1;
        const next = steps[poll];
        if (next && next.record !== steps[poll - 1]?.record) {
          const { version } = await store.inner.load(TASK_ARN);
          await store.inner.save(TASK_ARN, next.record, version);
        }
      },
      ...timing,
    },
    {
      progress: (view) => views.push(view),
      retrying: (problem) => retries.push(problem),
    },
  );
  return { end, views, retries, sleeps };
}

const recordOf = (phase: Run['phase'], extra: Partial<Run> = {}): TaskRecord => ({
  seen: 0,
  run: { ...run, phase, ...extra },
});

describe('followRun', () => {
  it('through ready, starting, running, stopping and stopped, to the release', async () => {
    const started = recordOf('started');
    const { end, views, sleeps } = await follow([
      { record: started, task: task({ status: 'ready' }) },
      { record: started, task: task({ status: 'starting' }) },
      { record: started, task: loading(30, 2) },
      { record: started, task: loading(80, 6) },
      { record: started, task: task({ status: 'stopping' }) },
      {
        record: started,
        task: task({ status: 'stopped', stopReason: 'Stop Reason FULL_LOAD_ONLY_FINISHED' }),
      },
      { record: recordOf('hooks', { hooks: [] }), task: task({ status: 'stopped' }) },
      { record: recordOf('released', { outcome: { kind: 'succeeded', explanation: 'ok' } }), task: task() },
    ]);
    expect(end).toMatchObject({
      kind: 'settled',
      run: { phase: 'released', outcome: { kind: 'succeeded' } },
    });
    expect(views.map((view) => view.taskStatus)).toEqual([
      'ready',
      'starting',
      'running',
      'running',
      'stopping',
      'stopped',
      'stopped',
    ]);
    expect(views.map((view) => view.percent)).toEqual([null, null, 30, 80, null, null, null]);
    expect(sleeps).toEqual(Array(7).fill(15_000));
  });

  it('a describe that fails once is retried at the next poll, with a note, and the follow goes on', async () => {
    const started = recordOf('started');
    const { end, retries, views } = await follow([
      { record: started, task: loading(10, 1) },
      { record: started, task: Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }) },
      { record: started, task: loading(60, 5) },
      { record: recordOf('released'), task: task() },
    ]);
    expect(end.kind).toBe('settled');
    expect(retries).toEqual([
      'DMS DescribeReplicationTasks failed (ThrottlingException: Rate exceeded); trying again at the next poll (1 of 2 allowed in a row)',
    ]);
    expect(views.map((view) => view.percent)).toEqual([10, 60]);
  });

  it('a describe that keeps failing ends the follow with an AwsCallError (exit 3)', async () => {
    const failing = Object.assign(new Error('no route'), { code: 'ECONNREFUSED' });
    const { end } = await follow([{ record: recordOf('started'), task: failing }]).catch(
      (error: unknown) => ({
        end: error,
      }),
    );
    expect(end).toBeInstanceOf(AwsCallError);
    expect((end as Error).message).toBe(
      'DMS DescribeReplicationTasks failed at 3 polls in a row, each retried by the SDK (cannot reach AWS (ECONNREFUSED: no route)); the run goes on: see dms-scheduler status',
    );
  });

  it('no active run: says so at once, with the record (its last run) to report', async () => {
    const released = recordOf('released');
    const { end, views, sleeps } = await follow([{ record: released, task: task() }]);
    expect(end).toEqual({ kind: 'no-active-run', record: released });
    expect(views).toEqual([]);
    expect(sleeps).toEqual([]);
  });

  it('a newer run in the ledger: the followed one is superseded', async () => {
    const { end } = await follow([
      { record: recordOf('started'), task: loading(10, 1) },
      { record: { seen: 0, run: runFixture({ id: 'newer', phase: 'started' }) }, task: loading(10, 1) },
    ]);
    expect(end).toMatchObject({ kind: 'superseded', runId: run.id });
  });

  it('Ctrl-C (the signal aborts) while sleeping: interrupted, nothing else read', async () => {
    const interrupt = new AbortController();
    let describes = 0;
    const store = new RecordingStore();
    await seedRecord(store.inner, recordOf('started'));
    const end = await followRun(
      {
        tasks: {
          describe: async () => {
            describes += 1;
            return loading(10, 1);
          },
          start: async () => {},
        },
        store,
      },
      TASK_ARN,
      {
        intervalMs: 15_000,
        clock: () => at(0),
        failedPollsAllowed: 2,
        signal: interrupt.signal,
        sleep: async () => interrupt.abort(),
      },
      { progress: () => {}, retrying: () => {} },
    );
    expect(end).toEqual({ kind: 'interrupted', runId: run.id });
    expect(describes).toBe(1);
  });
});
