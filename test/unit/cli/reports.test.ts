// The run as `status` and `history` show it: the summary both `--json` shapes share, the history filter, and
// the text a person reads, plain and coloured. Pure functions, fed typed records.
import { describe, expect, it } from 'vitest';
import type { Deployment } from '../../../cli/deployment.ts';
import { formatHistory, historyNotes, historyReport } from '../../../cli/history.ts';
import { COLOUR, PLAIN } from '../../../cli/output.ts';
import { countHooks, summariseRun } from '../../../cli/run-summary.ts';
import { statusReport, type TaskView } from '../../../cli/status.ts';
import { describeRun, formatProgress, formatStatus } from '../../../cli/status-format.ts';
import type { TaskSnapshot } from '../../../shared/dms/task.ts';
import { historyEntryOf } from '../../../shared/runs/history.ts';
import type { Run, TaskRecord } from '../../../shared/runs/run.ts';

const now = new Date('2026-11-23T00:20:00.000Z');
const TASK_ARN = 'arn:aws:dms:eu-west-1:123456789012:task:ABCDEF123';

const failedRun: Run = {
  id: '2026-11-23T00:00:00.000Z~0a1b2c',
  trigger: 'schedule',
  phase: 'released',
  createdAt: '2026-11-23T00:00:00.000Z',
  updatedAt: '2026-11-23T00:15:00.000Z',
  before: 0,
  startType: 'reload-target',
  startRequestedAt: '2026-11-23T00:00:02.000Z',
  ruleOwned: true,
  outcome: { kind: 'failed', explanation: 'The task failed', stopReason: 'Stop Reason FATAL_ERROR' },
  finishedAt: '2026-11-23T00:04:02.000Z',
  hooks: [
    { name: 'mask-a', status: 'succeeded', rerunnable: true, attempts: 1, durationMs: 10, rowsMasked: 100 },
    { name: 'mask-b', status: 'failed', rerunnable: true, attempts: 1, rowsMasked: 5, error: 'boom' },
    { name: 'smoke', status: 'skipped', rerunnable: false, attempts: 0 },
  ],
  ruleDecision: 'keep-disabled',
  outbox: [],
  releasedAt: '2026-11-23T00:15:00.000Z',
};

const startingRun: Run = {
  id: '2026-11-23T00:10:00.000Z~ffee01',
  trigger: 'manual',
  phase: 'started',
  createdAt: '2026-11-23T00:10:00.000Z',
  updatedAt: '2026-11-23T00:10:01.000Z',
  before: 0,
  ruleOwned: false,
  outbox: [],
};

const deployment: Deployment = {
  stack: { name: 'dms-nightly', id: 'id', status: 'UPDATE_COMPLETE' },
  namePrefix: 'nightly',
  task: { arn: TASK_ARN, identifier: 'staging-refresh' },
  members: [{ arn: TASK_ARN, identifier: 'staging-refresh' }],
  group: undefined,
  mode: { indicator: 'data-refresh', migrationType: 'full-load', cadence: 'schedule' },
  functions: { taskStarter: 'nightly-task-starter', postProcessor: 'nightly-post-processor' },
  scheduleRule: { name: 'nightly-schedule', expression: undefined },
  runLedgerTable: 'nightly-run-ledger',
  topics: { alerts: 'arn:aws:sns:eu-west-1:123456789012:nightly-alerts', dmsEvents: undefined },
  ruleAfterFailure: 'keep-disabled',
  hooksConfig: undefined,
};

const task: TaskSnapshot = {
  arn: TASK_ARN,
  identifier: 'staging-refresh',
  status: 'running',
  migrationType: 'full-load',
  lastStartDate: new Date('2026-11-23T00:10:03.000Z'),
  stats: {
    fullLoadProgressPercent: 73,
    tablesLoaded: 9,
    tablesLoading: 2,
    tablesQueued: 1,
    tablesErrored: 0,
  },
};

describe('summariseRun', () => {
  it('measures from the start request to the end, and sums the rows the hooks masked', () => {
    expect(summariseRun(failedRun)).toMatchObject({
      startedAt: '2026-11-23T00:00:02.000Z',
      durationMs: 240_000,
      rowsMasked: 105,
      ruleAction: 'keep-disabled',
      active: false,
      outcome: { kind: 'failed', explanation: 'The task failed' },
    });
  });

  it('says null, not 0, where the run has no such value yet', () => {
    expect(summariseRun(startingRun)).toMatchObject({
      startType: null,
      startedAt: startingRun.createdAt,
      finishedAt: null,
      durationMs: null,
      outcome: null,
      hooks: [],
      rowsMasked: null,
      ruleAction: null,
      active: true,
    });
  });

  it('counts hooks by status', () => {
    expect(countHooks(summariseRun(failedRun).hooks)).toBe('1 succeeded, 1 failed, 1 skipped');
    expect(countHooks([])).toBe('none');
  });
});

describe('historyReport', () => {
  const record: TaskRecord = { seen: 1, run: failedRun };
  const filter = { since: new Date('2026-11-16T00:00:00.000Z'), limit: 20 };
  const entryOf = (run: Run) => historyEntryOf(run, new Date(run.releasedAt ?? run.updatedAt));
  /** Yesterday's run, released and in the history; the record has moved on to a newer run. */
  const yesterday: Run = {
    ...failedRun,
    id: '2026-11-22T00:00:00.000Z~99aa00',
    createdAt: '2026-11-22T00:00:00.000Z',
    startRequestedAt: '2026-11-22T00:00:03.000Z',
    finishedAt: '2026-11-22T00:10:03.000Z',
    releasedAt: '2026-11-22T00:11:00.000Z',
    outcome: { kind: 'succeeded', explanation: 'The full load finished' },
    hooks: [
      { name: 'mask-a', status: 'succeeded', rerunnable: true, attempts: 1, durationMs: 9, rowsMasked: 7 },
    ],
    ruleDecision: 'enable',
  };

  it('lists the active run first, marked active, then the history newest first', () => {
    const report = historyReport(
      { seen: 1, run: startingRun },
      [entryOf(yesterday), entryOf(failedRun)],
      { arn: TASK_ARN },
      'ledger',
      filter,
    );
    expect(report.runs.map((run) => [run.id, run.active])).toEqual([
      [startingRun.id, true],
      [failedRun.id, false],
      [yesterday.id, false],
    ]);
    expect(report).toMatchObject({
      kind: 'history',
      version: 2,
      since: filter.since.toISOString(),
      limit: 20,
    });
    expect(report.ledger.keeps).toContain('90 days');
  });

  it('describes a history entry in the same shape as a run from the record, less what it does not keep', () => {
    const fromRecord = historyReport(record, [], { arn: TASK_ARN }, 'ledger', filter).runs[0];
    const fromHistory = historyReport(undefined, [entryOf(failedRun)], { arn: TASK_ARN }, 'ledger', filter)
      .runs[0];
    expect(Object.keys(fromHistory ?? {})).toEqual(Object.keys(fromRecord ?? {}));
    expect(fromHistory).toEqual({
      ...fromRecord,
      hooks: fromRecord?.hooks.map((hook) => ({ ...hook, changed: null, error: null })),
      lastError: null,
    });
  });

  it("adds the record's last run when the history lacks it (released before the history was kept), once", () => {
    const alone = historyReport(record, [], { arn: TASK_ARN }, 'ledger', filter);
    expect(alone.runs.map((run) => run.id)).toEqual([failedRun.id]);
    const both = historyReport(record, [entryOf(failedRun)], { arn: TASK_ARN }, 'ledger', filter);
    expect(both.runs.map((run) => run.id)).toEqual([failedRun.id]);
  });

  it('keeps to the limit, counting the active run; leaves out a last run from before `since`', () => {
    const limited = historyReport(
      { seen: 1, run: startingRun },
      [entryOf(failedRun), entryOf(yesterday)],
      { arn: TASK_ARN },
      'ledger',
      { ...filter, limit: 2 },
    );
    expect(limited.runs.map((run) => run.id)).toEqual([startingRun.id, failedRun.id]);
    expect(historyNotes(limited)).toEqual(['Showing the newest 2; --limit and --since show more.']);
    const late = { since: new Date('2026-11-23T00:00:03.000Z'), limit: 20 };
    const none = historyReport(record, [], { arn: TASK_ARN }, 'ledger', late);
    expect(none.runs).toEqual([]);
    expect(historyNotes(none)).toEqual([
      'No run in the ledger matches (runs are kept 90 days after their day).',
    ]);
    expect(historyReport(undefined, [], { arn: TASK_ARN }, 'ledger', filter).runs).toEqual([]);
  });

  it('prints the eight columns; a run in progress shows its time so far', () => {
    const report = historyReport(
      { seen: 1, run: startingRun },
      [entryOf(failedRun), entryOf(yesterday)],
      { arn: TASK_ARN },
      'ledger',
      filter,
    );
    expect(formatHistory(report, PLAIN, now)).toEqual([
      'START                 START TYPE     TRIGGER   OUTCOME                DURATION        HOOKS                             ROWS MASKED  RULE ACTION',
      '2026-11-23 00:10:00Z  -              manual    in progress (started)  10m 00s so far  none                              -            -',
      '2026-11-23 00:00:02Z  reload-target  schedule  failed                 4m 00s          1 succeeded, 1 failed, 1 skipped  105          keep-disabled',
      '2026-11-22 00:00:03Z  reload-target  schedule  succeeded              10m 00s         1 succeeded                       7            enable',
    ]);
    expect(historyNotes(report)).toEqual([]);
  });

  it('says how many hooks an entry left out', () => {
    const entry = { ...entryOf(failedRun), hooks: [], hooksOmitted: 3 };
    const report = historyReport(undefined, [entry], { arn: TASK_ARN }, 'ledger', filter);
    expect(formatHistory(report, PLAIN, now)[1]).toContain('  3 more  ');
  });

  it('marks the outcome in colour when asked, and only then', () => {
    const report = historyReport(record, [], { arn: TASK_ARN }, 'ledger', filter);
    expect(formatHistory(report, COLOUR, now)[1]).toContain(COLOUR.bad('failed'));
    expect(formatHistory(report, PLAIN, now).join('\n')).not.toContain('\u001b');
  });
});

describe('status', () => {
  it('an active run holds the lock; the last run is not shown beside it (the record holds one)', () => {
    const report = statusReport(deployment, [task], 'DISABLED', { seen: 1, run: startingRun });
    expect(report).toMatchObject({
      lock: { held: true, runId: startingRun.id, since: startingRun.createdAt },
      activeRun: { id: startingRun.id },
      lastRun: null,
      rule: { name: 'nightly-schedule', state: 'DISABLED' },
    });
    expect(formatStatus(report, PLAIN, now)).toEqual([
      'Stack:          dms-nightly (UPDATE_COMPLETE)',
      'Mode:           data-refresh, full-load, schedule',
      'Task:           staging-refresh: running',
      'Last started:   2026-11-23 00:10:03Z',
      'Full load:      73%; tables: 9 loaded, 2 loading, 1 queued, 0 errored',
      'Schedule rule:  nightly-schedule: DISABLED',
      `Lock:           held by run ${startingRun.id}`,
      `Active run:     ${startingRun.id} (manual): started for 10m 00s`,
    ]);
  });

  it('a released run is the last run; the hold-off and the failure are shown', () => {
    const stopped: TaskSnapshot = {
      ...task,
      status: 'stopped',
      stopReason: 'Stop Reason FATAL_ERROR',
      lastFailureMessage: 'Last Error Connection refused',
      stats: undefined,
    };
    const record: TaskRecord = {
      seen: 1,
      run: failedRun,
      holdOff: { runId: failedRun.id, since: failedRun.releasedAt ?? '' },
    };
    const report = statusReport(deployment, [stopped], 'DISABLED', record);
    expect(report.task).toMatchObject({
      fullLoadProgressPercent: null,
      tables: null,
      stopReason: 'Stop Reason FATAL_ERROR',
    });
    const lines = formatStatus(report, PLAIN, now);
    expect(lines).toContain('Task:           staging-refresh: stopped (Stop Reason FATAL_ERROR)');
    expect(lines).toContain('Last failure:   Last Error Connection refused');
    expect(lines).toContain(
      `Hold-off:       the rule is kept disabled after run ${failedRun.id} (since 2026-11-23 00:15:00Z)`,
    );
    expect(lines).toContain(
      `Last run:       ${failedRun.id} (schedule, reload-target): failed in 4m 00s; hooks 1 succeeded, 1 failed, 1 skipped; rule keep-disabled`,
    );
    expect(lines.some((line) => line.startsWith('Full load:'))).toBe(false);
  });

  it('one-time mode: no rule; progress shows only what DMS reported', () => {
    const report = statusReport({ ...deployment, scheduleRule: undefined }, [task], undefined, undefined);
    expect(report.rule).toBeNull();
    expect(formatStatus(report, PLAIN, now)).toContain('Schedule rule:  none (one-time mode)');
    expect(formatStatus(report, PLAIN, now)).toContain('Last run:       none recorded');
    expect(formatProgress({ ...(report.task as TaskView), tables: null })).toBe('73%');
  });

  it('describeRun marks an outcome still being acted on with the phase it is in', () => {
    const inHooks = summariseRun({
      ...failedRun,
      phase: 'hooks',
      ruleDecision: undefined,
      releasedAt: undefined,
    });
    expect(describeRun(inHooks, PLAIN, now)).toBe(
      `${failedRun.id} (schedule, reload-target): failed in 4m 00s; now hooks; hooks 1 succeeded, 1 failed, 1 skipped`,
    );
  });

  it("describeRun says when a full-load-and-cdc run's full load was seen finished, and JSON carries it", () => {
    const replicating = summariseRun({
      ...failedRun,
      phase: 'started',
      outcome: undefined,
      hooks: [],
      ruleDecision: undefined,
      releasedAt: undefined,
      milestone: { reachedAt: '2026-11-23T02:15:00.000Z', stats: { tablesLoaded: 48 } },
    });
    expect(replicating.milestoneAt).toBe('2026-11-23T02:15:00.000Z');
    expect(describeRun(replicating, PLAIN, now)).toContain(
      '; full load finished (milestone seen 2026-11-23T02:15:00.000Z)',
    );
    expect('milestoneAt' in summariseRun(failedRun)).toBe(false);
  });
});
