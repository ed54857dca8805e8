// Hostile input to both handlers, through the real handler code, the real adapters and the simulated AWS:
// random JSON, huge strings, `__proto__` keys, foreign ARNs and accounts, other sources and detail-types,
// look-alike rule and task names, and mutations of every real event shape. Whatever arrives, neither
// function may change anything in AWS (no start, no rule change, no alert, no ledger write), the
// task-starter refuses with an InvalidEventError (it is not retried), and the post-processor never fails
// (a failed asynchronous invocation would only be retried, to the same end: a crash loop).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SnsAlerts } from '#shared/alerts/sns-alerts';
import { loadPostProcessorConfig, loadStarterConfig } from '#shared/config';
import { DmsTaskControl } from '#shared/dms/dms-task-control';
import { InvalidEventError } from '#shared/errors';
import { SequentialHookRunner } from '#shared/hooks/runner';
import { DynamoDbRunHistory } from '#shared/runs/dynamodb-history';
import { DynamoDbRunStore } from '#shared/runs/dynamodb-store';
import { parseTrigger } from '#shared/runs/trigger';
import { EventBridgeScheduleRule } from '#shared/schedule/eventbridge-rule';
import { createPostProcessorHandler } from '../../functions/post-processor/app.ts';
import { createStarterHandler } from '../../functions/task-starter/app.ts';
import { BASE_ENV, RecordingLog, RecordingMetrics, TASK_ARN, TASK_ID } from '../support/ports.ts';
import { scheduledEvent } from './harness.ts';
import {
  type CallSite,
  EPOCH,
  type Invocation,
  MILESTONE_ARN,
  RECONCILE_ARN,
  RULE_ARN,
  World,
} from './world.ts';

const SEED = 20261201;
const RUNS = 1000;
const MUTATING: readonly CallSite[] = [
  'DMS.StartReplicationTask',
  'EventBridge.DisableRule',
  'EventBridge.EnableRule',
  'SNS.Publish',
  'DynamoDB.PutItem',
];

const lookAlikeArns = fc.constantFrom(
  RULE_ARN.replace('123456789012', '210987654321'),
  RULE_ARN.replace('us-east-1', 'eu-west-1'),
  `${RULE_ARN}-2`,
  RULE_ARN.replace('rule/', 'rule/x'),
  RULE_ARN.replace('rule/', 'rule/other-bus/'),
  RECONCILE_ARN.replace('reconcile', 'reconcile2'),
  TASK_ARN.replace('123456789012', '210987654321'),
  TASK_ARN.replace('us-east-1', 'us-west-2'),
  `${TASK_ARN}X`,
);
const hugeString = fc
  .integer({ min: 1, max: 300_000 })
  .map((n) => 'A\n '.repeat(Math.ceil(n / 3)).slice(0, n));

/** A real event shape with one field replaced by something it should not be. */
const mutatedEvent = fc
  .tuple(
    fc.constantFrom(
      () => scheduledEvent(RULE_ARN, EPOCH, 'hostile-1'),
      () => scheduledEvent(RECONCILE_ARN, EPOCH, 'hostile-2'),
      () => ({
        Records: [
          {
            EventSource: 'aws:sns',
            Sns: { Message: JSON.stringify({ 'Event Source': 'replication-task', SourceId: TASK_ID }) },
          },
        ],
      }),
      () => ({
        source: 'aws.dms',
        'detail-type': 'DMS Replication Task State Change',
        account: '123456789012',
        region: 'us-east-1',
        resources: [TASK_ARN],
        detail: {},
      }),
    ),
    fc.constantFrom(
      'source',
      'detail-type',
      'account',
      'region',
      'resources',
      'id',
      'time',
      'Records',
      'detail',
      '__proto__',
      'constructor',
    ),
    fc.oneof(fc.jsonValue(), lookAlikeArns, hugeString, fc.constant(null)),
  )
  .map(([build, key, value]) => {
    const event: Record<string, unknown> = build();
    Object.defineProperty(event, key, {
      value: key === 'resources' && typeof value === 'string' ? [value] : value,
      enumerable: true,
      configurable: true,
      writable: true,
    });
    return event;
  });

const hostile = fc.oneof(
  fc.anything(),
  fc.jsonValue(),
  hugeString,
  mutatedEvent,
  fc.record({ source: fc.string(), 'detail-type': fc.string(), resources: fc.array(lookAlikeArns) }),
  fc.constant(JSON.parse('{"__proto__": {"polluted": true}, "startType": "reload-target"}')),
  fc.dictionary(fc.string(), fc.jsonValue()).map((dictionary) => ({ ...dictionary, detail: dictionary })),
);

/** The same, and look-alikes of the milestone-tick rule, for a full-load-and-cdc stack's post-processor. */
const milestoneLookAlikes = fc.constantFrom(
  MILESTONE_ARN.replace('123456789012', '210987654321'),
  MILESTONE_ARN.replace('us-east-1', 'eu-west-1'),
  `${MILESTONE_ARN}-2`,
  MILESTONE_ARN.replace('rule/', 'rule/other-bus/'),
);
const milestoneHostile = fc.oneof(
  hostile,
  fc
    .tuple(
      fc.constantFrom('account', 'region', 'resources', 'id', 'time', '__proto__'),
      fc.oneof(fc.jsonValue(), milestoneLookAlikes, hugeString, fc.constant(null)),
    )
    .map(([key, value]) => {
      const event: Record<string, unknown> = scheduledEvent(MILESTONE_ARN, EPOCH, 'hostile-3');
      Object.defineProperty(event, key, {
        value: key === 'resources' && typeof value === 'string' ? [value] : value,
        enumerable: true,
        configurable: true,
        writable: true,
      });
      return event;
    }),
  fc.record({
    source: fc.constant('aws.events'),
    'detail-type': fc.constant('Scheduled Event'),
    account: fc.constant('123456789012'),
    region: fc.constant('us-east-1'),
    resources: fc.array(milestoneLookAlikes, { minLength: 1, maxLength: 2 }),
  }),
);

const CDC_ENV = {
  ...BASE_ENV,
  MIGRATION_REFRESH_INDICATOR: 'data-migration',
  MIGRATION_REFRESH_TYPE: 'full-load-and-cdc',
  SCHEDULE_OR_ONE_TIME: 'one-time',
  SCHEDULE_RULE_ARN: '',
  MILESTONE_RULE_ARN: MILESTONE_ARN,
};

function handlers(world: World) {
  const shared = {
    tasks: new DmsTaskControl(world.clients.dms),
    rule: new EventBridgeScheduleRule(world.clients.eventBridge, 'dms-scheduler-schedule'),
    alerts: new SnsAlerts(world.clients.sns, BASE_ENV.ALERTS_TOPIC_ARN),
    store: new DynamoDbRunStore(world.clients.dynamoDb, BASE_ENV.RUN_LEDGER_TABLE),
    history: new DynamoDbRunHistory(world.clients.dynamoDb, BASE_ENV.RUN_LEDGER_TABLE),
    metrics: new RecordingMetrics(),
    log: new RecordingLog(),
    clock: () => new Date(world.now),
  };
  return {
    starter: createStarterHandler(shared, loadStarterConfig(BASE_ENV)),
    postProcessor: createPostProcessorHandler(
      { ...shared, hooks: new SequentialHookRunner([]) },
      loadPostProcessorConfig(BASE_ENV),
    ),
  };
}

function invocation(fn: Invocation['fn']): Invocation {
  const invocation: Invocation = {
    id: `${fn}-hostile`,
    fn,
    dead: false,
    faults: 0,
    died: new Promise(() => {}),
    die: () => {},
  };
  return invocation;
}

const mutations = (world: World) =>
  MUTATING.reduce((sum, site) => sum + (world.callCounts().get(site) ?? 0), 0);
const calls = (world: World) => [...world.callCounts().values()].reduce((sum, n) => sum + n, 0);

describe('hostile input', () => {
  it(`makes the task-starter change nothing, in ${RUNS} generated inputs`, async () => {
    const tally = { inputs: 0, refused: 0, manualShapes: 0, awsActions: 0 };
    await fc.assert(
      fc.asyncProperty(hostile, async (event) => {
        const world = new World();
        const { starter } = handlers(world);
        let accepted = true;
        try {
          parseTrigger(event, { scheduleRuleArn: RULE_ARN });
        } catch {
          accepted = false;
        }
        tally.inputs += 1;
        // A plain object of manual fields only is a person's request, and may start a run: not hostile.
        if (accepted) {
          tally.manualShapes += 1;
          return;
        }
        const outcome = await world.within(invocation('task-starter'), () =>
          starter(event).then(
            () => 'ran',
            (error: unknown) => error,
          ),
        );
        expect(outcome).toBeInstanceOf(InvalidEventError);
        expect(calls(world)).toBe(0);
        expect(Object.prototype).not.toHaveProperty('polluted');
        tally.refused += 1;
        tally.awsActions += mutations(world);
      }),
      { seed: SEED, numRuns: RUNS },
    );
    console.log(`hostile input, task-starter: fast-check seed ${SEED}; ${JSON.stringify(tally)}`);
    expect(tally.refused).toBeGreaterThan(RUNS * 0.9);
  }, 120_000);

  it(`makes the post-processor change nothing and never fail, in ${RUNS} generated inputs`, async () => {
    const tally = { inputs: 0, awsActions: 0, readOnly: 0 };
    await fc.assert(
      fc.asyncProperty(hostile, async (event) => {
        const world = new World();
        const { postProcessor } = handlers(world);
        const outcome = await world.within(invocation('post-processor'), () =>
          postProcessor(event).then(
            () => 'ok',
            (error: unknown) => error,
          ),
        );
        tally.inputs += 1;
        expect(outcome).toBe('ok');
        // A look-alike that still names this task may read DMS and the ledger (the truth), never change them.
        expect(mutations(world)).toBe(0);
        tally.awsActions += mutations(world);
        if (calls(world) > 0) tally.readOnly += 1;
        expect(Object.prototype).not.toHaveProperty('polluted');
      }),
      { seed: SEED, numRuns: RUNS },
    );
    console.log(`hostile input, post-processor: fast-check seed ${SEED}; ${JSON.stringify(tally)}`);
  }, 120_000);

  it(`makes a full-load-and-cdc post-processor change nothing and never fail, milestone ticks included, in ${RUNS} generated inputs`, async () => {
    let ticks = 0;
    await fc.assert(
      fc.asyncProperty(milestoneHostile, async (event) => {
        const world = new World();
        const shared = {
          tasks: new DmsTaskControl(world.clients.dms),
          rule: undefined,
          alerts: new SnsAlerts(world.clients.sns, CDC_ENV.ALERTS_TOPIC_ARN),
          store: new DynamoDbRunStore(world.clients.dynamoDb, CDC_ENV.RUN_LEDGER_TABLE),
          history: new DynamoDbRunHistory(world.clients.dynamoDb, CDC_ENV.RUN_LEDGER_TABLE),
          metrics: new RecordingMetrics(),
          log: new RecordingLog(),
          clock: () => new Date(world.now),
        };
        const postProcessor = createPostProcessorHandler(
          { ...shared, hooks: new SequentialHookRunner([]) },
          loadPostProcessorConfig(CDC_ENV),
        );
        const outcome = await world.within(invocation('post-processor'), () =>
          postProcessor(event).then(
            (result) => result,
            (error: unknown) => error,
          ),
        );
        expect(outcome).not.toBeInstanceOf(Error);
        expect(mutations(world)).toBe(0);
        // A genuine tick with no run active reads the record once, and nothing else.
        if ((world.callCounts().get('DynamoDB.GetItem') ?? 0) > 0 && calls(world) === 1) ticks += 1;
        expect(Object.prototype).not.toHaveProperty('polluted');
      }),
      { seed: SEED, numRuns: RUNS },
    );
    console.log(
      `hostile input, full-load-and-cdc post-processor: fast-check seed ${SEED}; ${ticks} read the record only`,
    );
  }, 120_000);
});
