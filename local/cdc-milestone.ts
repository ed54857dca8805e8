// Why this file exists: `npm run local`'s last part shows the "full load finished" milestone of a
// full-load-and-cdc migration, end to end, with the real task-starter and post-processor handlers: a one-time
// run is started by hand; the full load copies the source's tables into a fresh target; the task keeps
// running (no event says the load ended) and the milestone tick finds it from ReplicationTaskStats; a post-load
// SQL hook creates an index, once; the "ready for cut-over" notice is printed as its topic delivers it; rows
// inserted in the source meanwhile keep arriving in the target after the milestone; a person stops the task
// (`dms-scheduler stop`'s own code) and the run ends succeeded, without running its hook again.
import type pg from 'pg';
import { createLambdaClient } from '#shared/aws/clients';
import { loadPostProcessorConfig, loadStarterConfig } from '#shared/config';
import { connectTarget } from '#shared/database/connect';
import { checkHookSettings, parseHooksConfig } from '#shared/hooks/config-file';
import type { HookRunner } from '#shared/hooks/contract';
import { lambdaHook } from '#shared/hooks/kinds/lambda';
import { buildHooks } from '#shared/hooks/registry';
import { SequentialHookRunner } from '#shared/hooks/runner';
import type { Log } from '#shared/log';
import { loadMaskEngine } from '#shared/masking/load-engine';
import { MemoryRunHistory } from '#shared/runs/memory-history';
import { MemoryRunStore } from '#shared/runs/memory-store';
import type { NoticeResult } from '#shared/runs/reconcile';
import type { Run } from '#shared/runs/run';
import type { Deployment } from '../cli/deployment.ts';
import { stopTask } from '../cli/stop.ts';
import { createPostProcessorHandler, successNoticesFor } from '../functions/post-processor/app.ts';
import { createStarterHandler } from '../functions/task-starter/app.ts';
import { localSecrets, STAGING_SECRET_ARN } from './local-secrets.ts';
import type { LocalPostgres } from './postgres.ts';
import { dmsSnsEvent, SimulatedAlerts, SimulatedMetrics, scheduledEvent } from './simulated-aws.ts';
import { SimulatedCdcTask } from './simulated-cdc-dms.ts';
import type { Timeline } from './timeline.ts';

const TASK_ID = 'orders-migration';
const TASK_ARN = 'arn:aws:dms:us-east-1:123456789012:task:CDCMIGRATIONTASKEXAMPLE01';
const MILESTONE_RULE_ARN = 'arn:aws:events:us-east-1:123456789012:rule/dms-migration-milestone-tick';
const RECONCILE_RULE_ARN = 'arn:aws:events:us-east-1:123456789012:rule/dms-migration-reconcile';
const ENV = {
  REPLICATION_TASK_ARN: TASK_ARN,
  REPLICATION_TASK_IDENTIFIER: TASK_ID,
  MIGRATION_REFRESH_INDICATOR: 'data-migration',
  MIGRATION_REFRESH_TYPE: 'full-load-and-cdc',
  SCHEDULE_OR_ONE_TIME: 'one-time',
  RECONCILE_RULE_ARN,
  MILESTONE_RULE_ARN,
  ALERTS_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:dms-migration-alerts',
  RUN_LEDGER_TABLE: 'dms-migration-runs',
  NOTIFY_ON_SUCCESS: 'success-topic',
  SUCCESS_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:dms-migration-success',
  TARGET_DATABASE_SECRET_ARN: STAGING_SECRET_ARN,
  TARGET_DATABASE_TLS: 'off',
};
/** The post-load hook: an index the load does not create (DMS copies primary keys only). Not re-runnable. */
const INDEX = 'orders_customer_email_idx';
const SQL_SCRIPTS = {
  'hooks/sql/create-order-indexes.sql': `CREATE INDEX ${INDEX} ON orders (customer_email)`,
};
const HOOKS_FILE = {
  version: 1,
  hooks: [
    { name: 'create-indexes', kind: 'sql', file: 'hooks/sql/create-order-indexes.sql' },
    { name: 'log-run', kind: 'log-run' },
  ],
};

export interface CdcMilestoneScenarioDeps {
  readonly postgres: LocalPostgres;
  /** The seeded source database; the scenario inserts rows into it while the task replicates. */
  readonly source: pg.Client;
  readonly timeline: Timeline;
  readonly log: Log;
  /** Records a failed check; the local run exits non-zero when any failed. */
  readonly expect: (condition: boolean, failure: string) => void;
}

export async function runCdcMilestoneScenario(deps: CdcMilestoneScenarioDeps): Promise<void> {
  await deps.postgres.createDatabase('migrated');
  const target = await deps.postgres.connect('migrated');
  try {
    await migrate(deps, target);
  } finally {
    await target.end();
  }
}

/** The migration itself, into the fresh `migrated` database. */
async function migrate(deps: CdcMilestoneScenarioDeps, targetDb: pg.Client): Promise<void> {
  const { postgres, source, timeline, log, expect } = deps;
  const starterConfig = loadStarterConfig(ENV);
  const postProcessorConfig = loadPostProcessorConfig(ENV);
  const alerts = new SimulatedAlerts(timeline);
  const successTopic = new SimulatedAlerts(timeline, 'success', true);
  const successNotices = successNoticesFor(postProcessorConfig, () => successTopic);
  const store = new MemoryRunStore();
  const history = new MemoryRunHistory();
  const metrics = new SimulatedMetrics();
  const clock = () => new Date();
  const hookSources = { sqlScripts: SQL_SCRIPTS, modules: {} };
  const hooksConfig = parseHooksConfig(HOOKS_FILE, hookSources);
  checkHookSettings(hooksConfig, postProcessorConfig, hookSources.modules);
  const secrets = localSecrets(postgres.secretFor('migrated'));
  const hookRuns: string[] = [];
  const inner = new SequentialHookRunner(
    buildHooks(hooksConfig, {
      ...hookSources,
      lambda: (options) => lambdaHook(createLambdaClient(), options),
      maskingSaltSecretArn: undefined,
      maskEngine: loadMaskEngine,
    }),
    {
      secrets: () => secrets,
      openTarget: async (runSecrets) =>
        connectTarget(await runSecrets.getDatabaseSecret(STAGING_SECRET_ARN), 'off'),
    },
  );
  const hooks: HookRunner = {
    plan: () => inner.plan(),
    run: async (...args) => {
      timeline.add('outcome', `${args[0].outcome.explanation}: the post-load hooks run now`);
      const report = await inner.run(...args);
      for (const hook of report.hooks) {
        if (hook.status !== 'skipped') hookRuns.push(hook.name);
        timeline.add(
          'hook',
          `${hook.name} ${hook.status} in ${hook.durationMs} ms: ${hook.changed ?? hook.error ?? ''}`,
        );
      }
      return report;
    },
  };

  let deliver: ((eventId: string, message: string) => Promise<void>) | undefined;
  const task = new SimulatedCdcTask(
    { arn: TASK_ARN, identifier: TASK_ID },
    { source, target: targetDb },
    (eventId, message) => deliver?.(eventId, message) ?? Promise.resolve(),
    timeline,
    clock,
  );
  const postProcessor = createPostProcessorHandler(
    {
      tasks: task,
      rule: undefined,
      alerts,
      ...(successNotices && { successNotices }),
      store,
      history,
      hooks,
      metrics,
      log,
      clock,
    },
    postProcessorConfig,
  );
  const starter = createStarterHandler(
    { tasks: task, rule: undefined, alerts, store, history, metrics, log, clock },
    starterConfig,
  );
  const currentRun = async (): Promise<Run | undefined> => (await store.load(TASK_ARN)).record?.run;
  const describe = (result: NoticeResult): string => {
    if (result.action === 'ignored') return `ignored: ${result.reason}`;
    const run = result.run;
    if (run.state === 'idle') return `idle: ${run.reason}`;
    if (run.state === 'released') return `run released: outcome ${run.outcome}, succeeded ${run.succeeded}`;
    return `${run.state} (run ${run.phase}): ${run.reason}`;
  };
  const post = async (what: string, event: unknown) => {
    const { results } = await postProcessor(event);
    timeline.add('result', `post-processor (${what}): ${results.map(describe).join('; ') || 'nothing'}`);
  };
  deliver = async (eventId, message) => {
    timeline.add('notice', `SNS delivered: ${eventId} "${message}"`);
    await post(
      'notice',
      dmsSnsEvent(TASK_ID, eventId, message, 'arn:aws:sns:us-east-1:123456789012:dms-events'),
    );
  };
  const tick = async () => {
    timeline.add('trigger', 'milestone tick (scheduled event of the milestone-tick rule) → post-processor');
    await post('milestone tick', scheduledEvent(MILESTONE_RULE_ARN, clock()));
  };
  const countOrders = async (db: pg.Client) =>
    Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM orders')).rows[0]?.n ?? 0);
  let nextOrder = 100_000;
  const insertOrders = async (count: number) => {
    const first = nextOrder;
    nextOrder += count;
    await source.query(
      `INSERT INTO orders (id, customer_email, amount, ordered_at)
       SELECT o, 'ada.1@example.com', 42.00, now() FROM generate_series($1::int, $2::int) AS o`,
      [first, first + count - 1],
    );
    timeline.add('rows', `${count} new order(s) inserted in the source`);
  };
  const replicate = async () => {
    const applied = await task.applyChanges();
    const [inSource, inTarget] = [await countOrders(source), await countOrders(targetDb)];
    timeline.add(
      'load',
      `change capture: ${applied} row(s) applied; orders: source ${inSource}, target ${inTarget}`,
    );
    return { applied, inSource, inTarget };
  };

  timeline.add('trigger', 'a manual start {} (a one-time migration, started by hand) → task-starter');
  const started = await starter({});
  timeline.add(
    'start',
    `task-starter: ${started.outcome} with ${started.startType} (${started.reason}); run ${started.runId}`,
  );
  expect(
    started.outcome === 'started',
    `the migration was not started: ${started.outcome}, ${started.reason}`,
  );
  await tick(); // the task is still starting: nothing to do yet
  await task.runFullLoad();
  await insertOrders(5);
  await replicate();
  await tick(); // finds the full load finished: the milestone
  const afterMilestone = await currentRun();
  expect(
    afterMilestone?.phase === 'started' && afterMilestone.milestone !== undefined,
    `after the milestone tick the run is ${afterMilestone?.phase}, milestone ${afterMilestone?.milestone ? 'recorded' : 'missing'}`,
  );
  await tick(); // a repeated or late tick: the milestone is past, nothing happens
  await insertOrders(3);
  const flowing = await replicate();
  expect(
    flowing.applied === 3 && flowing.inSource === flowing.inTarget,
    `changes after the milestone did not all arrive: applied ${flowing.applied}, source ${flowing.inSource}, target ${flowing.inTarget}`,
  );
  const index = await targetDb.query('SELECT 1 FROM pg_indexes WHERE indexname = $1', [INDEX]);
  timeline.add('rows', `target index ${INDEX}: ${index.rowCount === 1 ? 'present' : 'MISSING'}`);
  expect(index.rowCount === 1, `the post-load hook's index ${INDEX} is not in the target`);

  timeline.add('trigger', 'cut-over: dms-scheduler stop (StopReplicationTask, recorded on the run first)');
  const deployment: Deployment = {
    stack: { name: 'dms-migration', id: 'local', status: 'CREATE_COMPLETE' },
    namePrefix: 'dms-migration',
    task: { arn: TASK_ARN, identifier: TASK_ID },
    members: [{ arn: TASK_ARN, identifier: TASK_ID }],
    group: undefined,
    mode: { indicator: 'data-migration', migrationType: 'full-load-and-cdc', cadence: 'one-time' },
    functions: { taskStarter: 'dms-migration-task-starter', postProcessor: 'dms-migration-post-processor' },
    scheduleRule: undefined,
    runLedgerTable: ENV.RUN_LEDGER_TABLE,
    topics: { alerts: ENV.ALERTS_TOPIC_ARN, dmsEvents: undefined, success: ENV.SUCCESS_TOPIC_ARN },
    ruleAfterFailure: 're-enable',
    notifyOnSuccess: 'success-topic',
    hooksConfig: undefined,
  };
  await stopTask({ tasks: task, stopper: task, store }, deployment, { at: clock() });

  const ended = await currentRun();
  const cutovers = successTopic.published.filter((notice) => notice.id?.endsWith(':cutover'));
  const summaries = successTopic.published.filter((notice) => notice.id?.endsWith(':succeeded'));
  timeline.add(
    'result',
    `full-load-and-cdc run ${ended?.phase} as ${ended?.outcome?.kind}: ${ended?.outcome?.explanation}`,
  );
  timeline.add(
    'result',
    `hooks ran ${hookRuns.length === new Set(hookRuns).size ? 'once each' : 'MORE THAN ONCE'}, at the milestone (${hookRuns.join(', ')}); ` +
      `${cutovers.length} cut-over notice, ${summaries.length} success notice, ${alerts.published.length} alert(s)`,
  );
  expect(
    ended?.phase === 'released' && ended.outcome?.kind === 'succeeded',
    `the migration run is ${ended?.phase} with outcome ${ended?.outcome?.kind}, not released as succeeded`,
  );
  expect(
    JSON.stringify(hookRuns) === JSON.stringify(['create-indexes', 'log-run']),
    `the post-load hooks ran as ${hookRuns.join(', ') || 'none'}, not once each`,
  );
  expect(cutovers.length === 1, `${cutovers.length} cut-over notice(s) were sent, not one`);
  expect(summaries.length === 1, `${summaries.length} success notice(s) were sent, not one`);
  expect(alerts.published.length === 0, `${alerts.published.length} alert(s) were published`);
}
