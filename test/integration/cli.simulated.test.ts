// `dms-scheduler run --wait`, `wait`, `stop` and `resume` through whole runs, with the real task-starter and
// post-processor in-process over the local simulation (local/stepwise-dms.ts for DMS, simulated-aws.ts for
// the rule, alerts and DMS's SNS notices, the in-memory store with DynamoDB's compare-and-swap): the
// command's own functions are driven with an instant sleep that lets DMS take one step per poll. What is
// asserted is what an operator sees: the progress lines (percent steps, table counts), the summary (outcome,
// hooks, rule) and the exit code; and the error paths: a describe failing once, failing for good, a failed task.
import type { Stack } from '@aws-sdk/client-cloudformation';
import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryRunStore } from '#shared/runs/memory-store';
import { type Deployment, deploymentFromStack } from '../../cli/deployment.ts';
import { AwsCallError, RefusedError } from '../../cli/errors.ts';
import { EXIT, exitCodeOf } from '../../cli/exit-codes.ts';
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
  TASK_ARN,
  TASK_ID,
} from '../support/ports.ts';
import { simulatedCli } from '../support/simulated-cli.ts';

const INTERVAL_MS = 15_000;
const STACK = 'dms-nightly';

function deploymentFor(env: Record<string, string>): Deployment {
  const stack: Stack = {
    StackName: STACK,
    StackStatus: 'CREATE_COMPLETE',
    CreationTime: new Date(),
    Outputs: Object.entries({
      TaskStarterFunctionName: 'nightly-task-starter',
      PostProcessorFunctionName: 'nightly-post-processor',
      RunLedgerTableName: BASE_ENV.RUN_LEDGER_TABLE,
      AlertsTopicArn: BASE_ENV.ALERTS_TOPIC_ARN,
      ScheduleRuleName: RULE_NAME,
    }).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
    Parameters: Object.entries({
      NamePrefix: 'nightly',
      ReplicationTaskArn: TASK_ARN,
      ReplicationTaskIdentifier: TASK_ID,
      MigrationRefreshIndicator: 'data-refresh',
      MigrationRefreshType: 'full-load',
      ScheduleOrOneTime: 'schedule',
      RuleAfterFailure: env.RULE_AFTER_FAILURE ?? 're-enable',
    }).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue })),
  };
  return deploymentFromStack(stack);
}

/** The simulated deployment, the commands' ports over it, and what they printed. */
function simulate(plan: StepwisePlan, env: Record<string, string> = {}) {
  const clock = new ManualClock(Date.parse('2026-11-23T00:00:00Z'));
  const store = new MemoryRunStore();
  const timeline = new Timeline(() => {});
  const rule = new SimulatedScheduleRule(RULE_NAME, timeline);
  const alerts = new SimulatedAlerts(timeline);
  const metrics = new SimulatedMetrics();
  const log = new RecordingLog();
  const hooks = new RecordingHooks([
    { name: 'mask-pii', rerunnable: true, rowsMasked: 238 },
    { name: 'smoke-check' },
  ]);
  let postProcessor: ReturnType<typeof createPostProcessorHandler> | undefined;
  const deliveryFailures: unknown[] = [];
  const dms = new StepwiseDmsTask(
    { arn: TASK_ARN, identifier: TASK_ID },
    plan,
    async (eventId, message) => {
      // A failed invocation is Lambda's to retry, never the command line's concern: kept for the test to read.
      try {
        await postProcessor?.(
          dmsSnsEvent(TASK_ID, eventId, message, 'arn:aws:sns:us-east-1:123456789012:dms-events'),
        );
      } catch (error) {
        deliveryFailures.push(error);
      }
    },
    clock.date,
  );
  const deps = {
    tasks: dms,
    rule,
    alerts,
    store,
    history: new MemoryRunHistory(),
    metrics,
    log,
    clock: clock.date,
  };
  postProcessor = createPostProcessorHandler({ ...deps, hooks }, postProcessorConfig(env));
  const starter = createStarterHandler(deps, starterConfig(env));
  // The in-process task-starter, its answer read back through the Lambda adapter's own parsing.
  const deployment = deploymentFor(env);
  return {
    dms,
    deliveryFailures,
    store,
    rule,
    alerts,
    clock,
    deployment,
    ...simulatedCli({
      starter,
      functionName: 'nightly-task-starter',
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

const TEN_TABLES: StepwisePlan = { tables: 10, tablesPerTick: 3 };
/** The percent of each progress line (the notes of retried polls are not progress). */
const percents = (lines: readonly string[]) =>
  lines.filter((line) => /^(\d+|--)% \|/.test(line)).map((line) => line.split(' | ')[0]);

describe('run --wait through a whole simulated run', () => {
  let sim: ReturnType<typeof simulate>;
  beforeEach(() => {
    sim = simulate(TEN_TABLES);
  });

  it('prints each step of the load on stderr, then the outcome, each hook and the rule on stdout; exit 0', async () => {
    expect(await sim.runWait()).toBe(EXIT.ok);
    expect(sim.stderr[0]).toMatch(
      /^started: run \S+ \(start-replication\): .*; schedule rule dms-scheduler-schedule: DISABLED$/,
    );
    expect(sim.progress).toEqual([
      '--% | tables: - loaded, - loading, - queued, - errored | DMS is starting the task (starting) | 0s elapsed',
      '0% | tables: 0 loaded, 3 loading, 7 queued, 0 errored | full load running | 15s elapsed',
      '30% | tables: 3 loaded, 3 loading, 4 queued, 0 errored | full load running | 30s elapsed, about 35s left',
      '60% | tables: 6 loaded, 3 loading, 1 queued, 0 errored | full load running | 45s elapsed, about 20s left',
      '90% | tables: 9 loaded, 1 loading, 0 queued, 0 errored | full load running | 1m 00s elapsed, about 5s left',
    ]);
    expect(sim.stdout).toEqual([
      expect.stringMatching(/^Run: {12}\S+ \(manual, start-replication\): succeeded in 1m 15s$/),
      'Outcome:        The full load finished',
      'Hooks:          mask-pii succeeded: 0s; 238 rows masked; mask-pii done',
      '                smoke-check succeeded: 0s; smoke-check done',
      "Schedule rule:  dms-scheduler-schedule: ENABLED (the run's decision: enable)",
    ]);
    expect(sim.rule.current).toBe('ENABLED');
    expect(sim.alerts.published).toEqual([]);
  });

  it('--json: one document, the start and how the run settled', async () => {
    expect(await sim.runJson()).toBe(EXIT.ok);
    expect(sim.stdout).toHaveLength(1);
    const report = JSON.parse(sim.stdout[0] as string);
    expect(report).toMatchObject({
      kind: 'run',
      version: 1,
      outcome: 'started',
      startType: 'start-replication',
      wait: {
        kind: 'wait',
        version: 1,
        result: 'settled',
        succeeded: true,
        run: { outcome: { kind: 'succeeded' }, rowsMasked: 238, ruleAction: 'enable', phase: 'released' },
        rule: { name: RULE_NAME, state: 'ENABLED' },
        holdOff: null,
        followAgain: null,
      },
    });
  });

  it('a describe that fails once is retried at the next poll, said on stderr, and the wait ends as the run did', async () => {
    sim.onPoll((poll) => {
      if (poll === 2)
        sim.dms.describeFailures.push(
          Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }),
        );
    });
    expect(await sim.runWait()).toBe(EXIT.ok);
    expect(sim.stderr).toContain(
      'DMS DescribeReplicationTasks failed (ThrottlingException: Rate exceeded); trying again at the next poll (1 of 3 allowed in a row)',
    );
    expect(percents(sim.progress)).toEqual(['--%', '0%', '60%', '90%']);
  });

  it('a describe that fails for good ends the wait with an AWS error (exit 3); the run goes on', async () => {
    sim.onPoll((poll) => {
      if (poll === 2) {
        const unreachable = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
        sim.dms.describeFailures.push(...Array(10).fill(unreachable));
      }
    });
    const error = await sim.runWait().catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(AwsCallError);
    expect(exitCodeOf(error)).toBe(EXIT.aws);
    expect((error as Error).message).toMatch(/^DMS DescribeReplicationTasks failed at 4 polls in a row/);
    // The post-processor could not read DMS either: the run waits, recorded, for its retry or the tick.
    expect((await sim.store.load(TASK_ARN)).record?.run?.phase).toBe('started');
    expect(sim.deliveryFailures).toHaveLength(1);
  });

  it('a second run while this one is active is skipped under its lock: exit 4, nothing started', async () => {
    expect(await sim.run()).toBe(EXIT.ok);
    expect(await sim.run()).toBe(EXIT.refused);
    expect(sim.stdout[1]).toMatch(/^skipped: .*still active.*holds the task's lock/);
    expect(sim.dms.startCalls).toBe(1);
  });
});

describe('a failed task', () => {
  it('status failed: the outcome, the alert, the rule re-enabled; exit 1', async () => {
    const sim = simulate({ ...TEN_TABLES, failAfterTables: 6 });
    expect(await sim.runWait()).toBe(EXIT.failed);
    expect(sim.progress.at(-1)).toMatch(/^30% \| tables: 3 loaded/);
    expect(sim.stdout).toEqual([
      expect.stringMatching(/^Run: {12}\S+ \(manual, start-replication\): failed in 45s$/),
      'Outcome:        The task failed: Last Error ORA-00942: table or view does not exist',
      'Hooks:          none ran',
      "Schedule rule:  dms-scheduler-schedule: ENABLED (the run's decision: enable)",
    ]);
    expect(sim.alerts.published).toHaveLength(1);
  });

  it('keep-disabled: wait shows the hold-off, resume ends it (rule on, hold-off cleared), and wait then exits as the last run ended', async () => {
    const sim = simulate({ ...TEN_TABLES, failAfterTables: 3 }, { RULE_AFTER_FAILURE: 'keep-disabled' });
    expect(await sim.runWait()).toBe(EXIT.failed);
    expect(sim.stdout.at(-1)).toMatch(
      /^Schedule rule: {2}dms-scheduler-schedule: DISABLED \(the run's decision: keep-disabled\); kept disabled after run \S+: after fixing the cause, dms-scheduler resume$/,
    );
    const held = (await sim.store.load(TASK_ARN)).record?.holdOff;
    expect(held).toBeDefined();
    expect(await sim.resume()).toMatchObject({
      rule: { stateBefore: 'DISABLED', state: 'ENABLED' },
      holdOff: held,
    });
    expect(sim.rule.current).toBe('ENABLED');
    expect((await sim.store.load(TASK_ARN)).record?.holdOff).toBeUndefined();
    await expect(sim.resume()).rejects.toThrow(/is ENABLED and no hold-off is recorded: nothing to resume/);

    sim.stdout.length = 0;
    sim.stderr.length = 0;
    expect(await sim.wait()).toBe(EXIT.failed);
    expect(sim.stderr).toEqual(['No run is active; the last run:']);
    expect(sim.stdout[1]).toBe(
      'Outcome:        The task failed: Last Error ORA-00942: table or view does not exist',
    );
  });
});

describe('stop during a simulated run', () => {
  it('records the request, stops the task, and the outcome and alert say a person stopped it; exit 1', async () => {
    const sim = simulate(TEN_TABLES);
    let stopped: Awaited<ReturnType<typeof sim.stop>> | undefined;
    sim.onPoll(async (poll) => {
      if (poll === 3) stopped = await sim.stop();
    });
    expect(await sim.runWait()).toBe(EXIT.failed);
    expect(stopped).toMatchObject({
      kind: 'stop',
      task: { statusBefore: 'running', statusAfter: 'stopping' },
      stopRequest: { by: 'cli', at: '2026-11-23T00:00:30.000Z' },
    });
    expect(percents(sim.progress)).toEqual(['--%', '0%', '30%', '30%']);
    expect(sim.progress.at(-1)).toContain('DMS is stopping the task');
    expect(sim.stdout[1]).toBe(
      'Outcome:        Stopped by a person through `dms-scheduler stop` at 2026-11-23T00:00:30.000Z: The task was stopped before it finished (Stop Reason NORMAL)',
    );
    expect(sim.alerts.published).toHaveLength(1);
    expect(sim.alerts.published[0]?.message).toContain(
      'through `dms-scheduler stop` at 2026-11-23T00:00:30.000Z',
    );
  });

  it('refuses (exit 4) a task that is not running or starting, and records nothing', async () => {
    const sim = simulate(TEN_TABLES);
    const error = await sim.stop().catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(RefusedError);
    expect(exitCodeOf(error)).toBe(EXIT.refused);
    expect((error as Error).message).toBe(
      'task nightly-refresh is ready: only a running or starting task can be stopped; nothing was changed',
    );
    expect(sim.dms.stopCalls).toBe(0);
    expect((await sim.store.load(TASK_ARN)).record).toBeUndefined();
  });
});
