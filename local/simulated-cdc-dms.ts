// Why this file exists: the local run's full-load-and-cdc task. Unlike SimulatedDmsTask it does not stop when
// its full load ends: it keeps `running`, sets ReplicationTaskStats as DMS does (FullLoadFinishDate, 100 %,
// nothing loading or queued) and sends no notice, which is exactly what the milestone has to find out by
// itself. Then it goes on applying the source's new rows to the target (change capture) until someone stops
// it (Stop Reason NORMAL, with the stop notice). Each stage runs when the scenario says so (`runFullLoad`,
// `applyChanges`), so the timeline shows the milestone tick between them. Behind the same ports as DMS.
import type pg from 'pg';
import type { StartRequest, TaskControl, TaskSnapshot, TaskStopper } from '#shared/dms/task';
import { StartRefusedError, StopRefusedError, TaskMismatchError } from '#shared/errors';
import { listTables, loadTable } from './full-load.ts';
import type { NoticePublisher } from './simulated-dms.ts';
import type { Timeline } from './timeline.ts';

export class SimulatedCdcTask implements TaskControl, TaskStopper {
  private snapshot: TaskSnapshot;
  private tables: string[] = [];

  constructor(
    task: { arn: string; identifier: string },
    private readonly databases: { source: pg.Client; target: pg.Client },
    private readonly publish: NoticePublisher,
    private readonly timeline: Timeline,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.snapshot = { ...task, status: 'ready', migrationType: 'full-load-and-cdc' };
  }

  async describe(taskArn: string): Promise<TaskSnapshot> {
    if (taskArn !== this.snapshot.arn)
      throw new TaskMismatchError(`Replication task ${taskArn} does not exist`);
    return this.snapshot;
  }

  async start(request: StartRequest): Promise<void> {
    if (!['ready', 'stopped', 'failed'].includes(this.snapshot.status)) {
      throw new StartRefusedError(
        'InvalidResourceStateFault: Replication Task cannot be started, invalid state',
      );
    }
    const now = this.clock();
    this.snapshot = {
      ...this.snapshot,
      status: 'starting',
      lastStartDate: now,
      stopReason: undefined,
      stats: { startDate: now, freshStartDate: now },
    };
    this.timeline.add('task', `DMS accepted ${request.startType}; task starting`);
  }

  /** The full load, table by table; the task stays running afterwards and DMS says nothing about it. */
  async runFullLoad(): Promise<void> {
    const startedAt = this.clock();
    this.tables = await listTables(this.databases.source);
    this.update({
      fullLoadStartDate: startedAt,
      fullLoadProgressPercent: 0,
      tablesLoaded: 0,
      tablesLoading: 1,
      tablesQueued: this.tables.length - 1,
    });
    this.snapshot = { ...this.snapshot, status: 'running' };
    await this.publish('DMS-EVENT-0069', 'Replication task has started.');
    for (const [index, table] of this.tables.entries()) {
      const result = await loadTable(this.databases.source, this.databases.target, table);
      this.timeline.add('load', `${result.table}: ${result.rows} rows copied source → target (full load)`);
      const loaded = index + 1;
      this.update({
        tablesLoaded: loaded,
        tablesLoading: loaded < this.tables.length ? 1 : 0,
        tablesQueued: Math.max(0, this.tables.length - loaded - 1),
        fullLoadProgressPercent: Math.round((loaded / this.tables.length) * 100),
      });
    }
    const finishedAt = this.clock();
    this.update({ fullLoadFinishDate: finishedAt, tablesErrored: 0 });
    this.timeline.add(
      'task',
      'full load finished; the task keeps running, replicating changes (DMS sends no event for this)',
    );
  }

  /**
   * Change capture: every source row the target does not hold yet (by primary key `id`) is applied. Returns
   * how many rows were applied.
   */
  async applyChanges(): Promise<number> {
    if (this.snapshot.status !== 'running') return 0;
    let applied = 0;
    for (const table of this.tables) {
      const quoted = this.databases.target.escapeIdentifier(table);
      const { rows: known } = await this.databases.target.query<{ top: number | null }>(
        `SELECT max(id) AS top FROM ${quoted}`,
      );
      const { rows } = await this.databases.source.query<{ data: unknown; n: number }>(
        `SELECT coalesce(json_agg(t), '[]'::json) AS data, count(*)::int AS n FROM ${quoted} t WHERE t.id > $1`,
        [known[0]?.top ?? 0],
      );
      const count = rows[0]?.n ?? 0;
      if (count === 0) continue;
      await this.databases.target.query(
        `INSERT INTO ${quoted} SELECT * FROM json_populate_recordset(NULL::${quoted}, $1::json)`,
        [JSON.stringify(rows[0]?.data ?? [])],
      );
      applied += count;
    }
    return applied;
  }

  /** StopReplicationTask: a person ends change capture at cut-over. */
  async stop(taskArn: string): Promise<void> {
    const task = await this.describe(taskArn);
    if (task.status !== 'running' && task.status !== 'starting') {
      throw new StopRefusedError(
        `InvalidResourceStateFault: Replication task is not running (${task.status})`,
      );
    }
    const now = this.clock();
    this.snapshot = { ...this.snapshot, status: 'stopped', stopReason: 'Stop Reason NORMAL' };
    this.update({ stopDate: now });
    this.timeline.add('task', `task stopped (${this.snapshot.stopReason})`);
    await this.publish('DMS-EVENT-0079', 'Replication task has stopped.');
  }

  private update(stats: Partial<NonNullable<TaskSnapshot['stats']>>): void {
    this.snapshot = { ...this.snapshot, stats: { ...this.snapshot.stats, ...stats } };
  }
}
