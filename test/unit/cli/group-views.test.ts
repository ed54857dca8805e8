// What the command line shows of a run group, as pure functions: each member's progress view and line, the
// group's own line once its members ended, one bar per member on a terminal, the plain lines kept apart per
// member, the TASKS cell of history, the counts read back from a history entry, and a group stop's report.
import { describe, expect, it } from 'vitest';
import type { TaskSnapshot } from '#shared/dms/task';
import { historyEntryOf } from '#shared/runs/history';
import type { GroupMember, Run } from '#shared/runs/run';
import { formatProgressLine, type ProgressView, progressViews } from '../../../cli/follow.ts';
import { PLAIN } from '../../../cli/output.ts';
import { barDisplay, lineDisplay, QUIET_LINE_EVERY_MS } from '../../../cli/progress.ts';
import { groupTasksOfExplanation, summariseEntry, summariseRun } from '../../../cli/run-summary.ts';
import { tasksCell } from '../../../cli/status-format.ts';
import { formatGroupStop, type GroupStopReport, groupStopError } from '../../../cli/stop.ts';
import { ManualClock, runFixture } from '../../support/ports.ts';

const A = 'arn:aws:dms:us-east-1:123456789012:task:AAA';
const B = 'arn:aws:dms:us-east-1:123456789012:task:BBB';
const C = 'arn:aws:dms:us-east-1:123456789012:task:CCC';
const T0 = '2026-11-23T00:00:00.000Z';
const at = (seconds: number) => new Date(Date.parse(T0) + seconds * 1000);

const member = (arn: string, identifier: string, extra: Partial<GroupMember>): GroupMember => ({
  arn,
  identifier,
  state: 'queued',
  before: 0,
  startType: 'reload-target',
  ...extra,
});

const members: GroupMember[] = [
  member(A, 'orders', { state: 'started', startRequestedAt: T0 }),
  member(B, 'customers', {
    state: 'finished',
    startRequestedAt: T0,
    finishedAt: at(90).toISOString(),
    outcome: { kind: 'succeeded', explanation: 'The full load finished' },
    stats: {
      fullLoadProgressPercent: 100,
      tablesLoaded: 4,
      tablesLoading: 0,
      tablesQueued: 0,
      tablesErrored: 0,
    },
  }),
  member(C, 'invoices', { state: 'queued' }),
];
const groupRun: Run = runFixture({ phase: 'started', startType: undefined, startRequestedAt: T0, members });
const running: TaskSnapshot = {
  arn: A,
  identifier: 'orders',
  status: 'running',
  migrationType: 'full-load',
  stats: {
    fullLoadProgressPercent: 50,
    tablesLoaded: 5,
    tablesLoading: 2,
    tablesQueued: 3,
    tablesErrored: 0,
    elapsedTimeMillis: 60_000,
  },
};

describe('progressViews of a group', () => {
  it('one view per member, in order: DMS’s progress while under way, the record’s once ended, the queue', () => {
    const views = progressViews(groupRun, new Map([[A, running]]), 'group/nightly', 'nightly', at(120));
    expect(views.map(formatProgressLine)).toEqual([
      'orders: 50% | tables: 5 loaded, 2 loading, 3 queued, 0 errored | full load running | 2m 00s elapsed, about 1m 00s left',
      'customers: 100% | tables: 4 loaded, 0 loading, 0 queued, 0 errored | ended: succeeded | 1m 30s elapsed',
      "invoices: --% | tables: - loaded, - loading, - queued, - errored | queued: it starts when the group's concurrency limit lets it | 0s elapsed",
    ]);
  });

  it('once every member ended: a line for the group itself, with what the run does now', () => {
    const ended = members.map((m) =>
      m.state === 'finished' ? m : { ...m, state: 'not-started' as const, startType: undefined },
    );
    const run: Run = {
      ...groupRun,
      phase: 'hooks',
      members: ended,
      hooks: [{ name: 'mask-pii', status: 'running', rerunnable: true, attempts: 1 }],
      outcome: { kind: 'succeeded', explanation: 'x' },
    };
    const views = progressViews(run, new Map(), 'group/nightly', 'nightly', at(200));
    expect(views.map(formatProgressLine).at(-1)).toBe(
      'group nightly: 3/3 tasks ended | hooks 0/1 done, mask-pii running | 3m 20s elapsed',
    );
    expect(formatProgressLine(views[0] as ProgressView)).toBe(
      'orders: --% | tables: - loaded, - loading, - queued, - errored | not started: another task of the group did not succeed | 0s elapsed',
    );
  });

  it('one task: the view has no label and its line is as it always was', () => {
    const run = runFixture({ phase: 'started', startRequestedAt: T0 });
    const [view] = progressViews(run, new Map([[A, running]]), A, undefined, at(120));
    expect(view).not.toHaveProperty('label');
    expect(formatProgressLine(view as ProgressView)).toMatch(/^50% \| tables: 5 loaded/);
  });
});

describe('the displays, per member', () => {
  it('plain lines: each member printed when it changes, kept apart from the others', () => {
    const clock = new ManualClock(Date.parse(T0));
    const lines: string[] = [];
    const display = lineDisplay((line) => lines.push(line), clock.date);
    const views = progressViews(groupRun, new Map([[A, running]]), 'group/nightly', 'nightly', at(120));
    for (const view of views) display.show(view);
    clock.advance(15_000);
    // Only orders moves: only its line is printed again.
    const moved = { ...running, stats: { ...running.stats, fullLoadProgressPercent: 60, tablesLoaded: 6 } };
    for (const view of progressViews(groupRun, new Map([[A, moved]]), 'group/nightly', 'nightly', at(135))) {
      display.show(view);
    }
    expect(lines.map((line) => line.split(':')[0])).toEqual(['orders', 'customers', 'invoices', 'orders']);
    clock.advance(QUIET_LINE_EVERY_MS);
    for (const view of views) display.show(view);
    expect(lines).toHaveLength(7);
  });

  it('on a terminal: one bar per member, each named, aligned', () => {
    let out = '';
    const stream = {
      isTTY: true,
      columns: 240,
      write: (text: string) => {
        out += text;
        return true;
      },
      cursorTo: () => true,
      moveCursor: () => true,
      clearLine: () => true,
      clearScreenDown: () => true,
      on: () => stream,
      removeListener: () => stream,
    };
    const display = barDisplay(stream as unknown as NodeJS.WriteStream);
    const views = progressViews(groupRun, new Map([[A, running]]), 'group/nightly', 'nightly', at(120));
    for (const view of views) display.show(view);
    display.end();
    expect(out).toMatch(/orders {4}[\u2588\u2591]{24} 50% \| tables: 5 loaded/);
    expect(out).toMatch(/customers [\u2588]{24} 100% \| tables: 4 loaded[^\n]*ended: succeeded/);
    expect(out).toMatch(/invoices {2}[\u2591]{24} --% \| [^\n]*queued: it starts/);
  });
});

describe('a group run in history', () => {
  it('tasksCell: counts by state while under way, then succeeded of total, naming the others', () => {
    expect(tasksCell(summariseRun(groupRun), PLAIN)).toBe('1 started, 1 succeeded, 1 queued');
    const ended = members.map((m) =>
      m.state === 'started'
        ? { ...m, state: 'finished' as const, outcome: { kind: 'failed' as const, explanation: 'x' } }
        : m.state === 'queued'
          ? { ...m, state: 'not-started' as const }
          : m,
    );
    expect(tasksCell(summariseRun({ ...groupRun, phase: 'released', members: ended }), PLAIN)).toBe(
      '1/3 succeeded: orders failed, invoices not started',
    );
  });

  it('reads the counts back from a history entry’s explanation when the entry has none, and nothing from one task’s', () => {
    expect(groupTasksOfExplanation('All 3 tasks of the group succeeded')).toEqual({ total: 3, succeeded: 3 });
    expect(groupTasksOfExplanation('1 of 2 tasks of the group succeeded; task b: The task failed')).toEqual({
      total: 2,
      succeeded: 1,
    });
    expect(groupTasksOfExplanation('The full load finished')).toBeUndefined();
    expect(groupTasksOfExplanation(undefined)).toBeUndefined();
  });
});

describe('a group’s history entry', () => {
  it('shows the counts the entry keeps, whatever its explanation says or how it was cut', () => {
    const member = (identifier: string, kind: 'succeeded' | 'failed'): GroupMember => ({
      arn: `arn:aws:dms:us-east-1:123456789012:task:${identifier.toUpperCase()}`,
      identifier,
      state: 'finished',
      before: 0,
      outcome: { kind, explanation: kind },
    });
    const entry = historyEntryOf(
      runFixture({
        phase: 'notified',
        outcome: { kind: 'failed', explanation: '' },
        members: [member('orders', 'succeeded'), member('invoices', 'failed'), member('items', 'succeeded')],
      }),
      new Date('2026-11-23T01:00:00Z'),
    );
    expect(summariseEntry(entry, true).groupTasks).toEqual({ total: 3, succeeded: 2 });
  });
});

describe('a group stop’s report', () => {
  const report: GroupStopReport = {
    kind: 'stop',
    version: 1,
    task: null,
    group: { name: 'nightly' },
    members: [
      {
        arn: A,
        identifier: 'orders',
        statusBefore: 'running',
        statusAfter: 'stopping',
        stateInRun: 'started',
        stop: 'accepted',
        error: null,
      },
      {
        arn: B,
        identifier: 'customers',
        statusBefore: 'running',
        statusAfter: 'running',
        stateInRun: 'started',
        stop: 'unknown',
        error: 'DMS StopReplicationTask failed: cannot reach AWS (ECONNRESET)',
      },
      {
        arn: C,
        identifier: 'invoices',
        statusBefore: 'ready',
        statusAfter: 'ready',
        stateInRun: 'queued',
        stop: 'not-running',
        error: null,
      },
    ],
    run: { id: 'r1', phase: 'started' },
    stopRequest: { by: 'cli', at: T0 },
  };

  it('one line per member, then the run and how to follow it', () => {
    expect(formatGroupStop(report, 'dms-nightly')).toEqual([
      'Task orders: running → stopping (DMS StopReplicationTask accepted)',
      'Task customers: running → running: DMS StopReplicationTask failed: cannot reach AWS (ECONNRESET)',
      'Task invoices: ready, queued in the run: nothing to stop',
      'Run r1 of group nightly: recorded as stopped by a person through dms-scheduler stop; the group starts none of its queued tasks once a stopped one has ended',
      'Follow it to its end: dms-scheduler wait --stack dms-nightly',
    ]);
  });

  it('a member DMS did not answer for is an AWS error (exit 3), named, after the others were stopped', () => {
    const error = groupStopError(report);
    expect(error?.name).toBe('AwsCallError');
    expect(error?.message).toBe(
      'whether task(s) customers of group nightly are stopping is unknown (DMS did not answer; the stop request stays recorded); the other tasks are stopping: see dms-scheduler status',
    );
  });
});
