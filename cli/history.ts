// Why this file exists: `dms-scheduler history` lists the task's runs from the run ledger, as the ledger
// holds them and no more: the record keeps one run per task (the active run, or else the last one), so the
// list has at most one row today, and says so rather than implying a longer past it does not have.
// `historyReport` is pure (record in, report out); `formatHistory` is the table a person reads.
import type { TaskRecord } from '#shared/runs/run';
import type { RunStore } from '#shared/runs/store';
import { askAws } from './aws.ts';
import type { Paint } from './output.ts';
import { countHooks, type RunSummary, summariseRun } from './run-summary.ts';
import { LEDGER_KEEPS } from './status.ts';
import { markWord } from './status-format.ts';
import { renderTable } from './table.ts';
import { formatDuration, formatTimestamp } from './time-text.ts';

export interface HistoryReport {
  readonly kind: 'history';
  readonly version: 1;
  readonly task: { readonly arn: string };
  readonly ledger: { readonly table: string; readonly keeps: string };
  /** The filter applied: runs started at or after `since`, at most `limit` of them (null: none given). */
  readonly since: string | null;
  readonly limit: number | null;
  /** Newest first. */
  readonly runs: readonly RunSummary[];
}

export interface HistoryFilter {
  readonly since: Date | undefined;
  readonly limit: number | undefined;
}

export async function readHistory(
  store: RunStore,
  task: { arn: string },
  table: string,
  filter: HistoryFilter,
): Promise<HistoryReport> {
  const stored = await askAws('DynamoDB GetItem (run ledger)', () => store.load(task.arn));
  return historyReport(stored.record, task, table, filter);
}

export function historyReport(
  record: TaskRecord | undefined,
  task: { arn: string },
  table: string,
  filter: HistoryFilter,
): HistoryReport {
  const kept = record?.run ? [summariseRun(record.run)] : [];
  const since = filter.since;
  const runs = kept
    .filter((run) => since === undefined || Date.parse(run.startedAt) >= since.getTime())
    .sort((a, b) => b.startedAt.localeCompare(a.startedAt))
    .slice(0, filter.limit);
  return {
    kind: 'history',
    version: 1,
    task: { arn: task.arn },
    ledger: { table, keeps: LEDGER_KEEPS },
    since: since?.toISOString() ?? null,
    limit: filter.limit ?? null,
    runs,
  };
}

export const HISTORY_COLUMNS = [
  'START',
  'START TYPE',
  'OUTCOME',
  'DURATION',
  'HOOKS',
  'ROWS MASKED',
  'RULE ACTION',
];

export function formatHistory(report: HistoryReport, paint: Paint, now: Date): string[] {
  const rows = report.runs.map((run) => [
    formatTimestamp(run.startedAt),
    run.startType ?? '-',
    outcomeCell(run, paint),
    run.durationMs !== null
      ? formatDuration(run.durationMs)
      : `${formatDuration(now.getTime() - Date.parse(run.startedAt))} so far`,
    countHooks(run.hooks),
    run.rowsMasked === null ? '-' : String(run.rowsMasked),
    run.ruleAction ?? '-',
  ]);
  return renderTable(HISTORY_COLUMNS, rows);
}

/** The outcome, and while the run is active the phase it is in: a load that succeeded may still be in its hooks. */
function outcomeCell(run: RunSummary, paint: Paint): string {
  if (!run.outcome) return paint.warn(`in progress (${run.phase})`);
  const outcome = markWord(run.outcome.kind, paint);
  return run.active ? `${outcome} ${paint.warn(`(active: ${run.phase})`)}` : outcome;
}
