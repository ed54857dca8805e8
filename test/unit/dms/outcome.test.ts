// What a run came to is read from DescribeReplicationTasks (invariant 3), and everything after depends on
// it: hooks run only on `succeeded`, an alert goes out on anything else. Every StopReason DMS documents and
// every status must land on the right outcome, and an unknown one must never count as success.
import { describe, expect, it } from 'vitest';
import { classifyOutcome, type OutcomeKind, STOP_REASON_OUTCOMES } from '#shared/dms/outcome';
import { TASK_STATUSES, type TaskSnapshot } from '#shared/dms/task';

const STARTED = new Date('2026-11-23T00:00:05Z');
const FINISHED = new Date('2026-11-23T00:41:07Z');

/** A stopped task after a complete, error-free full load; each case changes what it needs. */
function stopped(stopReason: string | undefined, overrides: Partial<TaskSnapshot> = {}): TaskSnapshot {
  return {
    arn: 'arn:aws:dms:us-east-1:123456789012:task:ABCDEFGHIJKLMNOPQRSTUVWXYZ',
    identifier: 'nightly-refresh',
    status: 'stopped',
    migrationType: 'full-load',
    stopReason,
    lastStartDate: STARTED,
    stats: {
      startDate: STARTED,
      fullLoadStartDate: STARTED,
      fullLoadFinishDate: FINISHED,
      stopDate: FINISHED,
      fullLoadProgressPercent: 100,
      tablesLoaded: 12,
      tablesErrored: 0,
    },
    ...overrides,
  };
}

// dms-facts.md §2, written out here: the test must not derive the list from the code it checks.
const STOP_REASONS: readonly (readonly [string, OutcomeKind])[] = [
  ['NORMAL', 'succeeded'],
  ['RECOVERABLE_ERROR', 'failed'],
  ['FATAL_ERROR', 'failed'],
  ['FULL_LOAD_ONLY_FINISHED', 'succeeded'],
  ['STOPPED_AFTER_FULL_LOAD', 'succeeded'],
  ['STOPPED_AFTER_CACHED_EVENTS', 'succeeded'],
  ['EXPRESS_LICENSE_LIMITS_REACHED', 'failed'],
  ['STOPPED_AFTER_DDL_APPLY', 'stopped-by-user'],
  ['STOPPED_DUE_TO_LOW_MEMORY', 'failed'],
  ['STOPPED_DUE_TO_LOW_DISK', 'failed'],
  ['STOPPED_AT_SERVER_TIME', 'succeeded'],
  ['STOPPED_AT_COMMIT_TIME', 'succeeded'],
  ['RECONFIGURATION_RESTART', 'failed'],
  ['RECYCLE_TASK', 'failed'],
];

describe('STOP_REASON_OUTCOMES', () => {
  it('has a row for each of the 14 documented stop reasons, and no other', () => {
    expect(STOP_REASONS).toHaveLength(14);
    expect(Object.keys(STOP_REASON_OUTCOMES).sort()).toEqual(STOP_REASONS.map(([reason]) => reason).sort());
  });
});

describe('classifyOutcome for a stopped task', () => {
  it.each(STOP_REASONS)('Stop Reason %s after a complete full load: %s', (reason, kind) => {
    const outcome = classifyOutcome(stopped(`Stop Reason ${reason}`));
    expect(outcome.kind).toBe(kind);
    expect(outcome.explanation.length).toBeGreaterThan(0);
  });

  it.each(STOP_REASONS)('reads %s the same without the prefix or with stray spaces', (reason, kind) => {
    expect(classifyOutcome(stopped(reason)).kind).toBe(kind);
    expect(classifyOutcome(stopped(`  Stop Reason  ${reason} `)).kind).toBe(kind);
  });

  it.each([
    'FULL_LOAD_ONLY_FINISHED',
    'STOPPED_AFTER_FULL_LOAD',
    'STOPPED_AFTER_CACHED_EVENTS',
    'NORMAL',
  ])('a finished load (%s) with tables in error has failed, and says how many', (reason) => {
    const task = stopped(`Stop Reason ${reason}`);
    const outcome = classifyOutcome({ ...task, stats: { ...task.stats, tablesErrored: 3 } });
    expect(outcome).toEqual({
      kind: 'failed',
      explanation: expect.stringContaining('3 table(s) are in error'),
    });
  });

  describe('Stop Reason NORMAL', () => {
    it('on a full load at 100 % is a finished refresh', () => {
      const task = stopped('Stop Reason NORMAL', {
        stats: { fullLoadProgressPercent: 100, tablesErrored: 0 },
      });
      expect(classifyOutcome(task).kind).toBe('succeeded');
    });

    it('on a full load with a finish date (no percentage) is a finished refresh', () => {
      const task = stopped('Stop Reason NORMAL', { stats: { fullLoadFinishDate: FINISHED } });
      expect(classifyOutcome(task).kind).toBe('succeeded');
    });

    it.each([
      ['at 40 %', { fullLoadProgressPercent: 40, tablesLoaded: 5 }],
      ['at 99 %', { fullLoadProgressPercent: 99 }],
      ['without any stats', undefined],
    ])('on a full load stopped %s was stopped by hand', (_, stats) => {
      const outcome = classifyOutcome(stopped('Stop Reason NORMAL', { stats }));
      expect(outcome).toEqual({ kind: 'stopped-by-user', explanation: expect.stringContaining('NORMAL') });
    });

    it.each([
      'cdc',
      'full-load-and-cdc',
    ])('on a %s task, which never ends by itself, was stopped by hand', (type) => {
      expect(classifyOutcome(stopped('Stop Reason NORMAL', { migrationType: type })).kind).toBe(
        'stopped-by-user',
      );
    });
  });

  it.each([
    ['an unknown reason', 'Stop Reason SOMETHING_NEW'],
    ['an empty reason', ''],
    ['no reason at all', undefined],
    ['a lower-case reason', 'Stop Reason full_load_only_finished'],
    ['a reason with a suffix', 'Stop Reason FULL_LOAD_ONLY_FINISHED_WITH_ERRORS'],
  ])('%s is a failure, never a success', (_, reason) => {
    const outcome = classifyOutcome(stopped(reason));
    expect(outcome).toEqual({ kind: 'failed', explanation: expect.stringContaining('does not know') });
  });
});

describe('classifyOutcome by status', () => {
  const EXPECTED: Readonly<Record<(typeof TASK_STATUSES)[number], OutcomeKind | 'by stop reason'>> = {
    starting: 'started',
    running: 'started',
    stopping: 'still-running',
    ready: 'still-running',
    creating: 'still-running',
    modifying: 'still-running',
    testing: 'still-running',
    moving: 'still-running',
    failed: 'failed',
    deleting: 'failed',
    'failed-move': 'failed',
    stopped: 'by stop reason',
  };

  it.each(TASK_STATUSES.filter((status) => status !== 'stopped'))('%s', (status) => {
    // Even a stop reason left over from an earlier run must not decide the outcome of a non-stopped task.
    const outcome = classifyOutcome(stopped('Stop Reason FULL_LOAD_ONLY_FINISHED', { status }));
    expect(outcome.kind).toBe(EXPECTED[status]);
  });

  it('a failed task carries DMS last failure message into the explanation', () => {
    const outcome = classifyOutcome(
      stopped(undefined, {
        status: 'failed',
        lastFailureMessage: 'Last Error Endpoint initialization failed.',
      }),
    );
    expect(outcome).toEqual({
      kind: 'failed',
      explanation: 'The task failed: Last Error Endpoint initialization failed.',
    });
  });

  it('a failed task without a failure message still fails', () => {
    expect(classifyOutcome(stopped(undefined, { status: 'failed' }))).toEqual({
      kind: 'failed',
      explanation: 'The task failed',
    });
  });

  it.each(['paused', 'STOPPED', ''])('an unknown status %j is a failure naming it', (status) => {
    const outcome = classifyOutcome(stopped('Stop Reason FULL_LOAD_ONLY_FINISHED', { status }));
    expect(outcome).toEqual({ kind: 'failed', explanation: expect.stringContaining(`(${status})`) });
  });
});
