// A simulated DMS replication task behind the same TaskControl port as the DMS adapter. It keeps DMS's
// rules where the scheduler depends on them: only ready/stopped/failed tasks start; start-replication is
// refused after a first run; a run goes starting → running → stopped with a StopReason and stats; and it
// emits DMS-shaped notices through the event subscription. A start DMS refuses throws the domain's
// StartRefusedError, as the DMS adapter does for a client fault.

import type pg from 'pg';
import { hasRunBefore, type StartRequest, type TaskControl, type TaskSnapshot } from '#shared/dms/task';
import { FirstRunOnlyError, StartRefusedError, TaskMismatchError } from '#shared/errors';
import { listTables, loadTable } from './full-load.ts';
import type { Timeline } from './timeline.ts';

export type NoticePublisher = (eventId: string, message: string) => Promise<void>;

export class SimulatedDmsTask implements TaskControl {
  private snapshot: TaskSnapshot;
  private running: Promise<void> = Promise.resolve();
  private nextStartRefusal: string | undefined;
  /** Every StartReplicationTask call, accepted or not. */
  startCalls = 0;

  constructor(
    task: { arn: string; identifier: string },
    private readonly databases: { source: pg.Client; target: pg.Client },
    private readonly publish: NoticePublisher,
    private readonly timeline: Timeline,
    private readonly clock: () => Date = () => new Date(),
    /** The tables its table mappings select (every table of the source when absent), loaded in this order. */
    private readonly tables?: readonly string[],
  ) {
    this.snapshot = { ...task, status: 'ready', migrationType: 'full-load' };
  }

  get arn(): string {
    return this.snapshot.arn;
  }

  async describe(taskArn: string): Promise<TaskSnapshot> {
    if (taskArn !== this.snapshot.arn)
      throw new TaskMismatchError(`Replication task ${taskArn} does not exist`);
    return this.snapshot;
  }

  /** Makes the next StartReplicationTask fail as DMS does when an endpoint's connection test has not passed. */
  refuseNextStart(message: string): void {
    this.nextStartRefusal = message;
  }

  async start(request: StartRequest): Promise<void> {
    this.startCalls += 1;
    const task = await this.describe(request.taskArn);
    if (this.nextStartRefusal !== undefined) {
      const message = this.nextStartRefusal;
      this.nextStartRefusal = undefined;
      this.timeline.add('task', `DMS refused ${request.startType}: ${message}`);
      throw refusal(message);
    }
    if (!['ready', 'stopped', 'failed'].includes(task.status)) {
      throw refusal('Replication Task cannot be started, invalid state');
    }
    if (request.startType === 'start-replication' && hasRunBefore(task)) {
      throw new FirstRunOnlyError(
        'Start Type : START_REPLICATION, valid only for tasks running for the first time',
      );
    }
    const startedAt = this.clock();
    this.update({
      status: 'starting',
      lastStartDate: startedAt,
      stopReason: undefined,
      stats: { startDate: startedAt },
    });
    const name = this.tables === undefined ? 'task' : `task ${task.identifier}`;
    this.timeline.add('task', `DMS accepted ${request.startType}; ${name} starting`);
    this.running = this.fullLoad(startedAt);
  }

  /** Resolves when the current run, and the notices it sends, are done. */
  settled(): Promise<void> {
    return this.running;
  }

  private async fullLoad(startedAt: Date): Promise<void> {
    // StartReplicationTask returns before the task runs: let the caller see its answer first.
    await new Promise((resolve) => setImmediate(resolve));
    this.update({
      status: 'running',
      stats: { startDate: startedAt, fullLoadStartDate: this.clock(), fullLoadProgressPercent: 0 },
    });
    await this.publish('DMS-EVENT-0069', 'Replication task has started.');
    const tables = this.tables ?? (await listTables(this.databases.source));
    let loaded = 0;
    for (const table of tables) {
      const result = await loadTable(this.databases.source, this.databases.target, table);
      loaded += 1;
      const by = this.tables === undefined ? '' : ` (task ${this.snapshot.identifier})`;
      this.timeline.add('load', `${result.table}: ${result.rows} rows copied production → staging${by}`);
    }
    const stoppedAt = this.clock();
    this.update({
      status: 'stopped',
      stopReason: 'Stop Reason FULL_LOAD_ONLY_FINISHED',
      stats: {
        startDate: startedAt,
        fullLoadStartDate: startedAt,
        fullLoadFinishDate: stoppedAt,
        stopDate: stoppedAt,
        fullLoadProgressPercent: 100,
        tablesLoaded: loaded,
        tablesErrored: 0,
        elapsedTimeMillis: stoppedAt.getTime() - startedAt.getTime(),
      },
    });
    const name = this.tables === undefined ? 'task' : `task ${this.snapshot.identifier}`;
    this.timeline.add('task', `${name} stopped (${this.snapshot.stopReason})`);
    await this.publish(
      'DMS-EVENT-0079',
      'Replication task has stopped. Stop Reason FULL_LOAD_ONLY_FINISHED.',
    );
  }

  private update(changes: Partial<TaskSnapshot>): void {
    this.snapshot = { ...this.snapshot, ...changes };
  }
}

/** Several simulated tasks behind one TaskControl, as one DMS client serves a run group's members. */
export class SimulatedDmsTasks implements TaskControl {
  constructor(readonly tasks: readonly SimulatedDmsTask[]) {}

  describe(taskArn: string): Promise<TaskSnapshot> {
    return this.task(taskArn).describe(taskArn);
  }

  start(request: StartRequest): Promise<void> {
    return this.task(request.taskArn).start(request);
  }

  get startCalls(): number {
    return this.tasks.reduce((sum, task) => sum + task.startCalls, 0);
  }

  /** Resolves when every task's current run, and the notices it sends, are done. */
  async settled(): Promise<void> {
    await Promise.all(this.tasks.map((task) => task.settled()));
  }

  private task(arn: string): SimulatedDmsTask {
    const task = this.tasks.find((candidate) => candidate.arn === arn);
    if (task === undefined) throw new TaskMismatchError(`Replication task ${arn} does not exist`);
    return task;
  }
}

/** DMS's InvalidResourceStateFault (a client fault) as DmsTaskControl maps it: a StartRefusedError. */
function refusal(message: string): StartRefusedError {
  const fault = new Error(message);
  fault.name = 'InvalidResourceStateFault';
  return new StartRefusedError(`${fault.name}: ${fault.message}`, { cause: fault });
}
