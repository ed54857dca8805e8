// The pure half of the full-load-and-cdc milestone: when DMS's statistics say this run's full load finished
// (and when they do not: a resume whose load finished in an earlier run, 100 % without dates, no statistics),
// how a stop after the milestone reads, from when such a run is timed for the stuck-run metric, and where a
// cut-over notice is published.
import { describe, expect, it } from 'vitest';
import type { TaskStats } from '#shared/dms/task';
import { cutoverNotice } from '#shared/runs/cutover-notice';
import {
  activeSince,
  afterMilestoneOutcome,
  awaitsMilestone,
  fullLoadMilestone,
  milestoneTickOwes,
  publisherOf,
} from '#shared/runs/milestone';
import type { Run } from '#shared/runs/run';
import { successNotice } from '#shared/runs/success-notice';
import { postProcessorConfig, RecordingAlerts, runFixture, task } from '../../support/ports.ts';

const BEFORE = Date.parse('2026-11-23T00:00:00Z');
const at = (minutes: number) => new Date(BEFORE + minutes * 60_000);
const running = (stats: TaskStats | undefined) =>
  task({ status: 'running', migrationType: 'full-load-and-cdc', ...(stats && { stats }) });
const run = (overrides: Partial<Run> = {}) => runFixture({ phase: 'started', before: BEFORE, ...overrides });
const CDC = postProcessorConfig({
  MIGRATION_REFRESH_INDICATOR: 'data-migration',
  MIGRATION_REFRESH_TYPE: 'full-load-and-cdc',
  SCHEDULE_OR_ONE_TIME: 'one-time',
  SCHEDULE_RULE_ARN: '',
});

describe('fullLoadMilestone', () => {
  it('fires on a FullLoadFinishDate later than the run began', () => {
    const check = fullLoadMilestone(
      running({ startDate: at(1), fullLoadStartDate: at(1), fullLoadFinishDate: at(40), tablesLoaded: 3 }),
      run(),
    );
    expect(check).toEqual({
      reached: true,
      reason: `DMS shows the full load finished at ${at(40).toISOString()}`,
    });
  });

  it('does not fire for a resume-processing: the full load DMS shows finished in an earlier run', () => {
    // The earlier run's dates are all in `before`; the resume moves only StartDate.
    const check = fullLoadMilestone(
      running({
        startDate: at(5),
        fullLoadStartDate: at(-100),
        fullLoadFinishDate: at(-60),
        fullLoadProgressPercent: 100,
        tablesLoading: 0,
        tablesQueued: 0,
      }),
      run(),
    );
    expect(check.reached).toBe(false);
    expect(check.reason).toMatch(/finished before this run started/);
  });

  it('fires on 100 % with this run’s FullLoadStartDate and nothing loading or queued', () => {
    const stats = {
      fullLoadStartDate: at(1),
      fullLoadProgressPercent: 100,
      tablesLoading: 0,
      tablesQueued: 0,
    };
    expect(fullLoadMilestone(running(stats), run()).reached).toBe(true);
    expect(fullLoadMilestone(running({ ...stats, tablesLoading: 1 }), run()).reached).toBe(false);
    expect(fullLoadMilestone(running({ ...stats, tablesQueued: 2 }), run()).reached).toBe(false);
    expect(fullLoadMilestone(running({ ...stats, fullLoadProgressPercent: 99 }), run()).reached).toBe(false);
  });

  it('does not fire on 100 % without dates, nor on 100 % of a full load older than the run', () => {
    expect(fullLoadMilestone(running({ fullLoadProgressPercent: 100 }), run()).reached).toBe(false);
    const old = { fullLoadStartDate: at(-10), fullLoadProgressPercent: 100, tablesLoading: 0 };
    expect(fullLoadMilestone(running(old), run()).reached).toBe(false);
  });

  it('does not fire without statistics, on a task that is not running, or with tables in error', () => {
    expect(fullLoadMilestone(running(undefined), run())).toEqual({
      reached: false,
      reason: 'DMS reports no statistics for the task yet',
    });
    const done = { fullLoadStartDate: at(1), fullLoadFinishDate: at(40) };
    expect(fullLoadMilestone({ ...running(done), status: 'stopping' }, run()).reached).toBe(false);
    expect(fullLoadMilestone({ ...running(done), status: 'starting' }, run()).reached).toBe(false);
    expect(fullLoadMilestone(running({ ...done, tablesErrored: 1 }), run()).reached).toBe(false);
  });

  it('is awaited only by a started full-load-and-cdc run that has none yet', () => {
    const milestone = { reachedAt: at(41).toISOString(), stats: {} };
    expect(awaitsMilestone(CDC, run())).toBe(true);
    expect(awaitsMilestone(CDC, run({ milestone }))).toBe(false);
    expect(awaitsMilestone(CDC, run({ phase: 'starting' }))).toBe(false);
    expect(awaitsMilestone(postProcessorConfig(), run())).toBe(false);
    expect(
      awaitsMilestone(
        postProcessorConfig({
          MIGRATION_REFRESH_TYPE: 'cdc',
          SCHEDULE_OR_ONE_TIME: 'one-time',
          MIGRATION_REFRESH_INDICATOR: 'data-migration',
        }),
        run(),
      ),
    ).toBe(false);
  });
});

describe('milestoneTickOwes', () => {
  const milestone = { reachedAt: at(41).toISOString(), stats: {} };
  it('owes work while the milestone is awaited, in its hooks, or while its notice is unsent', () => {
    expect(milestoneTickOwes(CDC, run())).toBe(true);
    expect(milestoneTickOwes(CDC, run({ phase: 'hooks', milestone }))).toBe(true);
    const owed = { id: 'r:cutover', kind: 'cutover' as const, subject: 's', message: 'm', attempts: 0 };
    expect(milestoneTickOwes(CDC, run({ milestone, outbox: [owed] }))).toBe(true);
    expect(
      milestoneTickOwes(CDC, run({ milestone, outbox: [{ ...owed, sentAt: at(42).toISOString() }] })),
    ).toBe(false);
    expect(milestoneTickOwes(CDC, run({ milestone }))).toBe(false);
    // The run's end is the notices' and the hourly tick's.
    expect(milestoneTickOwes(CDC, run({ phase: 'finished', milestone }))).toBe(false);
    expect(milestoneTickOwes(postProcessorConfig(), run())).toBe(false);
  });
});

describe('afterMilestoneOutcome', () => {
  const stopped = {
    kind: 'stopped-by-user' as const,
    explanation: 'The task was stopped before it finished (Stop Reason NORMAL)',
    stopReason: 'Stop Reason NORMAL',
  };
  const milestone = { reachedAt: at(41).toISOString(), stats: {} };

  it('reads a NORMAL stop after the milestone as the planned end of the migration', () => {
    const outcome = afterMilestoneOutcome(stopped, run({ milestone }));
    expect(outcome.kind).toBe('succeeded');
    expect(outcome.explanation).toMatch(
      /^Change capture was stopped \(Stop Reason NORMAL\) after the full load/,
    );
    expect(outcome.stopReason).toBe('Stop Reason NORMAL');
  });

  it('says who stopped it through the command line', () => {
    const request = { by: 'cli' as const, at: at(90).toISOString(), principal: 'arn:aws:iam::1:user/ana' };
    const outcome = afterMilestoneOutcome(stopped, run({ milestone, stopRequested: request }));
    expect(outcome.explanation).toContain(
      `by a person (arn:aws:iam::1:user/ana) through \`dms-scheduler stop\``,
    );
  });

  it('leaves a NORMAL stop before the milestone, and every failure after it, as they are', () => {
    expect(afterMilestoneOutcome(stopped, run())).toBe(stopped);
    const failed = { kind: 'failed' as const, explanation: 'fatal', stopReason: 'Stop Reason FATAL_ERROR' };
    expect(afterMilestoneOutcome(failed, run({ milestone }))).toBe(failed);
    const ddl = { ...stopped, stopReason: 'Stop Reason STOPPED_AFTER_DDL_APPLY' };
    expect(afterMilestoneOutcome(ddl, run({ milestone }))).toBe(ddl);
  });
});

describe('activeSince and publisherOf', () => {
  it('times a run past its milestone from the milestone, then from its end', () => {
    const created = Date.parse(runFixture().createdAt);
    expect(activeSince(run())).toBe(created);
    const milestone = { reachedAt: '2026-11-26T00:00:00.000Z', stats: {} };
    expect(activeSince(run({ milestone }))).toBe(Date.parse(milestone.reachedAt));
    expect(activeSince(run({ milestone, finishedAt: '2026-11-30T00:00:00.000Z' }))).toBe(
      Date.parse('2026-11-30T00:00:00.000Z'),
    );
  });

  it('sends a cut-over notice to the success topic, or to the alerts topic when there is none', () => {
    const alerts = new RecordingAlerts();
    const successNotices = new RecordingAlerts();
    const cutover = { id: 'r:cutover', kind: 'cutover' as const, subject: 's', attempts: 0 };
    expect(publisherOf(cutover, { alerts, successNotices })).toBe(successNotices);
    expect(publisherOf(cutover, { alerts })).toBe(alerts);
    expect(publisherOf({ ...cutover, kind: 'success' }, { alerts })).toBeUndefined();
    const { kind: _old, ...legacy } = cutover;
    expect(publisherOf(legacy, { alerts, successNotices })).toBe(alerts);
  });
});

describe('the success notice of a run past its milestone', () => {
  it('times the load as the full load its milestone saw, not the whole replication', () => {
    const ended = run({
      phase: 'hooks-done',
      outcome: { kind: 'succeeded', explanation: 'stopped at cut-over' },
      stats: { startDate: at(0).toISOString(), stopDate: at(600).toISOString() },
      milestone: {
        reachedAt: at(45).toISOString(),
        stats: { fullLoadStartDate: at(1).toISOString(), fullLoadFinishDate: at(41).toISOString() },
      },
      hooks: [],
    });
    const notice = successNotice(CDC, ended, 'none', at(601));
    expect(notice.message).toContain('(load 40m 00s, hooks 0s)');
  });
});

describe('the cut-over notice', () => {
  it('carries names, counts and times, never what a hook reported, and fits SNS', () => {
    const reached = run({
      milestone: {
        reachedAt: at(45).toISOString(),
        stats: {
          fullLoadStartDate: at(1).toISOString(),
          fullLoadFinishDate: at(41).toISOString(),
          tablesLoaded: 12,
          tablesErrored: 0,
        },
      },
      hooks: [
        {
          name: 'smoke-check',
          status: 'succeeded',
          rerunnable: false,
          attempts: 1,
          durationMs: 3000,
          changed: 'checked ada.lovelace@example.com',
        },
      ],
    });
    const notice = cutoverNotice(CDC, reached, at(46));
    expect(notice.id).toBe(`${reached.id}:cutover`);
    expect(notice.subject).toBe(
      `dms-scheduler: ${CDC.task.identifier}: full load finished, ready for cut-over`,
    );
    expect(notice.subject.length).toBeLessThan(100);
    expect(notice.message).toContain('Full load took: 40m 00s');
    expect(notice.message).toContain('Tables loaded: 12');
    expect(notice.message).toContain('- smoke-check: succeeded in 3s');
    expect(notice.message).not.toContain('example.com');
  });
});
