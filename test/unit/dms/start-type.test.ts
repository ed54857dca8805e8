// Invariant 4, the right start type: which statuses a run may start from, and which start type each task
// history needs. A wrong answer here is the founding template's bug (start-replication on a second run) or
// worse, a resume or reload on a first run; overrides are checked against the same facts.
import { describe, expect, it } from 'vitest';
import { chooseStartType, startability } from '#shared/dms/start-type';
import { type StartType, TASK_STATUSES, type TaskSnapshot, type TaskStats } from '#shared/dms/task';
import { StartTypeRefusedError } from '#shared/errors';

const STARTED = new Date('2026-11-22T00:00:05Z');
const FINISHED = new Date('2026-11-22T00:41:07Z');

function snapshot(overrides: Partial<TaskSnapshot>): TaskSnapshot {
  return {
    arn: 'arn:aws:dms:us-east-1:123456789012:task:ABCDEFGHIJKLMNOPQRSTUVWXYZ',
    identifier: 'nightly-refresh',
    status: 'ready',
    migrationType: 'full-load',
    ...overrides,
  };
}

/** Each way DMS shows that a task has run before, one at a time. */
const HISTORIES: readonly (readonly [string, Partial<TaskSnapshot>])[] = [
  ['ReplicationTaskStartDate', { lastStartDate: STARTED }],
  ['stats.StartDate', { stats: { startDate: STARTED } }],
  ['stats.FreshStartDate', { stats: { freshStartDate: STARTED } }],
  ['stats.FullLoadStartDate', { stats: { fullLoadStartDate: STARTED } }],
  ['stats.StopDate', { stats: { stopDate: FINISHED } }],
];

const withStats = (history: Partial<TaskSnapshot>, extra: TaskStats): Partial<TaskSnapshot> => ({
  ...history,
  stats: { ...history.stats, ...extra },
});

/** The StartTypeRefusedError a choice throws (fails the test if it throws anything else or nothing). */
function refusal(choose: () => unknown): StartTypeRefusedError {
  try {
    choose();
  } catch (error) {
    if (error instanceof StartTypeRefusedError) return error;
    throw error;
  }
  throw new Error('expected a StartTypeRefusedError, but the start type was accepted');
}

describe('startability', () => {
  const startable = ['ready', 'stopped', 'failed'];

  it('knows every documented status', () => {
    expect([...TASK_STATUSES].sort()).toEqual(
      [
        'creating',
        'deleting',
        'failed',
        'failed-move',
        'modifying',
        'moving',
        'ready',
        'running',
        'starting',
        'stopped',
        'stopping',
        'testing',
      ].sort(),
    );
  });

  it.each(startable)('a %s task can be started', (status) => {
    expect(startability(snapshot({ status }))).toEqual({ startable: true });
  });

  it.each(
    TASK_STATUSES.filter((status) => !startable.includes(status)),
  )('a %s task cannot be started, and the reason names the status', (status) => {
    const result = startability(snapshot({ status }));
    expect(result.startable).toBe(false);
    if (result.startable) return;
    expect(result.reason).toContain(status);
  });

  it.each(['paused', 'Ready', ''])('an unknown status %j is never startable', (status) => {
    const result = startability(snapshot({ status }));
    expect(result).toEqual({ startable: false, reason: expect.stringContaining(`"${status}"`) });
  });
});

describe('chooseStartType without an override', () => {
  it('a ready task that has never run gets start-replication, whatever its migration type', () => {
    for (const migrationType of ['full-load', 'full-load-and-cdc', 'cdc']) {
      expect(chooseStartType(snapshot({ status: 'ready', migrationType })).startType).toBe(
        'start-replication',
      );
    }
  });

  // Only recorded dates count as history: a re-run start type on a task that never ran corrupts the target,
  // while a refused start-replication is retried with the re-run type.
  it.each([
    'stopped',
    'failed',
  ])('a %s task without any recorded start is started with start-replication', (status) => {
    for (const migrationType of ['full-load', 'cdc', 'full-load-and-cdc']) {
      expect(chooseStartType(snapshot({ status, migrationType })).startType).toBe('start-replication');
    }
  });

  describe.each(['ready', 'stopped', 'failed'])('a %s task that has run before', (status) => {
    it.each(HISTORIES)('full-load, history in %s: reload-target', (_, history) => {
      const choice = chooseStartType(snapshot({ status, migrationType: 'full-load', ...history }));
      expect(choice).toEqual({
        startType: 'reload-target',
        reason: expect.stringContaining('has run before'),
      });
    });

    it.each(HISTORIES)('cdc, history in %s: resume-processing', (_, history) => {
      const choice = chooseStartType(snapshot({ status, migrationType: 'cdc', ...history }));
      expect(choice.startType).toBe('resume-processing');
    });

    it.each(
      HISTORIES,
    )('full-load-and-cdc whose full load finished, history in %s: resume-processing', (_, history) => {
      const task = snapshot({
        status,
        migrationType: 'full-load-and-cdc',
        ...withStats(history, { fullLoadFinishDate: FINISHED }),
      });
      expect(chooseStartType(task).startType).toBe('resume-processing');
    });

    it.each(
      HISTORIES,
    )('full-load-and-cdc whose full load did not finish, history in %s: reload-target', (_, history) => {
      const task = snapshot({ status, migrationType: 'full-load-and-cdc', ...history });
      expect(chooseStartType(task).startType).toBe('reload-target');
    });
  });

  it('says why it chose start-replication', () => {
    expect(chooseStartType(snapshot({}))).toEqual({
      startType: 'start-replication',
      reason: 'first run of the task',
    });
  });
});

describe('chooseStartType with an override', () => {
  const firstRun = (migrationType: string) => snapshot({ status: 'ready', migrationType });
  const reRun = (migrationType: string) =>
    snapshot({
      status: 'stopped',
      migrationType,
      lastStartDate: STARTED,
      stats: { fullLoadFinishDate: FINISHED },
    });

  it.each([
    ['start-replication', 'a first full-load run', firstRun('full-load')],
    ['start-replication', 'a first cdc run', firstRun('cdc')],
    ['start-replication', 'a first full-load-and-cdc run', firstRun('full-load-and-cdc')],
    ['reload-target', 'a full-load re-run', reRun('full-load')],
    ['reload-target', 'a cdc re-run', reRun('cdc')],
    ['reload-target', 'a full-load-and-cdc re-run', reRun('full-load-and-cdc')],
    ['resume-processing', 'a cdc re-run', reRun('cdc')],
    ['resume-processing', 'a full-load-and-cdc re-run', reRun('full-load-and-cdc')],
  ] as const)('accepts %s on %s', (override: StartType, _, task) => {
    expect(chooseStartType(task, override)).toEqual({ startType: override, reason: 'explicit override' });
  });

  it.each([
    ['start-replication', 'a full-load task that has run', reRun('full-load'), 'has run before'],
    ['start-replication', 'a cdc task that has run', reRun('cdc'), 'has run before'],
    ['reload-target', 'a first full-load run', firstRun('full-load'), 'first run must use start-replication'],
    ['reload-target', 'a first cdc run', firstRun('cdc'), 'first run must use start-replication'],
    ['resume-processing', 'a first cdc run', firstRun('cdc'), 'first run must use start-replication'],
    [
      'resume-processing',
      'a first full-load-and-cdc run',
      firstRun('full-load-and-cdc'),
      'first run must use start-replication',
    ],
    ['resume-processing', 'a full-load task that has run', reRun('full-load'), 'use reload-target'],
  ] as const)('refuses %s on %s', (override: StartType, _, task, why) => {
    const error = refusal(() => chooseStartType(task, override));
    expect(error.message).toContain(`Start type ${override}`);
    expect(error.message).toContain(why);
  });
});
