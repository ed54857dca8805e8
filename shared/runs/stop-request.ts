// A stop by a person, as the run records it. DMS's StopReason for a stop by hand is a bare NORMAL, which
// says nothing of who stopped the task or why; the run's outcome and its alert should. So `dms-scheduler stop`
// writes a stop request on the active run (by compare-and-swap, before it asks DMS, so a crash in between
// still explains the stop), marks it not applied if DMS refuses, and the post-processor, when it classifies
// a stopped-by-user outcome, says it was this person's stop. The classification itself is unchanged.
import { inMilestoneHooks } from './milestone.ts';
import type { Run, RunOutcome, StopRequest } from './run.ts';
import { activeRun } from './run.ts';
import { ChangeRefused, type RunStore, UNCHANGED, updateRecord } from './store.ts';

/** Only a run whose task DMS may still be running can be stopped; later phases have their outcome already. */
const STOPPABLE_PHASES: readonly Run['phase'][] = ['starting', 'started'];

/**
 * Records `request` on the active run `runId`; returns the run as recorded. Refuses (ChangeRefused) when that
 * run is no longer active or already knows its outcome. Pure change, so a write whose answer was lost and
 * that is retried into a conflict finds its own request there and changes nothing.
 */
export async function recordStopRequest(
  store: RunStore,
  taskArn: string,
  runId: string,
  request: StopRequest,
): Promise<Run> {
  const record = await updateRecord(store, taskArn, (current) => {
    const run = activeRun(current);
    if (current === undefined || run?.id !== runId)
      throw new ChangeRefused(`run ${runId} is no longer active`);
    // A full-load-and-cdc run in its milestone's hooks still has a running task: it may be stopped too.
    if (!STOPPABLE_PHASES.includes(run.phase) && !inMilestoneHooks(run)) {
      throw new ChangeRefused(`run ${runId} is ${run.phase}: its task has already ended`);
    }
    if (sameRequest(run.stopRequested, request)) return UNCHANGED;
    return { ...current, run: { ...run, stopRequested: request, updatedAt: request.at } };
  });
  return record?.run as Run;
}

/**
 * Marks the request of `at` as refused by DMS, so no outcome is explained by a stop that did not happen. A
 * run that has moved on, or a newer request, is left as it is.
 */
export async function markStopNotApplied(
  store: RunStore,
  taskArn: string,
  runId: string,
  at: string,
  reason: string,
): Promise<void> {
  await updateRecord(store, taskArn, (current) => {
    const run = current?.run;
    if (current === undefined || run?.id !== runId || run.stopRequested?.at !== at) return UNCHANGED;
    if (run.stopRequested.notApplied !== undefined) return UNCHANGED;
    const notApplied = reason.slice(0, 500);
    return { ...current, run: { ...run, stopRequested: { ...run.stopRequested, notApplied } } };
  });
}

/**
 * The outcome as the post-processor records it: a stopped-by-user outcome of a run a person stopped through
 * the command line says so; every other outcome (a stop that the load finished before, a failure) is as
 * DMS's state makes it.
 */
export function explainStop(outcome: RunOutcome, run: Run): RunOutcome {
  const request = run.stopRequested;
  if (outcome.kind !== 'stopped-by-user' || request === undefined || request.notApplied !== undefined) {
    return outcome;
  }
  const who = request.principal ? ` (${request.principal})` : '';
  return {
    ...outcome,
    explanation: `Stopped by a person${who} through \`dms-scheduler stop\` at ${request.at}: ${outcome.explanation}`,
  };
}

function sameRequest(a: StopRequest | undefined, b: StopRequest): boolean {
  return (
    a !== undefined &&
    a.at === b.at &&
    a.by === b.by &&
    a.principal === b.principal &&
    a.notApplied === undefined
  );
}
