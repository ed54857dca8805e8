// Why this file exists: `dms-scheduler stop` stops the task and makes the run say who did. DMS reports a stop
// by hand as a bare "Stop Reason NORMAL"; the run's outcome and alert should say a person stopped it through
// this command. So the request is written on the active run first (shared/runs/stop-request.ts), then DMS is
// asked; if DMS refuses, the request is marked not applied. The `--json` shape is StopReport.
// For a run group, the request is recorded on the group's run in the same way, then every member DMS shows
// running or starting is stopped, one StopReplicationTask each: a refusal (read again before it is believed)
// or a failure on one is reported and the others are still stopped. The group itself then starts no queued
// member: a member stopped by hand is a member that did not succeed (shared/runs/group-members.ts).
import type { TaskControl, TaskSnapshot, TaskStopper } from '#shared/dms/task';
import { describeError, StopRefusedError } from '#shared/errors';
import { activeRun, type Run, type StopRequest } from '#shared/runs/run';
import { markStopNotApplied, recordStopRequest } from '#shared/runs/stop-request';
import { ChangeRefused, type RunStore } from '#shared/runs/store';
import { askAws, explainAwsFailure } from './aws.ts';
import type { Deployment } from './deployment.ts';
import { AwsCallError, RefusedError } from './errors.ts';

/** Only these are stopped: a task in any other status has nothing to stop, or is DMS's to finish. */
export const STOPPABLE_STATUSES: readonly string[] = ['running', 'starting'];

export interface StopPorts {
  readonly tasks: TaskControl;
  readonly stopper: TaskStopper;
  readonly store: RunStore;
}

export interface StopReport {
  readonly kind: 'stop';
  readonly version: 1;
  readonly task: {
    readonly arn: string;
    readonly identifier: string;
    readonly statusBefore: string;
    readonly statusAfter: string;
  };
  /** The run the stop was recorded on; null when no run of the scheduler was active (a start by hand). */
  readonly run: { readonly id: string; readonly phase: Run['phase'] } | null;
  readonly stopRequest: StopRequest | null;
}

/** A run group's stop: `task` is null, and each member says what became of it. */
export interface GroupStopReport extends Omit<StopReport, 'task'> {
  readonly task: null;
  readonly group: { readonly name: string };
  readonly members: readonly MemberStop[];
}

/**
 * `accepted`: DMS is stopping it; `not-running`: it was not running or starting (queued, ended, never started),
 * or it ended by itself before the stop; `refused`: DMS refused, and it is still running; `unknown`: DMS did not
 * answer, whether it is stopping is unknown.
 */
export type MemberStopResult = 'accepted' | 'not-running' | 'refused' | 'unknown';

export interface MemberStop {
  readonly arn: string;
  readonly identifier: string;
  readonly statusBefore: string;
  readonly statusAfter: string;
  /** Where the member stood in the run when the stop was asked; null when no run of the group was active. */
  readonly stateInRun: string | null;
  readonly stop: MemberStopResult;
  readonly error: string | null;
}

export async function stopTask(
  ports: StopPorts,
  deployment: Deployment,
  asked: { readonly at: Date; readonly principal?: string },
): Promise<StopReport | GroupStopReport> {
  if (deployment.group !== undefined) return stopGroup(ports, deployment, deployment.group, asked);
  const arn = deployment.task.arn;
  const before = await describe(ports.tasks, arn);
  if (!STOPPABLE_STATUSES.includes(before.status)) {
    throw new RefusedError(
      `task ${deployment.task.identifier} is ${before.status}: only a running or starting task can be stopped; nothing was changed`,
    );
  }
  const { record } = await askAws('DynamoDB GetItem (run ledger)', () => ports.store.load(arn));
  const active = activeRun(record);
  const request: StopRequest = {
    by: 'cli',
    at: asked.at.toISOString(),
    ...(asked.principal !== undefined && { principal: asked.principal }),
  };
  // Recorded before DMS is asked: should this command die in between, the outcome still says who stopped it.
  let recordedOn: Run | undefined;
  if (active) {
    recordedOn = await askAws('DynamoDB PutItem (run ledger)', async () => {
      try {
        return await recordStopRequest(ports.store, arn, active.id, request);
      } catch (error) {
        // The run settled meanwhile: there is nothing left of it to explain; the task is still stopped.
        if (error instanceof ChangeRefused) return undefined;
        throw error;
      }
    });
  }
  try {
    await ports.stopper.stop(arn);
  } catch (error) {
    if (!(error instanceof StopRefusedError)) {
      throw new AwsCallError(
        'DMS StopReplicationTask',
        `DMS StopReplicationTask failed: ${explainAwsFailure(error)}; whether the task is stopping is unknown (the stop request stays recorded): see dms-scheduler status`,
        { cause: error },
      );
    }
    // The SDK's retry of a stop whose first answer was lost is refused too: the task says which it was.
    const now = await describe(ports.tasks, arn);
    if (STOPPABLE_STATUSES.includes(now.status)) {
      if (recordedOn) {
        const runId = recordedOn.id;
        await askAws('DynamoDB PutItem (run ledger)', () =>
          markStopNotApplied(ports.store, arn, runId, request.at, describeError(error)),
        );
      }
      throw new RefusedError(
        `DMS refused to stop task ${deployment.task.identifier} (${error.message}); it is still ${now.status} and nothing was changed`,
      );
    }
  }
  // The stop is accepted: a failure to read the task now must not make the command look as if it failed.
  const statusAfter = await ports.tasks.describe(arn).then(
    (task) => task.status,
    () => 'unknown (the task could not be read again)',
  );
  return {
    kind: 'stop',
    version: 1,
    task: {
      arn,
      identifier: deployment.task.identifier,
      statusBefore: before.status,
      statusAfter,
    },
    run: recordedOn ? { id: recordedOn.id, phase: recordedOn.phase } : null,
    stopRequest: recordedOn ? request : null,
  };
}

async function stopGroup(
  ports: StopPorts,
  deployment: Deployment,
  group: { readonly name: string },
  asked: { readonly at: Date; readonly principal?: string },
): Promise<GroupStopReport> {
  const members = deployment.members;
  const before = await Promise.all(members.map((member) => describe(ports.tasks, member.arn)));
  if (!before.some((task) => STOPPABLE_STATUSES.includes(task.status))) {
    const statuses = before.map((task) => `${task.identifier} ${task.status}`).join(', ');
    throw new RefusedError(
      `no task of group ${group.name} is running or starting (${statuses}): only a running or starting task can be stopped; nothing was changed`,
    );
  }
  const key = deployment.task.arn;
  const { record } = await askAws('DynamoDB GetItem (run ledger)', () => ports.store.load(key));
  const active = activeRun(record);
  const request = requestOf(asked);
  let recordedOn: Run | undefined;
  if (active) recordedOn = await recordRequest(ports.store, key, active.id, request);
  const stateOf = (arn: string) => active?.members?.find((member) => member.arn === arn)?.state ?? null;
  const results: { result: MemberStopResult; error: string | null }[] = [];
  for (const task of before) {
    results.push(
      STOPPABLE_STATUSES.includes(task.status)
        ? await stopMember(ports, task.arn)
        : { result: 'not-running', error: null },
    );
  }
  const accepted = results.some((outcome) => outcome.result === 'accepted');
  const refused = results.some((outcome) => outcome.result === 'refused');
  if (recordedOn && refused && !accepted && !results.some((outcome) => outcome.result === 'unknown')) {
    // No task was stopped by it: the request explains no outcome.
    const runId = recordedOn.id;
    const reasons = results.flatMap((outcome) => (outcome.error ? [outcome.error] : [])).join('; ');
    await askAws('DynamoDB PutItem (run ledger)', () =>
      markStopNotApplied(ports.store, key, runId, request.at, reasons),
    );
  }
  // Read again only where a stop was asked: a failure to read must not make the stop look as if it failed.
  const after = await Promise.all(
    before.map((task, i) =>
      results[i]?.result === 'not-running'
        ? task.status
        : ports.tasks.describe(task.arn).then(
            (now) => now.status,
            () => 'unknown (the task could not be read again)',
          ),
    ),
  );
  return {
    kind: 'stop',
    version: 1,
    task: null,
    group: { name: group.name },
    members: before.map((task, i) => ({
      arn: task.arn,
      identifier: members[i]?.identifier ?? task.identifier,
      statusBefore: task.status,
      statusAfter: after[i] ?? 'unknown',
      stateInRun: stateOf(task.arn),
      stop: results[i]?.result ?? 'unknown',
      error: results[i]?.error ?? null,
    })),
    run: recordedOn ? { id: recordedOn.id, phase: recordedOn.phase } : null,
    stopRequest: recordedOn ? request : null,
  };
}

function requestOf(asked: { readonly at: Date; readonly principal?: string }): StopRequest {
  return {
    by: 'cli',
    at: asked.at.toISOString(),
    ...(asked.principal !== undefined && { principal: asked.principal }),
  };
}

/** The request on the active run, by compare-and-swap; undefined when the run settled meanwhile. */
function recordRequest(store: RunStore, key: string, runId: string, request: StopRequest) {
  return askAws('DynamoDB PutItem (run ledger)', async () => {
    try {
      return await recordStopRequest(store, key, runId, request);
    } catch (error) {
      if (error instanceof ChangeRefused) return undefined;
      throw error;
    }
  });
}

/** One member's StopReplicationTask; a refusal is believed only once the task, read again, is still running. */
async function stopMember(
  ports: StopPorts,
  arn: string,
): Promise<{ result: MemberStopResult; error: string | null }> {
  try {
    await ports.stopper.stop(arn);
    return { result: 'accepted', error: null };
  } catch (error) {
    if (!(error instanceof StopRefusedError)) {
      return { result: 'unknown', error: `DMS StopReplicationTask failed: ${explainAwsFailure(error)}` };
    }
    let now: TaskSnapshot;
    try {
      now = await ports.tasks.describe(arn);
    } catch (readError) {
      return {
        result: 'unknown',
        error: `DMS refused (${error.message}), and the task could not be read again (${explainAwsFailure(readError)})`,
      };
    }
    if (STOPPABLE_STATUSES.includes(now.status)) return { result: 'refused', error: error.message };
    // Stopping already (the first answer of the SDK's retry was lost), or it ended by itself meanwhile.
    return now.status === 'stopping'
      ? { result: 'accepted', error: null }
      : { result: 'not-running', error: null };
  }
}

/**
 * What a group's stop ends with once its report is printed: 0 when every running task is stopping; 3 when DMS
 * did not answer for one (whether it stops is unknown); 4 when DMS refused one that is still running.
 */
export function groupStopError(report: GroupStopReport): Error | undefined {
  const named = (result: MemberStopResult) =>
    report.members.filter((member) => member.stop === result).map((member) => member.identifier);
  const unknown = named('unknown');
  const refused = named('refused');
  const others = report.members.some((member) => member.stop === 'accepted')
    ? 'the other tasks are stopping'
    : 'no task was stopped';
  if (unknown.length > 0) {
    return new AwsCallError(
      'DMS StopReplicationTask',
      `whether task(s) ${unknown.join(', ')} of group ${report.group.name} are stopping is unknown (DMS did not answer; the stop request stays recorded); ${others}: see dms-scheduler status`,
    );
  }
  if (refused.length > 0) {
    return new RefusedError(
      `DMS refused to stop task(s) ${refused.join(', ')} of group ${report.group.name}, still running; ${others}`,
    );
  }
  return undefined;
}

export function formatGroupStop(report: GroupStopReport, stackName: string): string[] {
  const lines = report.members.map(memberStopLine);
  lines.push(
    report.run
      ? `Run ${report.run.id} of group ${report.group.name}: recorded as stopped by a person through dms-scheduler stop; the group starts none of its queued tasks once a stopped one has ended`
      : `No run of group ${report.group.name} was active: the tasks were started outside dms-scheduler, and no run records the stop`,
  );
  lines.push(`Follow it to its end: dms-scheduler wait --stack ${stackName}`);
  return lines;
}

function memberStopLine(member: MemberStop): string {
  const task = `Task ${member.identifier}`;
  switch (member.stop) {
    case 'accepted':
      return `${task}: ${member.statusBefore} → ${member.statusAfter} (DMS StopReplicationTask accepted)`;
    case 'not-running':
      return `${task}: ${member.statusAfter}${member.stateInRun ? `, ${member.stateInRun} in the run` : ''}: nothing to stop`;
    case 'refused':
      return `${task}: ${member.statusBefore} → ${member.statusAfter}: DMS refused to stop it (${member.error}); not applied`;
    case 'unknown':
      return `${task}: ${member.statusBefore} → ${member.statusAfter}: ${member.error}`;
  }
}

export function formatStop(report: StopReport, stackName: string): string[] {
  const lines = [
    `Task ${report.task.identifier}: ${report.task.statusBefore} → ${report.task.statusAfter} (DMS StopReplicationTask accepted)`,
  ];
  lines.push(
    report.run
      ? `Run ${report.run.id}: recorded as stopped by a person through dms-scheduler stop; its outcome and alert will say so`
      : 'No run of dms-scheduler was active: the task was started outside it, and no run records the stop',
  );
  lines.push(`Follow it to its end: dms-scheduler wait --stack ${stackName}`);
  return lines;
}

function describe(tasks: TaskControl, arn: string): Promise<TaskSnapshot> {
  return askAws('DMS DescribeReplicationTasks', () => tasks.describe(arn));
}
