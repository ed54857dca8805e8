// Why this file exists: the status report as a person reads it at a terminal: the key facts aligned, the
// words that need attention marked (colour only when the printer's paint has it). Pure: report in, lines out.
import type { Paint } from './output.ts';
import { countHooks, type MemberSummary, type RunSummary } from './run-summary.ts';
import type { MemberStatus, StatusReport, TaskView } from './status.ts';
import { renderFacts } from './table.ts';
import { formatDuration, formatTimestamp } from './time-text.ts';

const GOOD_WORDS = new Set(['succeeded', 'ENABLED', 'ready', 'stopped', 'free', 'released']);
const BAD_WORDS = new Set(['failed', 'start-failed', 'failed-move', 'hooks-interrupted']);

/** The word marked by what it means: good news, bad news, or (anything else) something to look at. */
export function markWord(word: string, paint: Paint): string {
  if (GOOD_WORDS.has(word)) return paint.good(word);
  if (BAD_WORDS.has(word)) return paint.bad(word);
  return paint.warn(word);
}

export function formatStatus(report: StatusReport, paint: Paint, now: Date): string[] {
  const { task } = report;
  const facts: [string, string][] = [
    ['Stack', `${report.stack.name} (${report.stack.status})`],
    ['Mode', `${report.mode.indicator}, ${report.mode.migrationType}, ${report.mode.cadence}`],
  ];
  if (task) {
    facts.push(['Task', `${task.identifier}: ${taskState(task, paint)}`]);
    if (task.lastFailureMessage) facts.push(['Last failure', paint.bad(task.lastFailureMessage)]);
    if (task.lastStartedAt) facts.push(['Last started', formatTimestamp(task.lastStartedAt)]);
    const progress = formatProgress(task);
    if (progress) facts.push(['Full load', progress]);
  }
  if (report.group && report.members) {
    facts.push(['Run group', `${report.group.name} (${report.group.tasks} tasks)`]);
    for (const [index, member] of report.members.entries()) {
      facts.push([index === 0 ? 'Tasks' : '', describeMemberStatus(member, paint)]);
    }
  }
  facts.push([
    'Schedule rule',
    report.rule ? `${report.rule.name}: ${markWord(report.rule.state, paint)}` : 'none (one-time mode)',
  ]);
  facts.push([
    'Lock',
    report.lock.held && report.lock.runId
      ? paint.warn(`held by run ${report.lock.runId}`)
      : markWord('free', paint),
  ]);
  if (report.holdOff) {
    facts.push([
      'Hold-off',
      paint.warn(
        `the rule is kept disabled after run ${report.holdOff.runId} (since ${formatTimestamp(report.holdOff.since)})`,
      ),
    ]);
  }
  facts.push(['Active run', report.activeRun ? describeRun(report.activeRun, paint, now) : 'none']);
  if (!report.activeRun)
    facts.push(['Last run', report.lastRun ? describeRun(report.lastRun, paint, now) : 'none recorded']);
  return renderFacts(facts);
}

function taskState(task: TaskView, paint: Paint): string {
  return `${markWord(task.status, paint)}${task.stopReason ? ` (${task.stopReason})` : ''}`;
}

/**
 * One line for a task of a group: DMS's status, its progress and last failure, then where it stands in the
 * run ("in the run: started, reload-target" or "in the run: failed"), when the ledger has it.
 */
export function describeMemberStatus(member: MemberStatus, paint: Paint): string {
  const parts = [`${member.identifier}: ${taskState(member, paint)}`];
  const progress = formatProgress(member);
  if (progress) parts.push(progress);
  if (member.lastFailureMessage) parts.push(paint.bad(member.lastFailureMessage));
  if (member.run) parts.push(`in the run: ${memberEnd(member.run, paint)}`);
  return parts.join('; ');
}

/** "succeeded (reload-target)", "queued (reload-target)", "not started": a member's state or its outcome. */
export function memberEnd(member: MemberSummary, paint: Paint): string {
  // A member never started has no start type to speak of, only the one it would have had.
  if (member.state === 'not-started') return paint.warn('not started');
  const word = member.outcome ? markWord(member.outcome.kind, paint) : paint.warn(member.state);
  return `${word}${member.startType ? ` (${member.startType})` : ''}`;
}

/** "73%; tables: 9 loaded, 2 loading, 1 queued, 0 errored", from whatever DMS reported. */
export function formatProgress(task: TaskView): string | undefined {
  const parts: string[] = [];
  if (task.fullLoadProgressPercent !== null) parts.push(`${task.fullLoadProgressPercent}%`);
  const tables = task.tables;
  if (tables) {
    const counts = (['loaded', 'loading', 'queued', 'errored'] as const)
      .filter((key) => tables[key] !== null)
      .map((key) => `${tables[key]} ${key}`);
    parts.push(`tables: ${counts.join(', ')}`);
  }
  return parts.length > 0 ? parts.join('; ') : undefined;
}

/** One line for a run: its id and start, where it is (or how it ended), its hooks and the rule's fate. */
export function describeRun(run: RunSummary, paint: Paint, now: Date): string {
  const started = `${run.id} (${run.trigger}${run.startType ? `, ${run.startType}` : ''})`;
  const where = run.outcome
    ? `${markWord(run.outcome.kind, paint)}${run.durationMs !== null ? ` in ${formatDuration(run.durationMs)}` : ''}`
    : `${paint.warn(run.phase)} for ${formatDuration(now.getTime() - Date.parse(run.startedAt))}`;
  const parts = [`${started}: ${where}`];
  if (run.active && run.outcome) parts.push(`now ${paint.warn(run.phase)}`);
  if (run.groupTasks) parts.push(`tasks ${tasksCell(run, paint)}`);
  if (run.milestoneAt) parts.push(`full load finished (milestone seen ${run.milestoneAt})`);
  if (run.hooks.length > 0) parts.push(`hooks ${countHooks(run.hooks)}`);
  if (run.ruleAction) parts.push(`rule ${run.ruleAction}`);
  if (run.lastError) parts.push(paint.bad(`last error: ${run.lastError}`));
  return parts.join('; ');
}

/**
 * "2/2 succeeded"; "1/2 succeeded: orders failed"; while under way "1 started, 1 queued"; for a run from the
 * run history (which keeps no members) the counts only, "-" when its explanation was cut.
 */
export function tasksCell(run: RunSummary, paint: Paint): string {
  const members = run.members;
  if (members && run.groupTasks?.succeeded == null) {
    const states = new Map<string, number>();
    for (const member of members) {
      const word = member.outcome?.kind ?? member.state;
      states.set(word, (states.get(word) ?? 0) + 1);
    }
    return [...states].map(([word, count]) => `${count} ${word}`).join(', ');
  }
  const counts = run.groupTasks;
  if (!counts || counts.total === null || counts.succeeded === null) return '-';
  const ratio = `${counts.succeeded}/${counts.total} succeeded`;
  const marked = counts.succeeded === counts.total ? paint.good(ratio) : paint.bad(ratio);
  const others = (members ?? [])
    .filter((member) => member.outcome?.kind !== 'succeeded')
    .map(
      (member) =>
        `${member.identifier} ${member.state === 'not-started' ? 'not started' : (member.outcome?.kind ?? member.state)}`,
    );
  return others.length > 0 ? `${marked}: ${others.join(', ')}` : marked;
}
