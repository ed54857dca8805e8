// The replication task as the domain sees it, and the narrow port through which the domain reads and starts
// it. The DMS adapter and the local simulation both implement `TaskControl`; nothing here imports the SDK.

export const START_TYPES = ['start-replication', 'reload-target', 'resume-processing'] as const;
export type StartType = (typeof START_TYPES)[number];

/** Every `ReplicationTask.Status` DMS documents. Anything else is treated as unknown, never as startable. */
export const TASK_STATUSES = [
  'moving',
  'creating',
  'deleting',
  'failed',
  'failed-move',
  'modifying',
  'ready',
  'running',
  'starting',
  'stopped',
  'stopping',
  'testing',
] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export interface TaskStats {
  readonly fullLoadProgressPercent?: number;
  readonly tablesLoaded?: number;
  readonly tablesLoading?: number;
  readonly tablesQueued?: number;
  readonly tablesErrored?: number;
  readonly elapsedTimeMillis?: number;
  readonly startDate?: Date;
  readonly freshStartDate?: Date;
  readonly fullLoadStartDate?: Date;
  readonly fullLoadFinishDate?: Date;
  readonly stopDate?: Date;
}

/** What DescribeReplicationTasks says about the task right now: the truth every decision rests on. */
export interface TaskSnapshot {
  readonly arn: string;
  readonly identifier: string;
  /** A documented status, or the raw string DMS returned when it is not one we know. */
  readonly status: TaskStatus | (string & {});
  readonly migrationType: string;
  /** With the "Stop Reason " prefix DMS puts on it, e.g. "Stop Reason FULL_LOAD_ONLY_FINISHED". */
  readonly stopReason?: string;
  readonly lastFailureMessage?: string;
  /** When the task was last started (absent for a task that has never run). */
  readonly lastStartDate?: Date;
  readonly stats?: TaskStats;
  /** Where the task runs and what it connects (a task's; a Serverless replication has no instance). */
  readonly replicationInstanceArn?: string;
  readonly sourceEndpointArn?: string;
  readonly targetEndpointArn?: string;
}

export interface StartRequest {
  readonly taskArn: string;
  readonly startType: StartType;
  readonly cdcStartTime?: Date;
  readonly cdcStartPosition?: string;
}

export interface TaskControl {
  /** Reads the task; throws `TaskMismatchError` when it does not exist. */
  describe(taskArn: string): Promise<TaskSnapshot>;
  /**
   * Starts the task. Throws `FirstRunOnlyError` when DMS says start-replication is for first runs only,
   * `StartRefusedError` when DMS refused the request; any other error leaves it unknown whether it applied.
   */
  start(request: StartRequest): Promise<void>;
}

/**
 * Stopping the task. Only a person stops a run (`dms-scheduler stop`), never the functions, so this is a port
 * of its own rather than part of TaskControl: no function is handed, or allowed, a way to stop the task.
 */
export interface TaskStopper {
  /** Asks DMS to stop the task; throws `StopRefusedError` when DMS refused (e.g. the task is not running). */
  stop(taskArn: string): Promise<void>;
}

/**
 * True when the task has ever been started: the history that decides between a first start and a re-run.
 * Only dates DMS recorded count, not the status: reload-target or resume-processing on a task that never ran
 * "will result in data errors", whereas a start-replication DMS refuses is retried with the re-run type.
 */
export function hasRunBefore(task: TaskSnapshot): boolean {
  const stats = task.stats;
  return (
    task.lastStartDate !== undefined ||
    stats?.startDate !== undefined ||
    stats?.freshStartDate !== undefined ||
    stats?.fullLoadStartDate !== undefined ||
    stats?.stopDate !== undefined
  );
}
