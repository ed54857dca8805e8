// The run record's pure functions decide the questions everything else rests on: is a task's state newer
// than what was accounted for (fingerprintOf), did this run's start take effect (hasBegun), does the task
// hold a lock (activeRun), and do statistics survive being stored as JSON (serializeStats/reviveStats).
import { describe, expect, it } from 'vitest';
import type { TaskStats } from '#shared/dms/task';
import {
  activeRun,
  fingerprintOf,
  hasBegun,
  invocationIdOf,
  newRunId,
  PHASES,
  reviveStats,
  serializeStats,
} from '#shared/runs/run';
import { finishedTask, runFixture, task } from '../../support/ports.ts';

const EARLY = new Date('2026-11-23T00:00:05Z');
const LATE = new Date('2026-11-23T00:41:07Z');

describe('fingerprintOf', () => {
  it('is 0 for a task that never ran', () => {
    expect(fingerprintOf(task())).toBe(0);
  });

  it.each([
    'startDate',
    'freshStartDate',
    'fullLoadStartDate',
    'fullLoadFinishDate',
    'stopDate',
  ] as const)('counts stats.%s on its own', (field) => {
    expect(fingerprintOf(task({ stats: { [field]: LATE } }))).toBe(LATE.getTime());
  });

  it('counts ReplicationTaskStartDate on its own (it may be the only date a resume moves)', () => {
    expect(fingerprintOf(task({ lastStartDate: LATE }))).toBe(LATE.getTime());
  });

  it('is the latest of all the dates, wherever it is', () => {
    expect(fingerprintOf(task({ lastStartDate: LATE, stats: { startDate: EARLY, stopDate: EARLY } }))).toBe(
      LATE.getTime(),
    );
    expect(fingerprintOf(finishedTask())).toBe(LATE.getTime());
  });
});

describe('hasBegun', () => {
  const before = fingerprintOf(finishedTask());

  it.each([
    'starting',
    'running',
    'stopping',
  ])('is true while the task is %s, whatever its dates', (status) => {
    expect(hasBegun(finishedTask({ status }), runFixture({ before }))).toBe(true);
  });

  it.each(['stopped', 'failed', 'ready'])('is false for a %s task whose dates did not move', (status) => {
    expect(hasBegun(finishedTask({ status }), runFixture({ before }))).toBe(false);
  });

  it('is true once any date moved past the one the run saw before its start', () => {
    const later = new Date(LATE.getTime() + 1);
    const moved = finishedTask({ stats: { ...finishedTask().stats, stopDate: later } });
    expect(hasBegun(moved, runFixture({ before }))).toBe(true);
  });

  it('is false for a task that never ran, in a run that saw it never ran', () => {
    expect(hasBegun(task(), runFixture({ before: 0 }))).toBe(false);
  });
});

describe('activeRun', () => {
  it('is undefined without a record, and for a record without a run', () => {
    expect(activeRun(undefined)).toBeUndefined();
    expect(activeRun({ seen: 5 })).toBeUndefined();
  });

  it('is undefined once the run is released: the lock is free', () => {
    expect(activeRun({ seen: 0, run: runFixture({ phase: 'released' }) })).toBeUndefined();
  });

  it.each(PHASES.filter((phase) => phase !== 'released'))('is the run while it is %s', (phase) => {
    const run = runFixture({ phase });
    expect(activeRun({ seen: 0, run })).toBe(run);
  });
});

describe('serializeStats and reviveStats', () => {
  const stats: TaskStats = {
    fullLoadProgressPercent: 100,
    tablesLoaded: 12,
    tablesLoading: 0,
    tablesQueued: 0,
    tablesErrored: 1,
    elapsedTimeMillis: 2_462_000,
    startDate: EARLY,
    freshStartDate: EARLY,
    fullLoadStartDate: EARLY,
    fullLoadFinishDate: LATE,
    stopDate: LATE,
  };

  it('writes dates as ISO strings and keeps numbers', () => {
    expect(serializeStats(stats)).toStrictEqual({
      fullLoadProgressPercent: 100,
      tablesLoaded: 12,
      tablesLoading: 0,
      tablesQueued: 0,
      tablesErrored: 1,
      elapsedTimeMillis: 2_462_000,
      startDate: EARLY.toISOString(),
      freshStartDate: EARLY.toISOString(),
      fullLoadStartDate: EARLY.toISOString(),
      fullLoadFinishDate: LATE.toISOString(),
      stopDate: LATE.toISOString(),
    });
  });

  it('gives back the same statistics after a trip through JSON, as the store makes', () => {
    const stored = JSON.parse(JSON.stringify(serializeStats(stats)));
    expect(reviveStats(stored)).toStrictEqual(stats);
  });

  it('leaves out fields DMS did not give, rather than storing undefined', () => {
    expect(serializeStats({ tablesLoaded: 3, stopDate: undefined })).toStrictEqual({ tablesLoaded: 3 });
  });

  it('passes "no statistics" through both ways', () => {
    expect(serializeStats(undefined)).toBeUndefined();
    expect(reviveStats(undefined)).toBeUndefined();
  });
});

describe('ids', () => {
  it('names a run by its creation time and a random suffix', () => {
    expect(newRunId(new Date('2026-11-23T00:00:00Z'), () => 0.5)).toBe('2026-11-23T00:00:00.000Z~7fffff');
    expect(newRunId(new Date('2026-11-23T00:00:00Z'), () => 0)).toBe('2026-11-23T00:00:00.000Z~000000');
  });

  it('names an invocation by its request id, or "local", and keeps two with one request id apart', () => {
    expect(invocationIdOf('req-1', () => 0.25)).toBe('req-1~3fffffff');
    expect(invocationIdOf(undefined, () => 0)).toBe('local~0');
    expect(invocationIdOf('req-1', () => 0.1)).not.toBe(invocationIdOf('req-1', () => 0.2));
  });
});
