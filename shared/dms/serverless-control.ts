// Why this file exists: a DMS Serverless replication (a replication config started with StartReplication) is
// run by the same lock, start-type rules, outcome classification and hooks as a task. This adapter makes it
// look like one to the domain: DescribeReplications read as a TaskSnapshot, StartReplication as a start,
// with the Serverless statuses mapped onto the task statuses the domain already decides on. It makes no
// decisions of its own.
import {
  type DatabaseMigrationServiceClient,
  DescribeReplicationsCommand,
  type Replication,
  ResourceNotFoundFault,
  StartReplicationCommand,
  StopReplicationCommand,
} from '@aws-sdk/client-database-migration-service';
import { TaskMismatchError } from '../errors.ts';
import { startFailure, stopFailure } from './dms-task-control.ts';
import type { StartRequest, TaskControl, TaskSnapshot, TaskStatus, TaskStopper } from './task.ts';

/**
 * Every Serverless status seen, as the task status that means the same for a run. Not documented as a list:
 * the values are those of the Terraform provider and the user guide's stages (`CHAP_Serverless.Components`):
 * Initializing → Preparing Metadata Resources → Testing Connection → Fetching Metadata → Calculating Capacity
 * → Provisioning Capacity → Replication Starting → Running. A status not listed here is passed on as DMS
 * spelt it, which the domain treats as not startable and, at a run's end, as a failure someone is told of:
 * if this list is incomplete, a person hears of it rather than a run going wrong silently.
 */
export const SERVERLESS_STATUSES: Readonly<Record<string, TaskStatus>> = {
  // A config that has never been started, like a task's `ready`.
  created: 'ready',
  ready: 'ready',
  initializing: 'starting',
  preparing_metadata_resources: 'starting',
  testing_connection: 'starting',
  fetching_metadata: 'starting',
  calculating_capacity: 'starting',
  provisioning_capacity: 'starting',
  replication_starting: 'starting',
  running: 'running',
  stopping: 'stopping',
  stopped: 'stopped',
  failed: 'failed',
};

export class DmsServerlessControl implements TaskControl, TaskStopper {
  constructor(private readonly client: DatabaseMigrationServiceClient) {}

  async describe(configArn: string): Promise<TaskSnapshot> {
    let replications: Replication[];
    try {
      const response = await this.client.send(
        new DescribeReplicationsCommand({
          Filters: [{ Name: 'replication-config-arn', Values: [configArn] }],
        }),
      );
      replications = response.Replications ?? [];
    } catch (error) {
      if (error instanceof ResourceNotFoundFault) {
        throw new TaskMismatchError(`Replication config ${configArn} does not exist`, { cause: error });
      }
      throw error;
    }
    const replication = replications.find((candidate) => candidate.ReplicationConfigArn === configArn);
    if (!replication) throw new TaskMismatchError(`Replication config ${configArn} does not exist`);
    return serverlessSnapshot(replication);
  }

  async start(request: StartRequest): Promise<void> {
    try {
      await this.client.send(
        new StartReplicationCommand({
          ReplicationConfigArn: request.taskArn,
          // A plain string in the API model, with the same three values and rules as a task's start type.
          StartReplicationType: request.startType,
          CdcStartTime: request.cdcStartTime,
          CdcStartPosition: request.cdcStartPosition,
        }),
      );
    } catch (error) {
      throw startFailure(error);
    }
  }

  /** StopReplication: for `dms-scheduler stop` only (the functions' roles may not call it). */
  async stop(configArn: string): Promise<void> {
    try {
      await this.client.send(new StopReplicationCommand({ ReplicationConfigArn: configArn }));
    } catch (error) {
      throw stopFailure(error);
    }
  }
}

/**
 * A Serverless replication as the domain's snapshot. It has no start date of its own: the statistics' start
 * date stands for it, and the time it last stopped for the stop date when the statistics have none (after a
 * deprovisioning, for one), so that the run's fingerprint still moves when the replication starts or stops.
 */
export function serverlessSnapshot(replication: Replication): TaskSnapshot {
  const stats = replication.ReplicationStats;
  const status = replication.Status ?? 'unknown';
  const failures = (replication.FailureMessages ?? []).filter((message) => message.trim() !== '');
  const stopDate = stats?.StopDate ?? replication.ReplicationLastStopTime;
  return {
    arn: replication.ReplicationConfigArn ?? '',
    identifier: replication.ReplicationConfigIdentifier ?? '',
    status: SERVERLESS_STATUSES[status] ?? status,
    migrationType: replication.ReplicationType ?? 'unknown',
    stopReason: replication.StopReason,
    ...(failures.length > 0 && { lastFailureMessage: failures.join('; ') }),
    lastStartDate: stats?.StartDate,
    ...((stats !== undefined || stopDate !== undefined) && {
      stats: {
        fullLoadProgressPercent: stats?.FullLoadProgressPercent,
        tablesLoaded: stats?.TablesLoaded,
        tablesLoading: stats?.TablesLoading,
        tablesQueued: stats?.TablesQueued,
        tablesErrored: stats?.TablesErrored,
        elapsedTimeMillis: stats?.ElapsedTimeMillis,
        startDate: stats?.StartDate,
        freshStartDate: stats?.FreshStartDate,
        fullLoadStartDate: stats?.FullLoadStartDate,
        fullLoadFinishDate: stats?.FullLoadFinishDate,
        stopDate,
      },
    }),
  };
}
