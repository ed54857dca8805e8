// `npm run local`, second scenario: a run group. Two DMS tasks load different tables of the same production
// database into staging (customers and their support tickets; orders), started together by one scheduled
// event under one lock. The first to finish only leaves the group waiting; the masking hooks run once, after
// the second, over every table both loaded; then the rule is given back and one success notice says staging
// is ready. The same handlers as in Lambda run, over the same simulated control plane as the first scenario.
import type pg from 'pg';
import { groupKeyOf, loadPostProcessorConfig, loadStarterConfig } from '#shared/config';
import type { HookRunner } from '#shared/hooks/contract';
import type { Log } from '#shared/log';
import { runSucceeded } from '#shared/runs/advance';
import { MemoryRunHistory } from '#shared/runs/memory-history';
import { MemoryRunStore } from '#shared/runs/memory-store';
import { defaultHistoryFilter, readHistory } from '../cli/history.ts';
import { printHistory } from '../cli/history-command.ts';
import { type CliIo, printerFor } from '../cli/output.ts';
import { createPostProcessorHandler, successNoticesFor } from '../functions/post-processor/app.ts';
import { createStarterHandler } from '../functions/task-starter/app.ts';
import { HOOK_COUNT, localHooks, TimelineHookRunner } from './local-hooks.ts';
import {
  dmsSnsEvent,
  SimulatedAlerts,
  SimulatedMetrics,
  SimulatedScheduleRule,
  scheduledEvent,
} from './simulated-aws.ts';
import { SimulatedDmsTask, SimulatedDmsTasks } from './simulated-dms.ts';
import type { Timeline } from './timeline.ts';

export interface LocalScenario {
  readonly source: pg.Client;
  readonly target: pg.Client;
  readonly stagingSecret: string;
  /** The first scenario's environment: the same topics, ledger table and hook settings. */
  readonly env: Readonly<Record<string, string>>;
  readonly timeline: Timeline;
  readonly log: Log;
  readonly expect: (condition: boolean, failure: string) => void;
}

const GROUP_NAME = 'nightly-group';
const RULE_NAME = `${GROUP_NAME}-schedule`;
const RULE_ARN = `arn:aws:events:us-east-1:123456789012:rule/${RULE_NAME}`;
const DMS_EVENTS_TOPIC = 'arn:aws:sns:us-east-1:123456789012:nightly-group-dms-events';
const MEMBERS = [
  {
    arn: 'arn:aws:dms:us-east-1:123456789012:task:GROUPCUSTOMERS',
    identifier: 'load-customers',
    tables: ['customers', 'support_tickets'],
  },
  {
    arn: 'arn:aws:dms:us-east-1:123456789012:task:GROUPORDERS',
    identifier: 'load-orders',
    tables: ['orders'],
  },
] as const;

/** Counts the hooks' runs: the group's must run once, after its last member. */
class CountingHookRunner implements HookRunner {
  runs = 0;
  constructor(private readonly inner: HookRunner) {}
  plan(): ReturnType<HookRunner['plan']> {
    return this.inner.plan();
  }
  run(...args: Parameters<HookRunner['run']>) {
    this.runs += 1;
    return this.inner.run(...args);
  }
}

export async function runGroupScenario(scenario: LocalScenario): Promise<void> {
  const { timeline, expect, log } = scenario;
  const env = {
    ...scenario.env,
    REPLICATION_TASK_ARN: MEMBERS.map((member) => member.arn).join(','),
    REPLICATION_TASK_IDENTIFIER: MEMBERS.map((member) => member.identifier).join(','),
    RUN_GROUP_NAME: GROUP_NAME,
    GROUP_MAX_CONCURRENCY: '0',
    SCHEDULE_RULE_ARN: RULE_ARN,
  };
  const starterConfig = loadStarterConfig(env);
  const postProcessorConfig = loadPostProcessorConfig(env);
  const groupKey = groupKeyOf(GROUP_NAME);
  const rule = new SimulatedScheduleRule(RULE_NAME, timeline);
  const alerts = new SimulatedAlerts(timeline);
  const successTopic = new SimulatedAlerts(timeline, 'success');
  const successNotices = successNoticesFor(postProcessorConfig, () => successTopic);
  const metrics = new SimulatedMetrics();
  const store = new MemoryRunStore();
  const history = new MemoryRunHistory();
  const clock = () => new Date();
  const hooks = new CountingHookRunner(
    new TimelineHookRunner(
      localHooks(postProcessorConfig, scenario.stagingSecret),
      scenario.target,
      timeline,
    ),
  );

  let postProcessor: ReturnType<typeof createPostProcessorHandler> | undefined;
  const deliverer = (identifier: string) => async (eventId: string, message: string) => {
    timeline.add('notice', `SNS delivered: ${eventId} "${message}" (task ${identifier})`);
    const result = await postProcessor?.(dmsSnsEvent(identifier, eventId, message, DMS_EVENTS_TOPIC));
    const advanced = result?.results[0];
    if (advanced === undefined) return;
    if (advanced.action === 'ignored') {
      timeline.add('result', `post-processor: ignored: ${advanced.reason}`);
      return;
    }
    const run = advanced.run;
    timeline.add(
      'result',
      run.state === 'released'
        ? `post-processor: group settled: ${run.outcome}; rule decision ${run.ruleDecision}; run released (the group's lock is free)`
        : `post-processor: ${run.state}${'phase' in run ? ` (run ${run.phase})` : ''}: ${run.reason}`,
    );
  };
  const dms = new SimulatedDmsTasks(
    MEMBERS.map(
      (member) =>
        new SimulatedDmsTask(
          { arn: member.arn, identifier: member.identifier },
          { source: scenario.source, target: scenario.target },
          deliverer(member.identifier),
          timeline,
          clock,
          member.tables,
        ),
    ),
  );
  postProcessor = createPostProcessorHandler(
    {
      tasks: dms,
      rule,
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
    { tasks: dms, rule, alerts, store, history, metrics, log, clock },
    starterConfig,
  );

  timeline.heading(
    `Scenario 2: run group ${GROUP_NAME}, two tasks loading different tables, masked once after both`,
  );
  timeline.add(
    'trigger',
    `scheduled event from rule ${RULE_NAME} → task-starter (${MEMBERS.map((m) => `${m.identifier}: ${m.tables.join(', ')}`).join('; ')})`,
  );
  const started = await starter(scheduledEvent(RULE_ARN, new Date(Math.floor(Date.now() / 60_000) * 60_000)));
  timeline.add('start', `task-starter: ${started.outcome} (${started.reason}); rule ${started.rule.state}`);
  expect(started.outcome === 'started', `the group was not started: ${started.outcome}, ${started.reason}`);
  expect(dms.startCalls === MEMBERS.length, `the group's start called DMS ${dms.startCalls} times, not 2`);
  await dms.settled();

  const { record } = await store.load(groupKey);
  const run = record?.run;
  expect(
    run !== undefined && run.phase === 'released' && runSucceeded(run),
    `the group's run is ${run?.phase} with outcome ${run?.outcome?.kind}, not released as a success`,
  );
  expect(
    run?.members?.every((member) => member.outcome?.kind === 'succeeded') === true,
    `the group's members ended ${run?.members?.map((m) => `${m.identifier} ${m.outcome?.kind}`).join(', ')}`,
  );
  expect(hooks.runs === 1, `the group's hooks ran ${hooks.runs} times, not once after both tasks`);
  expect(
    run?.hooks?.length === HOOK_COUNT,
    `the group recorded ${run?.hooks?.length ?? 0} hooks, not ${HOOK_COUNT}`,
  );
  expect(rule.current === 'ENABLED', `rule is ${rule.current} after the group's run`);
  expect(alerts.published.length === 0, `${alerts.published.length} alert(s) were published for the group`);
  expect(
    successTopic.published.length === 1,
    `the group sent ${successTopic.published.length} success notices, not one`,
  );
  await expectMasked(scenario);

  timeline.heading('dms-scheduler history --stack nightly-group (the group above)');
  const now = clock();
  const report = await readHistory(
    { store, history },
    { arn: groupKey },
    postProcessorConfig.runLedgerTable,
    defaultHistoryFilter(now),
    now,
  );
  const io: CliIo = { stdout: process.stdout, stderr: process.stdout, env: process.env, now: () => now };
  printHistory(report, printerFor(io, false), now);
  expect(report.runs.length === 1, `the group's history lists ${report.runs.length} runs, not one`);
}

/** No email of production survives in staging's tables once the group's masking has run over both loads. */
async function expectMasked({ source, target, expect, timeline }: LocalScenario): Promise<void> {
  const emails = async (client: pg.Client, sql: string) =>
    new Set((await client.query<{ email: string }>(sql)).rows.map((row) => row.email));
  const production = await emails(source, 'SELECT email FROM customers');
  for (const [table, column] of [
    ['customers', 'email'],
    ['orders', 'customer_email'],
    ['support_tickets', 'customer_email'],
  ] as const) {
    const staged = await emails(target, `SELECT ${column} AS email FROM ${table}`);
    const leaked = [...staged].filter((email) => production.has(email)).length;
    timeline.add(
      'result',
      `staging.${table}.${column}: ${staged.size} distinct values, ${leaked} from production`,
    );
    expect(
      leaked === 0,
      `staging.${table}.${column} holds ${leaked} production email(s) after the group's masking`,
    );
  }
}
