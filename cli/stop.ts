// Why this file exists: `dms-scheduler stop` stops the task and makes the run say who did. DMS reports a stop
// by hand as a bare "Stop Reason NORMAL"; the run's outcome and alert should say a person stopped it through
// this command. So the request is written on the active run first (shared/runs/stop-request.ts), then DMS is
// asked; if DMS refuses, the request is marked not applied. The `--json` shape is StopReport.
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

export async function stopTask(
  ports: StopPorts,
  deployment: Deployment,
  asked: { readonly at: Date; readonly principal?: string },
): Promise<StopReport> {
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
