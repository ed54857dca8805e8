// Why this file exists: what `dms-scheduler run` asks and what it makes of the answer. The request is checked
// here with the task-starter's own parser (shared/runs/trigger.ts) before any call, so a malformed
// --start-type or --cdc-start-time is a usage error (exit 2) and not a function error; the StartResult is
// mapped to text, to the `--json` shape (RunReport) and to its exit code.
import { InvalidEventError } from '#shared/errors';
import type { StartResult } from '#shared/runs/start-run';
import { parseTrigger } from '#shared/runs/trigger';
import { UsageError } from './errors.ts';
import { EXIT, type ExitCode } from './exit-codes.ts';
import type { Paint, Printer } from './output.ts';
import type { ManualRunRequest, TaskStarterInvoker } from './task-starter-invoker.ts';
import { interruptedNote, printWaitReport, type WaitReport, waitExitCode } from './wait.ts';

export interface RunOptions {
  readonly startType?: string;
  readonly cdcStartTime?: string;
  readonly cdcStartPosition?: string;
}

/** The manual request for the options, as the task-starter will read it; a UsageError if it would refuse it. */
export function manualRequest(options: RunOptions): ManualRunRequest {
  const request = {
    ...(options.startType !== undefined && { startType: options.startType }),
    ...(options.cdcStartTime !== undefined && { cdcStartTime: options.cdcStartTime }),
    ...(options.cdcStartPosition !== undefined && { cdcStartPosition: options.cdcStartPosition }),
  };
  try {
    parseTrigger(request, { scheduleRuleArn: undefined });
  } catch (error) {
    if (error instanceof InvalidEventError)
      throw new UsageError(`the run request is not valid: ${error.message}`);
    throw error;
  }
  return request as ManualRunRequest;
}

/**
 * The whole of `run`: invoke, print, and with `follow` (--wait) follow a started run to its end. With --json
 * one document holds both (RunReport.wait); in text the start is a note when followed, so stdout holds only
 * the settled run, as `wait` prints it. Returns the exit code.
 */
export async function startFromCommandLine(
  starter: TaskStarterInvoker,
  request: ManualRunRequest,
  output: { readonly printer: Printer; readonly json: boolean; readonly stackName: string },
  follow: (() => Promise<WaitReport>) | undefined,
): Promise<number> {
  const { printer } = output;
  const result = await starter.invoke(request);
  const following = follow !== undefined && result.outcome === 'started';
  if (!output.json) {
    for (const line of formatStart(result, printer.paint)) (following ? printer.note : printer.data)(line);
  }
  const waited = following ? await follow() : null;
  if (output.json) {
    printer.data(JSON.stringify(runReport(result, waited), null, 2));
    if (waited?.result === 'interrupted') printer.note(interruptedNote(waited));
  } else if (waited) {
    printWaitReport(waited, output, output.stackName);
  }
  return waited ? waitExitCode(waited) : startExitCode(result.outcome);
}

export interface RunReport {
  readonly kind: 'run';
  readonly version: 1;
  readonly outcome: StartResult['outcome'];
  readonly reason: string;
  readonly runId: string | null;
  readonly startType: string | null;
  readonly task: { readonly identifier: string; readonly status: string | null };
  readonly rule: { readonly name: string | null; readonly state: StartResult['rule']['state'] };
  /** With --wait, how the run settled; null otherwise, or when it did not start. */
  readonly wait: WaitReport | null;
}

export function runReport(result: StartResult, wait: WaitReport | null = null): RunReport {
  return {
    kind: 'run',
    version: 1,
    outcome: result.outcome,
    reason: result.reason,
    runId: result.runId ?? null,
    startType: result.startType ?? null,
    task: { identifier: result.task.identifier, status: result.task.status ?? null },
    rule: { name: result.rule.name ?? null, state: result.rule.state },
    wait,
  };
}

/**
 * started 0; skipped 4 (refused: a run is active, or the task is not startable; nothing was changed);
 * start-failed 1 (DMS refused the start: the alert is out); start-unknown 3 (DMS did not answer: whether it
 * started is settled later by the post-processor); preflight-failed 1 (a connection test failed: the alert is
 * out, and nothing was started or changed).
 */
export function startExitCode(outcome: StartResult['outcome']): ExitCode {
  switch (outcome) {
    case 'started':
      return EXIT.ok;
    case 'skipped':
      return EXIT.refused;
    case 'start-failed':
      return EXIT.failed;
    case 'start-unknown':
      return EXIT.aws;
    case 'preflight-failed':
      return EXIT.failed;
  }
}

export function formatStart(result: StartResult, paint: Paint): string[] {
  const word =
    result.outcome === 'started'
      ? paint.good('started')
      : result.outcome === 'skipped'
        ? paint.warn('skipped')
        : paint.bad(result.outcome);
  const run = result.runId ? ` run ${result.runId}${result.startType ? ` (${result.startType})` : ''}:` : '';
  const rule = result.rule.name ? `; schedule rule ${result.rule.name}: ${result.rule.state}` : '';
  return [`${word}:${run} ${result.reason}${rule}`];
}
