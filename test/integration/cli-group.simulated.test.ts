// `dms-scheduler run --wait`, `wait` and `stop` on a run group of two tasks, with the real task-starter and
// post-processor in-process over the local simulation, as cli.simulated.test.ts does for one task: each
// member a StepwiseDmsTask of its own (DMS's statuses, FullLoadProgressPercent, table counts, SNS notices),
// the in-memory ledger with DynamoDB's compare-and-swap, the group's record under `group/<name>`. What is
// asserted is what an operator sees: one progress line per member (its name first), the summary with each
// member's end, the exit code, and for `stop`, each member stopped and the queued one never started.
import type { Stack } from '@aws-sdk/client-cloudformation';
import { describe, expect, it } from 'vitest';
import type { StartRequest, TaskControl, TaskSnapshot, TaskStopper } from '#shared/dms/task';
import { TaskMismatchError } from '#shared/errors';
import { MemoryRunStore } from '#shared/runs/memory-store';
import { type Deployment, deploymentFromStack } from '../../cli/deployment.ts';
import { EXIT } from '../../cli/exit-codes.ts';
import { type GroupStopReport, groupStopError } from '../../cli/stop.ts';
import { createPostProcessorHandler } from '../../functions/post-processor/app.ts';
import { createStarterHandler } from '../../functions/task-starter/app.ts';
import {
  dmsSnsEvent,
  SimulatedAlerts,
  SimulatedMetrics,
  SimulatedScheduleRule,
} from '../../local/simulated-aws.ts';
import { StepwiseDmsTask, type StepwisePlan } from '../../local/stepwise-dms.ts';
import { Timeline } from '../../local/timeline.ts';
import { MemoryRunHistory } from '../../shared/runs/memory-history.ts';
import {
  BASE_ENV,
  ManualClock,
  postProcessorConfig,
  RecordingHooks,
  RecordingLog,
  RULE_NAME,
  starterConfig,
} from '../support/ports.ts';
import { simulatedCli } from '../support/simulated-cli.ts';

const INTERVAL_MS = 15_000;
const STACK = 'dms-nightly';
const GROUP = 'nightly';
const GROUP_KEY = `group/${GROUP}`;
const ORDERS = { arn: 'arn:aws:dms:us-east-1:123456789012:task:ORDERS', identifier: 'orders-refresh' };
const CUSTOMERS = {
  arn: 'arn:aws:dms:us-east-1:123456789012:task:CUSTOMERS',
  identifier: 'customers-refresh',
};
const GROUP_ENV = {
  REPLICATION_TASK_ARN: `${ORDERS.arn},${CUSTOMERS.arn}`,
  REPLICATION_TASK_IDENTIFIER: `${ORDERS.identifier},${CUSTOMERS.identifier}`,
  RUN_GROUP_NAME: GROUP,
};

/** Several simulated tasks behind one TaskControl, as one DMS client answers for every ARN. */
class StepwiseDmsTasks implements TaskControl, TaskStopper {
  constructor(private readonly tasks: ReadonlyMap<string, StepwiseDmsTask>) {}

  get startCalls(): number {
    return [...this.tasks.values()].reduce((sum, task) => sum + task.startCalls, 0);
  }

  task(arn: string): StepwiseDmsTask {
    const task = this.tasks.get(arn);
    if (task === undefined) throw new TaskMismatchError(`Replication task ${arn} does not exist`);
    return task;
  }

  describe(taskArn: string): Promise<TaskSnapshot> {
    return this.task(taskArn).describe(taskArn);
  }

  start(request: StartRequest): Promise<void> {
    return this.task(request.taskArn).start(request);
  }

  stop(taskArn: string): Promise<void> {
    return this.task(taskArn).stop(taskArn);
  }

  async tick(): Promise<void> {
    for (const task of this.tasks.values()) await task.tick();
  }
}

function groupDeployment(): Deployment {
  const stack: Stack = {
    StackName: STACK,
    StackStatus: 'CREATE_COMPLETE',
    CreationTime: new Date(),
    Outputs: Object.entries({
      TaskStarterFunctionName: `${GROUP}-task-starter`,
      PostProcessorFunctionName: `${GROUP}-post-processor`,
      RunLedgerTableName: BASE_ENV.RUN_LEDGER_TABLE,
      AlertsTopicArn: BASE_ENV.ALERTS_TOPIC_ARN,
      ScheduleRuleName: RULE_NAME,
    }).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
    Parameters: Object.entries({
      NamePrefix: GROUP,
      ReplicationTaskArn: GROUP_ENV.REPLICATION_TASK_ARN,
      ReplicationTaskIdentifier: GROUP_ENV.REPLICATION_TASK_IDENTIFIER,
      MigrationRefreshIndicator: 'data-refresh',
      MigrationRefreshType: 'full-load',
      ScheduleOrOneTime: 'schedule',
      RuleAfterFailure: 're-enable',
    }).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue })),
  };
  return deploymentFromStack(stack);
}

function simulateGroup(
  plans: { orders: StepwisePlan; customers: StepwisePlan },
  env: Record<string, string> = {},
) {
  const allEnv = { ...GROUP_ENV, ...env };
  const clock = new ManualClock(Date.parse('2026-11-23T00:00:00Z'));
  const store = new MemoryRunStore();
  const timeline = new Timeline(() => {});
  const rule = new SimulatedScheduleRule(RULE_NAME, timeline);
  const alerts = new SimulatedAlerts(timeline);
  const log = new RecordingLog();
  const hooks = new RecordingHooks([{ name: 'mask-pii', rerunnable: true, rowsMasked: 238 }]);
  let postProcessor: ReturnType<typeof createPostProcessorHandler> | undefined;
  const deliveryFailures: unknown[] = [];
  const member = (task: { arn: string; identifier: string }, plan: StepwisePlan) =>
    new StepwiseDmsTask(
      task,
      plan,
      async (eventId, message) => {
        try {
          await postProcessor?.(
            dmsSnsEvent(task.identifier, eventId, message, 'arn:aws:sns:us-east-1:123456789012:dms-events'),
          );
        } catch (error) {
          deliveryFailures.push(error);
        }
      },
      clock.date,
    );
  const dms = new StepwiseDmsTasks(
    new Map([
      [ORDERS.arn, member(ORDERS, plans.orders)],
      [CUSTOMERS.arn, member(CUSTOMERS, plans.customers)],
    ]),
  );
  const deps = {
    tasks: dms,
    rule,
    alerts,
    store,
    history: new MemoryRunHistory(),
    metrics: new SimulatedMetrics(),
    log,
    clock: clock.date,
  };
  postProcessor = createPostProcessorHandler({ ...deps, hooks }, postProcessorConfig(allEnv));
  const starter = createStarterHandler(deps, starterConfig(allEnv));
  const deployment = groupDeployment();
  return {
    dms,
    deliveryFailures,
    store,
    rule,
    alerts,
    hooks,
    clock,
    deployment,
    ...simulatedCli({
      starter,
      functionName: `${GROUP}-task-starter`,
      stackName: STACK,
      deployment,
      clock,
      intervalMs: INTERVAL_MS,
      dms,
      store,
      rule,
    }),
  };
}

/** The progress lines of one member, without its name. */
const linesOf = (lines: readonly string[], identifier: string) =>
  lines.filter((line) => line.startsWith(`${identifier}: `)).map((line) => line.slice(identifier.length + 2));

describe('run --wait on a run group of two tasks', () => {
  it('one line per member as each moves, the group once both ended, then each member’s end, the hooks and the rule; exit 0', async () => {
    const sim = simulateGroup({
      orders: { tables: 10, tablesPerTick: 5 },
      customers: { tables: 10, tablesPerTick: 3 },
    });
    expect(await sim.runWait()).toBe(EXIT.ok);
    expect(sim.stderr[0]).toMatch(
      /^started: run \S+: group 2 tasks: orders-refresh started \(start-replication\), customers-refresh started \(start-replication\); schedule rule dms-scheduler-schedule: DISABLED$/,
    );
    expect(linesOf(sim.progress, ORDERS.identifier)).toEqual([
      '--% | tables: - loaded, - loading, - queued, - errored | DMS is starting the task (starting) | 0s elapsed',
      '0% | tables: 0 loaded, 5 loading, 5 queued, 0 errored | full load running | 15s elapsed',
      '50% | tables: 5 loaded, 5 loading, 0 queued, 0 errored | full load running | 30s elapsed, about 15s left',
      '100% | tables: 10 loaded, 0 loading, 0 queued, 0 errored | ended: succeeded | 45s elapsed',
    ]);
    expect(linesOf(sim.progress, CUSTOMERS.identifier)).toEqual([
      '--% | tables: - loaded, - loading, - queued, - errored | DMS is starting the task (starting) | 0s elapsed',
      '0% | tables: 0 loaded, 3 loading, 7 queued, 0 errored | full load running | 15s elapsed',
      '30% | tables: 3 loaded, 3 loading, 4 queued, 0 errored | full load running | 30s elapsed, about 35s left',
      '60% | tables: 6 loaded, 3 loading, 1 queued, 0 errored | full load running | 45s elapsed, about 20s left',
      '90% | tables: 9 loaded, 1 loading, 0 queued, 0 errored | full load running | 1m 00s elapsed, about 5s left',
    ]);
    expect(sim.stdout).toEqual([
      expect.stringMatching(/^Run: {12}\S+ \(manual\): succeeded in 1m 15s$/),
      'Outcome:        All 2 tasks of the group succeeded',
      'Tasks:          orders-refresh: succeeded (start-replication) in 45s',
      '                customers-refresh: succeeded (start-replication) in 1m 15s',
      'Hooks:          mask-pii succeeded: 0s; 238 rows masked; mask-pii done',
      "Schedule rule:  dms-scheduler-schedule: ENABLED (the run's decision: enable)",
    ]);
    expect(sim.hooks.ran).toEqual(['mask-pii']);
    expect(sim.rule.current).toBe('ENABLED');
    expect(sim.deliveryFailures).toEqual([]);
  });

  it('--json: the settled run carries each member, in the group’s order', async () => {
    const sim = simulateGroup({
      orders: { tables: 4, tablesPerTick: 4 },
      customers: { tables: 4, tablesPerTick: 2 },
    });
    expect(await sim.runJson()).toBe(EXIT.ok);
    const report = JSON.parse(sim.stdout[0] as string);
    expect(report.wait.run.groupTasks).toEqual({ total: 2, succeeded: 2 });
    expect(report.wait.run.members).toEqual([
      expect.objectContaining({
        identifier: ORDERS.identifier,
        state: 'finished',
        startType: 'start-replication',
      }),
      expect.objectContaining({
        identifier: CUSTOMERS.identifier,
        state: 'finished',
        startType: 'start-replication',
      }),
    ]);
    expect(
      report.wait.run.members.map((member: { outcome: { kind: string } }) => member.outcome.kind),
    ).toEqual(['succeeded', 'succeeded']);
  });

  it('one member fails: the summary names it with DMS’s reason, no hook runs, the alert goes out; exit 1', async () => {
    const sim = simulateGroup({
      orders: { tables: 10, tablesPerTick: 5 },
      customers: { tables: 10, tablesPerTick: 3, failAfterTables: 6 },
    });
    expect(await sim.runWait()).toBe(EXIT.failed);
    expect(sim.stdout).toEqual([
      expect.stringMatching(/^Run: {12}\S+ \(manual\): failed in 45s$/),
      'Outcome:        1 of 2 tasks of the group succeeded; task customers-refresh: The task failed: Last Error ORA-00942: table or view does not exist',
      'Tasks:          orders-refresh: succeeded (start-replication) in 45s',
      '                customers-refresh: failed (start-replication) in 45s: The task failed: Last Error ORA-00942: table or view does not exist',
      'Hooks:          none ran',
      "Schedule rule:  dms-scheduler-schedule: ENABLED (the run's decision: enable)",
    ]);
    expect(linesOf(sim.progress, CUSTOMERS.identifier).at(-1)).toMatch(/^30% .* \| full load running \|/);
    expect(sim.hooks.ran).toEqual([]);
    expect(sim.alerts.published).toHaveLength(1);
    expect(sim.alerts.published[0]?.message).toContain(
      `Task ${CUSTOMERS.identifier} (${CUSTOMERS.arn}): failed, start-replication`,
    );
  });

  it('wait with no run active prints the group’s last run and exits as it ended', async () => {
    const sim = simulateGroup({
      orders: { tables: 3, tablesPerTick: 3 },
      customers: { tables: 3, tablesPerTick: 3, failAfterTables: 3 },
    });
    expect(await sim.runWait()).toBe(EXIT.failed);
    sim.stdout.length = 0;
    sim.stderr.length = 0;
    expect(await sim.wait()).toBe(EXIT.failed);
    expect(sim.stderr).toEqual(['No run is active; the last run:']);
    expect(sim.stdout[2]).toBe('Tasks:          orders-refresh: succeeded (start-replication) in 30s');
  });
});

describe('run and resume on a run group, unchanged', () => {
  it('a second run is skipped under the group’s lock (exit 4), nothing more started', async () => {
    const sim = simulateGroup({
      orders: { tables: 10, tablesPerTick: 2 },
      customers: { tables: 10, tablesPerTick: 2 },
    });
    expect(await sim.run()).toBe(EXIT.ok);
    expect(await sim.run()).toBe(EXIT.refused);
    expect(sim.stdout[1]).toMatch(/^skipped: .*the group's lock/);
    expect(sim.dms.startCalls).toBe(2);
  });

  it('keep-disabled: a failed group holds the rule off under its key; resume ends it, and a second resume is refused', async () => {
    const sim = simulateGroup(
      {
        orders: { tables: 4, tablesPerTick: 2 },
        customers: { tables: 4, tablesPerTick: 2, failAfterTables: 2 },
      },
      { RULE_AFTER_FAILURE: 'keep-disabled' },
    );
    expect(await sim.runWait()).toBe(EXIT.failed);
    expect(sim.rule.current).toBe('DISABLED');
    const held = (await sim.store.load(GROUP_KEY)).record?.holdOff;
    expect(held).toBeDefined();
    expect(await sim.resume()).toMatchObject({
      rule: { stateBefore: 'DISABLED', state: 'ENABLED' },
      holdOff: held,
    });
    expect(sim.rule.current).toBe('ENABLED');
    expect((await sim.store.load(GROUP_KEY)).record?.holdOff).toBeUndefined();
    await expect(sim.resume()).rejects.toThrow(/is ENABLED and no hold-off is recorded/);
  });
});

describe('stop of a run group', () => {
  it('records the request on the group’s run, stops both running members; the run ends stopped-by-user; exit 1', async () => {
    const sim = simulateGroup({
      orders: { tables: 10, tablesPerTick: 2 },
      customers: { tables: 10, tablesPerTick: 2 },
    });
    let stopped: GroupStopReport | undefined;
    sim.onPoll(async (poll) => {
      if (poll === 2) stopped = (await sim.stop()) as GroupStopReport;
    });
    expect(await sim.runWait()).toBe(EXIT.failed);
    expect(stopped).toMatchObject({
      kind: 'stop',
      task: null,
      group: { name: GROUP },
      stopRequest: { by: 'cli', at: '2026-11-23T00:00:15.000Z' },
      members: [
        { identifier: ORDERS.identifier, statusBefore: 'running', statusAfter: 'stopping', stop: 'accepted' },
        {
          identifier: CUSTOMERS.identifier,
          statusBefore: 'running',
          statusAfter: 'stopping',
          stop: 'accepted',
        },
      ],
    });
    expect(groupStopError(stopped as GroupStopReport)).toBeUndefined();
    const { record } = await sim.store.load(GROUP_KEY);
    expect(record?.run?.stopRequested).toEqual({ by: 'cli', at: '2026-11-23T00:00:15.000Z' });
    expect(record?.run?.outcome?.kind).toBe('stopped-by-user');
    expect(sim.stdout[0]).toMatch(/^Run: {12}\S+ \(manual\): stopped-by-user in/);
    expect(sim.stdout[2]).toMatch(/^Tasks: {10}orders-refresh: stopped-by-user \(start-replication\) in/);
    expect(sim.hooks.ran).toEqual([]);
    expect(sim.alerts.published).toHaveLength(1);
  });

  it('with one task at a time: the running member is stopped, the queued one is never started', async () => {
    const sim = simulateGroup(
      { orders: { tables: 10, tablesPerTick: 2 }, customers: { tables: 10, tablesPerTick: 2 } },
      { GROUP_MAX_CONCURRENCY: '1' },
    );
    let stopped: GroupStopReport | undefined;
    sim.onPoll(async (poll) => {
      if (poll === 2) stopped = (await sim.stop()) as GroupStopReport;
    });
    expect(await sim.runWait()).toBe(EXIT.failed);
    expect(stopped?.members).toMatchObject([
      { identifier: ORDERS.identifier, stop: 'accepted', stateInRun: 'started' },
      { identifier: CUSTOMERS.identifier, stop: 'not-running', stateInRun: 'queued', statusAfter: 'ready' },
    ]);
    expect(sim.dms.task(CUSTOMERS.arn).startCalls).toBe(0);
    const { record } = await sim.store.load(GROUP_KEY);
    expect(record?.run?.members?.map((member) => member.state)).toEqual(['finished', 'not-started']);
    expect(sim.stdout).toContain('                customers-refresh: not started');
    expect(sim.stdout[1]).toBe(
      'Outcome:        Stopped by a person through `dms-scheduler stop` at 2026-11-23T00:00:15.000Z: 0 of 2 tasks of the group succeeded; task orders-refresh: The task was stopped before it finished (Stop Reason NORMAL); task customers-refresh was not started, since another task of the group did not succeed',
    );
    expect(linesOf(sim.progress, CUSTOMERS.identifier)).toEqual([
      "--% | tables: - loaded, - loading, - queued, - errored | queued: it starts when the group's concurrency limit lets it | 0s elapsed",
    ]);
  });

  it('refuses (exit 4) when no member is running or starting, and records nothing', async () => {
    const sim = simulateGroup({
      orders: { tables: 10, tablesPerTick: 2 },
      customers: { tables: 10, tablesPerTick: 2 },
    });
    await expect(sim.stop()).rejects.toThrow(
      'no task of group nightly is running or starting (orders-refresh ready, customers-refresh ready): only a running or starting task can be stopped; nothing was changed',
    );
    expect((await sim.store.load(GROUP_KEY)).record).toBeUndefined();
  });

  it('a member DMS refuses is read again: still running, it is reported refused (exit 4) and the other is still stopped', async () => {
    const sim = simulateGroup({
      orders: { tables: 10, tablesPerTick: 2 },
      customers: { tables: 10, tablesPerTick: 2 },
    });
    expect(await sim.run()).toBe(EXIT.ok);
    await sim.dms.tick();
    const orders = sim.dms.task(ORDERS.arn);
    const realStop = orders.stop.bind(orders);
    orders.stop = async () => {
      const { StopRefusedError } = await import('#shared/errors');
      throw new StopRefusedError('AccessDeniedException: not allowed to stop this task');
    };
    const report = (await sim.stop()) as GroupStopReport;
    expect(report.members).toMatchObject([
      {
        identifier: ORDERS.identifier,
        stop: 'refused',
        statusAfter: 'running',
        error: 'AccessDeniedException: not allowed to stop this task',
      },
      { identifier: CUSTOMERS.identifier, stop: 'accepted', statusAfter: 'stopping' },
    ]);
    const problem = groupStopError(report);
    expect(problem?.name).toBe('RefusedError');
    expect(problem?.message).toBe(
      'DMS refused to stop task(s) orders-refresh of group nightly, still running; the other tasks are stopping',
    );
    // One member was stopped: the request explains the run's outcome, so it is not marked not applied.
    expect((await sim.store.load(GROUP_KEY)).record?.run?.stopRequested?.notApplied).toBeUndefined();
    orders.stop = realStop;
  });
});
