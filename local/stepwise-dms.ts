// A simulated DMS task that moves one step at a time, when told to (`tick`), instead of copying a real
// database: the command line's `wait` and `stop` are tested against it with the real task-starter and
// post-processor in-process, through every status on the way (ready, starting, running with growing
// FullLoadProgressPercent and table counts, stopping, stopped or failed), and DMS-shaped notices sent through
// the event subscription as SimulatedDmsTask sends them. It keeps DMS's start rules (only ready, stopped or
// failed tasks start) and its stop rule (only a running or starting task stops, with Stop Reason NORMAL).
import {
  hasRunBefore,
  type StartRequest,
  type TaskControl,
  type TaskSnapshot,
  type TaskStopper,
} from '#shared/dms/task';
import { FirstRunOnlyError, StartRefusedError, StopRefusedError, TaskMismatchError } from '#shared/errors';
import type { NoticePublisher } from './simulated-dms.ts';

export interface StepwisePlan {
  /** Tables in the full load; each tick of a running load loads `tablesPerTick` of them. */
  readonly tables: number;
  readonly tablesPerTick: number;
  /** The load fails (status `failed`) once this many tables are loaded. */
  readonly failAfterTables?: number;
}

export class StepwiseDmsTask implements TaskControl, TaskStopper {
  private snapshot: TaskSnapshot;
  /** The next describe calls that fail, as a throttled or unreachable DMS does. */
  describeFailures: Error[] = [];
  startCalls = 0;
  stopCalls = 0;
  private stopAsked = false;
  /** Ticks since the stop was asked: DMS takes one to stop, so a poll sees the task `stopping`. */
  private stoppingTicks = 0;

  constructor(
    task: { arn: string; identifier: string },
    private readonly plan: StepwisePlan,
    private readonly publish: NoticePublisher,
    private readonly clock: () => Date,
  ) {
    this.snapshot = { ...task, status: 'ready', migrationType: 'full-load' };
  }

  async describe(taskArn: string): Promise<TaskSnapshot> {
    const failure = this.describeFailures.shift();
    if (failure) throw failure;
    if (taskArn !== this.snapshot.arn)
      throw new TaskMismatchError(`Replication task ${taskArn} does not exist`);
    return this.snapshot;
  }

  async start(request: StartRequest): Promise<void> {
    this.startCalls += 1;
    const task = await this.describe(request.taskArn);
    if (!['ready', 'stopped', 'failed'].includes(task.status)) {
      throw new StartRefusedError(
        'InvalidResourceStateFault: Replication Task cannot be started, invalid state',
      );
    }
    if (request.startType === 'start-replication' && hasRunBefore(task)) {
      throw new FirstRunOnlyError(
        'Start Type : START_REPLICATION, valid only for tasks running for the first time',
      );
    }
    const now = this.clock();
    this.stopAsked = false;
    this.snapshot = {
      ...this.snapshot,
      status: 'starting',
      stopReason: undefined,
      lastFailureMessage: undefined,
      lastStartDate: now,
      stats: { startDate: now },
    };
  }

  async stop(taskArn: string): Promise<void> {
    this.stopCalls += 1;
    const task = await this.describe(taskArn);
    if (task.status !== 'running' && task.status !== 'starting') {
      throw new StopRefusedError(
        `InvalidResourceStateFault: Replication task is not running (${task.status})`,
      );
    }
    this.stopAsked = true;
    this.stoppingTicks = 0;
    this.snapshot = { ...this.snapshot, status: 'stopping' };
  }

  /** One step of DMS's work; the notices it sends are delivered (and handled) before it returns. */
  async tick(): Promise<void> {
    const task = this.snapshot;
    const stats = task.stats ?? {};
    const now = this.clock();
    if (task.status === 'starting') {
      this.snapshot = {
        ...task,
        status: 'running',
        stats: { ...stats, fullLoadStartDate: now, fullLoadProgressPercent: 0, ...this.counts(0) },
      };
      await this.publish('DMS-EVENT-0069', 'Replication task has started.');
      return;
    }
    if (task.status === 'stopping' && this.stopAsked) {
      this.stoppingTicks += 1;
      if (this.stoppingTicks < 2) return;
      this.snapshot = {
        ...task,
        status: 'stopped',
        stopReason: 'Stop Reason NORMAL',
        stats: { ...stats, stopDate: now },
      };
      await this.publish('DMS-EVENT-0079', 'Replication task has stopped. Stop Reason NORMAL.');
      return;
    }
    if (task.status !== 'running') return;
    const loaded = Math.min(this.plan.tables, (stats.tablesLoaded ?? 0) + this.plan.tablesPerTick);
    const elapsed = now.getTime() - (stats.fullLoadStartDate?.getTime() ?? now.getTime());
    if (this.plan.failAfterTables !== undefined && loaded >= this.plan.failAfterTables) {
      this.snapshot = {
        ...task,
        status: 'failed',
        lastFailureMessage: 'Last Error ORA-00942: table or view does not exist',
        stats: { ...stats, ...this.counts(loaded, 1), stopDate: now, elapsedTimeMillis: elapsed },
      };
      await this.publish('DMS-EVENT-0078', 'Replication task has failed.');
      return;
    }
    const percent = Math.round((loaded / this.plan.tables) * 100);
    if (loaded < this.plan.tables) {
      this.snapshot = {
        ...task,
        stats: {
          ...stats,
          ...this.counts(loaded),
          fullLoadProgressPercent: percent,
          elapsedTimeMillis: elapsed,
        },
      };
      return;
    }
    this.snapshot = {
      ...task,
      status: 'stopped',
      stopReason: 'Stop Reason FULL_LOAD_ONLY_FINISHED',
      stats: {
        ...stats,
        ...this.counts(loaded),
        fullLoadProgressPercent: 100,
        fullLoadFinishDate: now,
        stopDate: now,
        elapsedTimeMillis: elapsed,
      },
    };
    await this.publish(
      'DMS-EVENT-0079',
      'Replication task has stopped. Stop Reason FULL_LOAD_ONLY_FINISHED.',
    );
  }

  private counts(loaded: number, errored = 0) {
    const loading = Math.min(this.plan.tablesPerTick, this.plan.tables - loaded);
    return {
      tablesLoaded: loaded,
      tablesLoading: errored > 0 ? 0 : loading,
      tablesQueued: Math.max(0, this.plan.tables - loaded - loading),
      tablesErrored: errored,
    };
  }
}
