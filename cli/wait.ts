// Why this file exists: what `wait` (and `run --wait`) make of a followed run: the report of how it settled
// (outcome, hooks with their reports, the schedule rule), its `--json` shape (WaitReport, README "Command
// line"), its text, and its exit code. `waitForRun` is the whole command over ports, so the local simulation
// and tests drive it exactly as the command line does.
import { runSucceeded } from '#shared/runs/advance';
import type { Run, TaskRecord } from '#shared/runs/run';
import type { RuleState, ScheduleRule } from '#shared/schedule/rule';
import { askAws } from './aws.ts';
import type { Deployment } from './deployment.ts';
import { EXIT, type ExitCode } from './exit-codes.ts';
import { type FollowEnd, type FollowPorts, type FollowTiming, followRun } from './follow.ts';
import type { Paint, Printer } from './output.ts';
import type { ProgressDisplay } from './progress.ts';
import { type MemberSummary, type RunSummary, summariseRun } from './run-summary.ts';
import { memberEnd } from './status-format.ts';
import { renderFacts } from './table.ts';
import { formatDuration } from './time-text.ts';

/** Exit code of a wait ended by Ctrl-C: 128 + SIGINT, as shells report it. */
export const INTERRUPTED_EXIT = 130;

export interface WaitReport {
  readonly kind: 'wait';
  readonly version: 1;
  /**
   * `settled`: the followed run was released; `no-active-run`: none was active, `run` is the last one;
   * `interrupted`: Ctrl-C, the run goes on; `superseded`: a newer run replaced it in the ledger.
   */
  readonly result: 'settled' | 'no-active-run' | 'interrupted' | 'superseded';
  readonly run: RunSummary | null;
  /** The run's load succeeded and every hook with it; null when there is no run to judge. */
  readonly succeeded: boolean | null;
  /** Null in one-time mode, and when following was interrupted (not read). */
  readonly rule: { readonly name: string; readonly state: RuleState } | null;
  readonly holdOff: { readonly runId: string; readonly since: string } | null;
  /** The command that follows the run again, after an interruption. */
  readonly followAgain: string | null;
}

export interface WaitPorts extends FollowPorts {
  readonly rule: ScheduleRule | undefined;
}

export interface WaitOutput {
  readonly printer: Printer;
  readonly progress: ProgressDisplay;
  readonly json: boolean;
}

/** Follows the active run to its end, prints the report, and returns the exit code. */
export async function waitForRun(
  ports: WaitPorts,
  deployment: Deployment,
  timing: FollowTiming,
  output: WaitOutput,
): Promise<ExitCode | typeof INTERRUPTED_EXIT> {
  const report = await followToReport(ports, deployment, timing, output.progress);
  printWaitReport(report, output, deployment.stack.name);
  return waitExitCode(report);
}

export async function followToReport(
  ports: WaitPorts,
  deployment: Deployment,
  timing: FollowTiming,
  progress: ProgressDisplay,
): Promise<WaitReport> {
  let end: FollowEnd;
  try {
    const target = { ledgerKey: deployment.task.arn, group: deployment.group?.name };
    end = await followRun(ports, target, timing, {
      progress: (view) => progress.show(view),
      retrying: (problem) => progress.note(problem),
    });
  } finally {
    progress.end();
  }
  if (end.kind === 'interrupted') {
    return {
      kind: 'wait',
      version: 1,
      result: 'interrupted',
      run: null,
      succeeded: null,
      rule: null,
      holdOff: null,
      followAgain: `dms-scheduler wait --stack ${deployment.stack.name}`,
    };
  }
  const ruleState =
    ports.rule && deployment.scheduleRule
      ? await askAws('EventBridge DescribeRule', () => (ports.rule as ScheduleRule).state())
      : undefined;
  return waitReport(end, deployment, ruleState);
}

/** The report of a follow that ended. Pure. */
export function waitReport(
  end: Exclude<FollowEnd, { kind: 'interrupted' }>,
  deployment: Deployment,
  ruleState: RuleState | undefined,
): WaitReport {
  const record: TaskRecord | undefined = end.record;
  const run: Run | undefined = end.kind === 'superseded' ? undefined : record?.run;
  return {
    kind: 'wait',
    version: 1,
    result: end.kind,
    run: run ? summariseRun(run) : null,
    succeeded: run ? runSucceeded(run) : null,
    rule:
      deployment.scheduleRule && ruleState ? { name: deployment.scheduleRule.name, state: ruleState } : null,
    holdOff: record?.holdOff ?? null,
    followAgain: null,
  };
}

/**
 * 0 when the run succeeded with every hook, or when there was no run to follow and the last one succeeded (or
 * there never was one): `dms-scheduler run && dms-scheduler wait` may find the run settled already, and a
 * script must still learn how it ended. 1 when it did not succeed, or when it can no longer be shown to have
 * (superseded). 130 on Ctrl-C.
 */
export function waitExitCode(report: WaitReport): ExitCode | typeof INTERRUPTED_EXIT {
  switch (report.result) {
    case 'interrupted':
      return INTERRUPTED_EXIT;
    case 'superseded':
      return EXIT.failed;
    case 'no-active-run':
      return report.succeeded === false ? EXIT.failed : EXIT.ok;
    case 'settled':
      return report.succeeded === true ? EXIT.ok : EXIT.failed;
  }
}

/** The report on stdout (text or JSON), with its notes on stderr. */
export function printWaitReport(
  report: WaitReport,
  output: Pick<WaitOutput, 'printer' | 'json'>,
  stackName: string,
): void {
  const { printer } = output;
  if (output.json) {
    printer.data(JSON.stringify(report, null, 2));
    if (report.result === 'interrupted') printer.note(interruptedNote(report));
    return;
  }
  if (report.result === 'interrupted') {
    printer.note(interruptedNote(report));
    return;
  }
  if (report.result === 'no-active-run') {
    printer.note(
      report.run ? 'No run is active; the last run:' : 'No run is active, and the ledger holds none.',
    );
  }
  if (report.result === 'superseded') {
    printer.note(
      `The run ended and a newer run replaced it in the ledger before it could be read: see dms-scheduler status --stack ${stackName}`,
    );
  }
  for (const line of formatWaitReport(report, printer.paint)) printer.data(line);
}

export function interruptedNote(report: WaitReport): string {
  return `Stopped following; the run goes on, untouched. Follow it again with: ${report.followAgain}`;
}

/** The settled run as aligned facts: the run and its outcome, each hook with its report, the rule. Pure. */
export function formatWaitReport(report: WaitReport, paint: Paint): string[] {
  const run = report.run;
  if (run === null) return [];
  const facts: [string, string][] = [];
  const kind = run.outcome?.kind ?? run.phase;
  const marked = report.succeeded ? paint.good(kind) : paint.bad(kind);
  const took = run.durationMs === null ? '' : ` in ${formatDuration(run.durationMs)}`;
  facts.push([
    'Run',
    `${run.id} (${run.trigger}${run.startType ? `, ${run.startType}` : ''}): ${marked}${took}`,
  ]);
  if (run.outcome) facts.push(['Outcome', run.outcome.explanation]);
  for (const [index, member] of (run.members ?? []).entries()) {
    facts.push([index === 0 ? 'Tasks' : '', memberEndLine(member, paint)]);
  }
  if (run.hooks.length === 0) facts.push(['Hooks', 'none ran']);
  for (const [index, hook] of run.hooks.entries()) {
    const status = hook.status === 'succeeded' ? paint.good(hook.status) : paint.bad(hook.status);
    const details = [
      hook.durationMs === null ? undefined : formatDuration(hook.durationMs),
      hook.rowsMasked === null ? undefined : `${hook.rowsMasked} rows masked`,
      hook.changed ?? undefined,
      hook.error === null ? undefined : paint.bad(hook.error),
    ].filter((part): part is string => part !== undefined);
    facts.push([
      index === 0 ? 'Hooks' : '',
      `${hook.name} ${status}${details.length > 0 ? `: ${details.join('; ')}` : ''}`,
    ]);
  }
  facts.push(['Schedule rule', ruleText(report, paint)]);
  if (run.lastError) facts.push(['Last error', paint.bad(run.lastError)]);
  return renderFacts(facts);
}

/**
 * "orders-refresh: succeeded (reload-target) in 1m 00s", "customers-refresh: failed (reload-target) in 45s:
 * The task failed: …", "invoices-refresh: not started": how one task of a group ended.
 */
export function memberEndLine(member: MemberSummary, paint: Paint): string {
  const took = member.durationMs === null ? '' : ` in ${formatDuration(member.durationMs)}`;
  const succeeded = member.outcome?.kind === 'succeeded';
  const why = member.outcome && !succeeded ? `: ${member.outcome.explanation}` : '';
  return `${member.identifier}: ${memberEnd(member, paint)}${took}${why}`;
}

function ruleText(report: WaitReport, paint: Paint): string {
  if (report.rule === null) return 'none (one-time mode)';
  const state = report.rule.state === 'ENABLED' ? paint.good('ENABLED') : paint.warn('DISABLED');
  const action = report.run?.ruleAction ? ` (the run's decision: ${report.run.ruleAction})` : '';
  const held = report.holdOff
    ? `; kept disabled after run ${report.holdOff.runId}: after fixing the cause, dms-scheduler resume`
    : '';
  return `${report.rule.name}: ${state}${action}${held}`;
}
