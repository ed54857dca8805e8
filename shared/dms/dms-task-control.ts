// TaskControl over the DMS API. It maps the SDK's shapes to TaskSnapshot and DMS's errors to the domain's
// named errors; it makes no decisions.
import {
  type DatabaseMigrationServiceClient,
  DescribeReplicationTasksCommand,
  type ReplicationTask,
  ResourceNotFoundFault,
  StartReplicationTaskCommand,
  StopReplicationTaskCommand,
} from '@aws-sdk/client-database-migration-service';
import { FirstRunOnlyError, StartRefusedError, StopRefusedError, TaskMismatchError } from '../errors.ts';
import type { StartRequest, TaskControl, TaskSnapshot, TaskStopper } from './task.ts';

// Not a modelled DMS error, so it arrives as a generic service exception: recognised by name and wording
// ("Start Type : START_REPLICATION, valid only for tasks running for the first time").
const FIRST_RUN_ONLY = /valid only for (tasks|replications) running for the first time/i;

export class DmsTaskControl implements TaskControl, TaskStopper {
  constructor(private readonly client: DatabaseMigrationServiceClient) {}

  async describe(taskArn: string): Promise<TaskSnapshot> {
    let tasks: ReplicationTask[];
    try {
      const response = await this.client.send(
        new DescribeReplicationTasksCommand({
          Filters: [{ Name: 'replication-task-arn', Values: [taskArn] }],
          WithoutSettings: true,
        }),
      );
      tasks = response.ReplicationTasks ?? [];
    } catch (error) {
      if (error instanceof ResourceNotFoundFault) {
        throw new TaskMismatchError(`Replication task ${taskArn} does not exist`, { cause: error });
      }
      throw error;
    }
    const task = tasks.find((candidate) => candidate.ReplicationTaskArn === taskArn);
    if (!task) throw new TaskMismatchError(`Replication task ${taskArn} does not exist`);
    return toSnapshot(task);
  }

  async start(request: StartRequest): Promise<void> {
    try {
      await this.client.send(
        new StartReplicationTaskCommand({
          ReplicationTaskArn: request.taskArn,
          StartReplicationTaskType: request.startType,
          CdcStartTime: request.cdcStartTime,
          CdcStartPosition: request.cdcStartPosition,
        }),
      );
    } catch (error) {
      throw startFailure(error);
    }
  }

  async stop(taskArn: string): Promise<void> {
    try {
      await this.client.send(new StopReplicationTaskCommand({ ReplicationTaskArn: taskArn }));
    } catch (error) {
      throw stopFailure(error);
    }
  }
}

/**
 * What a failed stop means, for a task and a Serverless replication alike. Any client fault but throttling:
 * DMS looked and said no (e.g. "is not running"). The SDK's retry of a stop whose first answer was lost gets
 * that same refusal, so the caller reads the task before believing it.
 */
export function stopFailure(error: unknown): unknown {
  if (
    error instanceof Error &&
    (error as { $fault?: unknown }).$fault === 'client' &&
    !THROTTLING.has(error.name)
  ) {
    return new StopRefusedError(describe(error), { cause: error });
  }
  return error;
}

/**
 * What a failed start means, for a task and for a Serverless replication alike: DMS refused it for being a
 * first-run type on a re-run (FirstRunOnlyError), refused it outright (StartRefusedError), or the error
 * itself when it is unknown whether the start was applied (a server fault, throttling, a lost connection).
 */
export function startFailure(error: unknown): unknown {
  if (error instanceof Error && FIRST_RUN_ONLY.test(error.message)) {
    return new FirstRunOnlyError(error.message, { cause: error });
  }
  if (isRefusal(error)) return new StartRefusedError(describe(error), { cause: error });
  return error;
}

const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
]);

// "Replication Task cannot be started, invalid state": the task is no longer startable, although it was
// when it was read a moment before. That is what DMS answers to the SDK's retry of a start whose first
// attempt went through, so it proves nothing about whether this start happened.
const NOT_STARTABLE_NOW = /invalid state|already (running|started|starting)/i;

/** A client fault other than throttling, and other than "not startable now": DMS looked and said no. */
function isRefusal(error: unknown): error is Error {
  if (!(error instanceof Error)) return false;
  const fault = (error as { $fault?: unknown }).$fault;
  return fault === 'client' && !THROTTLING.has(error.name) && !NOT_STARTABLE_NOW.test(error.message);
}

function describe(error: Error): string {
  return `${error.name}: ${error.message}`;
}

export function toSnapshot(task: ReplicationTask): TaskSnapshot {
  const stats = task.ReplicationTaskStats;
  return {
    arn: task.ReplicationTaskArn ?? '',
    identifier: task.ReplicationTaskIdentifier ?? '',
    status: task.Status ?? 'unknown',
    migrationType: task.MigrationType ?? 'unknown',
    stopReason: task.StopReason,
    lastFailureMessage: task.LastFailureMessage,
    lastStartDate: task.ReplicationTaskStartDate,
    replicationInstanceArn: task.ReplicationInstanceArn,
    sourceEndpointArn: task.SourceEndpointArn,
    targetEndpointArn: task.TargetEndpointArn,
    stats: stats && {
      fullLoadProgressPercent: stats.FullLoadProgressPercent,
      tablesLoaded: stats.TablesLoaded,
      tablesLoading: stats.TablesLoading,
      tablesQueued: stats.TablesQueued,
      tablesErrored: stats.TablesErrored,
      elapsedTimeMillis: stats.ElapsedTimeMillis,
      startDate: stats.StartDate,
      freshStartDate: stats.FreshStartDate,
      fullLoadStartDate: stats.FullLoadStartDate,
      fullLoadFinishDate: stats.FullLoadFinishDate,
      stopDate: stats.StopDate,
    },
  };
}
