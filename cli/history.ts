// Why this file exists: `dms-scheduler history` lists the task's runs, newest first: the active run from the
// task's record (it is in no history yet: a run enters the history when it is released), then the released
// runs the run history keeps (shared/runs/history.ts). `historyReport` is pure (what was read in, report
// out); `formatHistory` is the table a person reads. `npm run local` prints its runs with these same two.
import { HISTORY_RETENTION_DAYS, type RunHistory, type RunHistoryEntry } from '#shared/runs/history';
import { activeRun, type TaskRecord } from '#shared/runs/run';
import type { RunStore } from '#shared/runs/store';
import { askAws } from './aws.ts';
import type { Paint } from './output.ts';
import { countHooks, type RunSummary, summariseEntry, summariseRun } from './run-summary.ts';
import { LEDGER_KEEPS } from './status.ts';
import { markWord, tasksCell } from './status-format.ts';
import { renderTable } from './table.ts';
import { formatDuration, formatTimestamp } from './time-text.ts';

export interface HistoryReport {
  readonly kind: 'history';
  readonly version: 2;
  /** The key the runs are read under: the task's ARN, or a run group's `group/<name>`. */
  readonly task: { readonly arn: string };
  /** Only for a run group: its name and how many tasks it has now. */
  readonly group?: { readonly name: string; readonly tasks: number };
  readonly ledger: { readonly table: string; readonly keeps: string };
  /** The filter applied: runs that took the lock at or after `since`, at most `limit` of them. */
  readonly since: string;
  readonly limit: number;
  /** The active run first (if any), then the released ones, newest first. */
  readonly runs: readonly RunSummary[];
}

export interface HistoryFilter {
  readonly since: Date;
  readonly limit: number;
}

export const DEFAULT_HISTORY_DAYS = 7;
export const DEFAULT_HISTORY_LIMIT = 20;

/** What `history` shows when no option narrows it: the last seven days, at most twenty runs. */
export function defaultHistoryFilter(now: Date): HistoryFilter {
  return { since: new Date(now.getTime() - DEFAULT_HISTORY_DAYS * 86_400_000), limit: DEFAULT_HISTORY_LIMIT };
}

export interface HistoryPorts {
  readonly store: RunStore;
  readonly history: RunHistory;
}

/** What the runs are of: one task, or a run group (its runs keyed by its `group/<name>`). */
export interface HistorySubject {
  readonly arn: string;
  readonly group?: { readonly name: string; readonly tasks: number } | undefined;
}

export async function readHistory(
  ports: HistoryPorts,
  task: HistorySubject,
  table: string,
  filter: HistoryFilter,
  now: Date,
): Promise<HistoryReport> {
  const [stored, entries] = await Promise.all([
    askAws('DynamoDB GetItem (run ledger)', () => ports.store.load(task.arn)),
    askAws('DynamoDB GetItem (run history)', () =>
      ports.history.list(task.arn, { since: filter.since, until: now, limit: filter.limit }),
    ),
  ]);
  return historyReport(stored.record, entries, task, table, filter);
}

/**
 * The active run, shown whatever `since` says (it is what is happening now), then the history's runs. The
 * record's last run is added when the history lacks it: a run released before the history was kept.
 */
export function historyReport(
  record: TaskRecord | undefined,
  entries: readonly RunHistoryEntry[],
  task: HistorySubject,
  table: string,
  filter: HistoryFilter,
): HistoryReport {
  const active = activeRun(record);
  const group = task.group;
  const released = entries.map((entry) => summariseEntry(entry, group !== undefined));
  const last = record?.run;
  const lastMissing =
    last !== undefined &&
    active === undefined &&
    Date.parse(last.createdAt) >= filter.since.getTime() &&
    !entries.some((entry) => entry.id === last.id);
  const past = lastMissing ? [...released, summariseRun(last)] : released;
  past.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  const runs = [...(active ? [summariseRun(active)] : []), ...past].slice(0, filter.limit);
  return {
    kind: 'history',
    version: 2,
    task: { arn: task.arn },
    ...(group && { group: { name: group.name, tasks: group.tasks } }),
    ledger: { table, keeps: LEDGER_KEEPS },
    since: filter.since.toISOString(),
    limit: filter.limit,
    runs,
  };
}

export const HISTORY_COLUMNS = [
  'START',
  'START TYPE',
  'TRIGGER',
  'OUTCOME',
  'DURATION',
  'HOOKS',
  'ROWS MASKED',
  'RULE ACTION',
];

/** A run group's table has a TASKS column after OUTCOME: how its tasks ended, compactly. */
export const GROUP_HISTORY_COLUMNS = [...HISTORY_COLUMNS.slice(0, 4), 'TASKS', ...HISTORY_COLUMNS.slice(4)];

export function formatHistory(report: HistoryReport, paint: Paint, now: Date): string[] {
  const group = report.group !== undefined;
  const rows = report.runs.map((run) => [
    formatTimestamp(run.startedAt),
    run.startType ?? commonStartType(run) ?? '-',
    run.trigger,
    outcomeCell(run, paint),
    ...(group ? [tasksCell(run, paint)] : []),
    run.durationMs !== null
      ? formatDuration(run.durationMs)
      : `${formatDuration(now.getTime() - Date.parse(run.startedAt))} so far`,
    countHooks(run.hooks, run.hooksOmitted),
    run.rowsMasked === null ? '-' : String(run.rowsMasked),
    run.ruleAction ?? '-',
  ]);
  return renderTable(group ? GROUP_HISTORY_COLUMNS : HISTORY_COLUMNS, rows);
}

/** A group's run has no start type of its own: its members' one, when they share it, or "mixed". */
function commonStartType(run: RunSummary): string | undefined {
  const types = new Set(
    (run.members ?? []).flatMap((member) => (member.startType ? [member.startType] : [])),
  );
  if (types.size === 0) return undefined;
  return types.size === 1 ? [...types][0] : 'mixed';
}

/** The notes under the table, for stderr: nothing matched, or the limit cut the list short. */
export function historyNotes(report: HistoryReport): string[] {
  if (report.runs.length === 0) {
    return [`No run in the ledger matches (runs are kept ${HISTORY_RETENTION_DAYS} days after their day).`];
  }
  if (report.runs.length === report.limit) {
    return [`Showing the newest ${report.limit}; --limit and --since show more.`];
  }
  return [];
}

/** The outcome, and while the run is active the phase it is in: a load that succeeded may still be in its hooks. */
function outcomeCell(run: RunSummary, paint: Paint): string {
  if (!run.outcome) return paint.warn(`in progress (${run.phase})`);
  const outcome = markWord(run.outcome.kind, paint);
  return run.active ? `${outcome} ${paint.warn(`(active: ${run.phase})`)}` : outcome;
}
