// The Lambda side of the simulation: what AWS does around the functions. The real task-starter and
// post-processor handlers (real domain, real adapters over the world's SDK clients) are invoked on a
// simulated clock by the schedule rule (only while it is enabled), by SNS and EventBridge deliveries of DMS's
// notices (late, twice, out of order or never, as the plan says), by people (manual runs), and by the hourly
// reconcile tick. A failed or killed asynchronous invocation is retried after 1 and 2 minutes, then recorded
// in the failure destination (the dead-letter queue an alarm watches); the task-starter is not retried. An
// invocation still running at its deadline (60 s, 15 min) is killed. Invocations due at the same instant run
// concurrently, and hooks take simulated time while others run, so races between them are real.
import type { Context } from 'aws-lambda';
import { SnsAlerts } from '#shared/alerts/sns-alerts';
import { loadPostProcessorConfig, loadStarterConfig, type NotifyOnSuccess } from '#shared/config';
import { DmsTaskControl } from '#shared/dms/dms-task-control';
import type { Hook } from '#shared/hooks/contract';
import { SequentialHookRunner } from '#shared/hooks/runner';
import { DynamoDbRunHistory } from '#shared/runs/dynamodb-history';
import { DynamoDbRunStore } from '#shared/runs/dynamodb-store';
import { EventBridgeScheduleRule } from '#shared/schedule/eventbridge-rule';
import { createPostProcessorHandler, successNoticesFor } from '../../functions/post-processor/app.ts';
import { createStarterHandler } from '../../functions/task-starter/app.ts';
import { BASE_ENV, RecordingLog, RecordingMetrics } from '../support/ports.ts';
import {
  type DmsEnding,
  EPOCH,
  type Fault,
  HOUR,
  type Invocation,
  MILESTONE_ARN,
  MINUTE,
  type MigrationType,
  RECONCILE_ARN,
  RULE_ARN,
  SINGLE_TASK,
  World,
  type WorldTask,
} from './world.ts';

export const HOOKS = [
  { name: 'mask-pii', rerunnable: true },
  { name: 'notify-team', rerunnable: false },
] as const;
export type HookName = (typeof HOOKS)[number]['name'];

/** When each copy of a delivery arrives, in minutes after the event; [] means it is lost. */
export type Deliveries = readonly number[];

export interface DayPlan {
  /** How the night's DMS run ends (`refused`: DMS refuses to start it). */
  readonly ending: DmsEnding;
  /** Deliveries of the night's scheduled event (it fires at midnight only while the rule is enabled). */
  readonly schedule: Deliveries;
  /** Deliveries of each notice DMS sends, per channel, used in turn. */
  readonly sns: readonly Deliveries[];
  readonly eventbridge: readonly Deliveries[];
  /** Manual runs (`{}` invoked by a person), in minutes after midnight. */
  readonly manualRuns: readonly number[];
  /** An operator disables the schedule by hand at this minute after midnight. */
  readonly handDisableAt?: number;
  /** For a run group: how each member's run ends, in the group's order (`ending` for the rest). */
  readonly memberEndings?: readonly DmsEnding[];
}

export interface Scenario {
  readonly ruleAfterFailure: 're-enable' | 'keep-disabled';
  readonly days: readonly DayPlan[];
  readonly faults?: readonly Fault[];
  /** The n-th start of this hook kills its invocation (a crash, or the Lambda deadline, mid-hook). */
  readonly crashInHook?: { readonly hook: HookName; readonly nth: number };
  /** This hook throws every time it runs. */
  readonly failingHook?: HookName;
  /** This hook takes this many minutes (the mask takes 10 otherwise): past 15, the deadline kills it. */
  readonly slowHook?: { readonly hook: HookName; readonly minutes: number };
  /** How long the world goes on after the last day, ticking hourly. */
  readonly trailingHours: number;
  /** Where succeeded runs' summaries go (off unless given); success-topic uses SUCCESS_TOPIC_ARN. */
  readonly notifyOnSuccess?: NotifyOnSuccess;
  /** The stack schedules a run group of this many tasks, at most `maxConcurrency` at once (0: no limit). */
  readonly group?: { readonly size: number; readonly maxConcurrency: number };
  /**
   * `full-load-and-cdc`: a one-time data-migration stack (no schedule rule; each day's run is a manual start,
   * `manualRuns`), whose task's full load ends while it runs on (world.ts), with the milestone tick every
   * MILESTONE_TICK_MINUTES. Full load (a scheduled refresh) unless given.
   */
  readonly migration?: MigrationType;
}

export const GROUP_NAME = 'nightly-group';

/** The group's tasks, named as the stack lists them. */
export function groupTasks(size: number): WorldTask[] {
  return Array.from({ length: size }, (_, i) => ({
    arn: `arn:aws:dms:us-east-1:123456789012:task:MEMBER${String.fromCharCode(65 + i)}`,
    id: `load-part-${i + 1}`,
  }));
}

/** The milestone tick's rate in the simulation (MilestoneTickSchedule; 5 minutes by default when deployed). */
export const MILESTONE_TICK_MINUTES = 10;

export const SUCCESS_TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:dms-scheduler-success';

export interface Outcome {
  readonly world: World;
  /** Calls per site in the first two hours (the night's run and the ticks after it), for aiming faults. */
  readonly firstDayCalls: ReadonlyMap<string, number>;
  readonly metrics: RecordingMetrics;
  readonly invocations: number;
}

export async function simulate(scenario: Scenario): Promise<Outcome> {
  const cdc = scenario.migration === 'full-load-and-cdc';
  const members = scenario.group ? groupTasks(scenario.group.size) : SINGLE_TASK;
  const limit = scenario.group?.maxConcurrency || members.length;
  const world = new World(scenario.faults ?? [], {
    ruleAfterFailure: scenario.ruleAfterFailure,
    migrationType: scenario.migration ?? 'full-load',
    tasks: members,
    ...(scenario.group && { group: { key: `group/${GROUP_NAME}`, maxConcurrency: limit } }),
  });
  const queue = new EventQueue();
  world.sleep = (invocation, until) => queue.sleep(invocation, until);
  const metrics = new RecordingMetrics();
  const log = new RecordingLog();
  const env = {
    ...BASE_ENV,
    RULE_AFTER_FAILURE: scenario.ruleAfterFailure,
    NOTIFY_ON_SUCCESS: scenario.notifyOnSuccess ?? 'off',
    SUCCESS_TOPIC_ARN: scenario.notifyOnSuccess === 'success-topic' ? SUCCESS_TOPIC_ARN : '',
    ...(scenario.group && {
      REPLICATION_TASK_ARN: members.map((task) => task.arn).join(','),
      REPLICATION_TASK_IDENTIFIER: members.map((task) => task.id).join(','),
      RUN_GROUP_NAME: GROUP_NAME,
      GROUP_MAX_CONCURRENCY: String(scenario.group.maxConcurrency),
    }),
    ...(cdc && {
      MIGRATION_REFRESH_INDICATOR: 'data-migration',
      MIGRATION_REFRESH_TYPE: 'full-load-and-cdc',
      SCHEDULE_OR_ONE_TIME: 'one-time',
      SCHEDULE_RULE_ARN: '',
      MILESTONE_RULE_ARN: MILESTONE_ARN,
    }),
  };
  const shared = {
    tasks: new DmsTaskControl(world.clients.dms),
    // One-time mode: the handlers' wiring gives no rule (handler.ts).
    rule: cdc ? undefined : new EventBridgeScheduleRule(world.clients.eventBridge, 'dms-scheduler-schedule'),
    alerts: new SnsAlerts(world.clients.sns, env.ALERTS_TOPIC_ARN),
    store: new DynamoDbRunStore(world.clients.dynamoDb, env.RUN_LEDGER_TABLE),
    history: new DynamoDbRunHistory(world.clients.dynamoDb, env.RUN_LEDGER_TABLE),
    metrics,
    log,
    clock: () => new Date(world.now),
  };
  const hookStarts = new Map<string, number>();
  const hooks: Hook[] = HOOKS.map(({ name, rerunnable }) => ({
    name,
    rerunnable,
    async run({ run }) {
      const nth = (hookStarts.get(name) ?? 0) + 1;
      hookStarts.set(name, nth);
      const crash = scenario.crashInHook?.hook === name && scenario.crashInHook.nth === nth;
      const minutes =
        scenario.slowHook?.hook === name ? scenario.slowHook.minutes : name === 'mask-pii' ? 10 : 0;
      await world.hookWork(run.runKey, name, { crash, minutes });
      if (scenario.failingHook === name) throw new Error(`${name} failed`);
      return { changed: `${name} done`, ...(name === 'mask-pii' && { rowsMasked: 10 }) };
    },
  }));
  const starter = createStarterHandler(shared, loadStarterConfig(env));
  const postProcessorConfig = loadPostProcessorConfig(env);
  // The post-processor's own wiring: one SnsAlerts per topic, over the same (simulated) SNS client.
  const successNotices = successNoticesFor(
    postProcessorConfig,
    (topicArn) => new SnsAlerts(world.clients.sns, topicArn),
  );
  const postProcessor = createPostProcessorHandler(
    { ...shared, ...(successNotices && { successNotices }), hooks: new SequentialHookRunner(hooks) },
    postProcessorConfig,
  );

  let invocations = 0;
  const invoke = async (fn: Invocation['fn'], event: unknown, mode: 'async' | 'sync', attempt = 1) => {
    invocations += 1;
    const invocation = newInvocation(fn, invocations);
    const deadline = world.now + (fn === 'task-starter' ? 60_000 : 900_000);
    const context = lambdaContext(invocation.id, () => deadline - world.now);
    const handler = fn === 'task-starter' ? starter : postProcessor;
    let finished = false;
    queue.add(deadline, () => {
      if (!finished) invocation.die(); // Lambda ends an invocation at its timeout, whatever it was doing
    });
    queue.begin(invocation);
    const ended = await world.within(invocation, () =>
      Promise.race([
        handler(event, context).then(
          () => 'ok' as const,
          () => 'failed' as const,
        ),
        invocation.died.then(() => 'died' as const),
      ]),
    );
    finished = true;
    queue.end(invocation);
    if (ended === 'ok' || mode === 'sync') return; // a person invoking by hand sees the error
    if (fn === 'post-processor' && attempt < 3) {
      queue.add(world.now + attempt * MINUTE, () => invoke(fn, event, mode, attempt + 1));
    } else {
      world.deadLetters.push({ fn, event });
    }
  };

  const dayPlan = (at: number) =>
    scenario.days[Math.min(Math.floor((at - EPOCH) / (24 * HOUR)), scenario.days.length - 1)];
  const cursors = { sns: 0, eventbridge: 0 };
  world.onLater = (at, change) => queue.add(at, change);
  world.onNotice = (channel, eventId, message, task) => {
    const plan = dayPlan(world.now)?.[channel] ?? [];
    if (plan.length === 0) return;
    const deliveries = plan[cursors[channel]++ % plan.length] ?? [];
    const event =
      channel === 'sns' ? snsNotice(eventId, message, task) : eventBridgeNotice(eventId, message, task);
    for (const delay of deliveries)
      queue.add(world.now + delay * MINUTE, () => invoke('post-processor', event, 'async'));
  };

  scenario.days.forEach((day, index) => {
    const midnight = EPOCH + index * 24 * HOUR;
    world.planEndings(day.ending, day.memberEndings);
    queue.add(midnight, () => {
      // A disabled rule does not fire; deliveries already matched may still arrive late. One-time: no rule.
      if (world.ruleState !== 'ENABLED' || cdc) return;
      const firing = scheduledEvent(RULE_ARN, midnight, `schedule-${index}`);
      for (const delay of day.schedule) {
        queue.add(world.now + delay * MINUTE, () => invoke('task-starter', firing, 'async'));
      }
    });
    for (const minute of day.manualRuns)
      queue.add(midnight + minute * MINUTE, () => invoke('task-starter', {}, 'sync'));
    if (day.handDisableAt !== undefined)
      queue.add(midnight + day.handDisableAt * MINUTE, () => world.disableRuleByHand());
  });
  const end = EPOCH + scenario.days.length * 24 * HOUR + scenario.trailingHours * HOUR;
  for (let tick = EPOCH + 30 * MINUTE; tick <= end; tick += HOUR) {
    queue.add(tick, () =>
      invoke('post-processor', scheduledEvent(RECONCILE_ARN, tick, `tick-${tick}`), 'async'),
    );
  }
  if (cdc) {
    for (let tick = EPOCH + 5 * MINUTE; tick <= end; tick += MILESTONE_TICK_MINUTES * MINUTE) {
      queue.add(tick, () =>
        invoke('post-processor', scheduledEvent(MILESTONE_ARN, tick, `milestone-${tick}`), 'async'),
      );
    }
  }
  // Faults are aimed at the calls of the night's run and the ticks right after it.
  // A full-load-and-cdc run is stopped 100 minutes in: its end is in the window too.
  await queue.run(world, EPOCH + (cdc ? 3 : 2) * HOUR);
  const firstDayCalls = world.callCounts();
  await queue.run(world, end);
  return { world, firstDayCalls, metrics, invocations };
}

/**
 * The simulated clock. It moves to the next due event only once every invocation in flight has finished,
 * died or gone to sleep (a hook at work), so that what happens at one instant is all done before the next.
 */
class EventQueue {
  private readonly items: { at: number; seq: number; run: () => unknown }[] = [];
  private readonly counted = new Set<Invocation>();
  private seq = 0;

  add(at: number, run: () => unknown): void {
    this.items.push({ at, seq: this.seq++, run });
  }

  begin(invocation: Invocation): void {
    this.counted.add(invocation);
  }

  end(invocation: Invocation): void {
    this.counted.delete(invocation);
  }

  /** The invocation sleeps until `until`; it never wakes if it died meanwhile. */
  sleep(invocation: Invocation, until: number): Promise<void> {
    this.end(invocation);
    return new Promise<void>((resolve) => {
      this.add(until, () => {
        if (invocation.dead) return;
        this.begin(invocation);
        resolve();
      });
    });
  }

  async run(world: World, end: number): Promise<void> {
    for (;;) {
      await this.quiet();
      this.items.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const at = this.items[0]?.at;
      if (at === undefined || at > end) return;
      const due = this.items.filter((item) => item.at === at);
      this.items.splice(0, due.length);
      world.now = at;
      for (const item of due) void item.run();
    }
  }

  /** Waits until no invocation is at work (each one finished, died or sleeps). */
  private async quiet(): Promise<void> {
    for (let turns = 0; [...this.counted].some((invocation) => !invocation.dead); turns++) {
      if (turns > 100_000)
        throw new Error('the simulation is stuck: an invocation neither finishes nor sleeps');
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
}

function newInvocation(fn: Invocation['fn'], n: number): Invocation {
  let die: () => void = () => {};
  const died = new Promise<void>((resolve) => {
    die = resolve;
  });
  const invocation: Invocation = {
    id: `${fn}-${n}`,
    fn,
    dead: false,
    faults: 0,
    died,
    die: () => {
      invocation.dead = true;
      die();
    },
  };
  return invocation;
}

function lambdaContext(requestId: string, remaining: () => number): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'simulated',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:simulated',
    memoryLimitInMB: '512',
    awsRequestId: requestId,
    logGroupName: '/aws/lambda/simulated',
    logStreamName: 'simulated',
    getRemainingTimeInMillis: remaining,
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

/** A scheduled event as EventBridge sends it: one id per firing, the firing's time (whole seconds, Z). */
export function scheduledEvent(ruleArn: string, at: number, firing: string) {
  return {
    version: '0',
    id: `00000000-0000-4000-8000-${firing
      .replace(/[^0-9]/g, '')
      .padStart(12, '0')
      .slice(-12)}`,
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '123456789012',
    time: new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: 'us-east-1',
    resources: [ruleArn],
    detail: {},
  };
}

function snsNotice(eventId: string, message: string, task: WorldTask) {
  const body = {
    'Event Source': 'replication-task',
    'Event Time': '2026-12-01 00:41:07.000',
    'Identifier Link': `https://console.aws.amazon.com/dms/home?region=us-east-1#tasks:ids=${task.id}`,
    SourceId: task.id,
    'Event ID': `http://docs.aws.amazon.com/dms/latest/userguide/CHAP_Events.html#${eventId} `,
    'Event Message': message,
  };
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: 'arn:aws:sns:us-east-1:123456789012:dms-scheduler-dms-events:1f2e3d4c',
        Sns: {
          Type: 'Notification',
          MessageId: '95df01b4-ee98-5cb9-9903-4c221d41eb5e',
          TopicArn: 'arn:aws:sns:us-east-1:123456789012:dms-scheduler-dms-events',
          Subject: 'DMS Notification Message',
          Message: JSON.stringify(body),
          Timestamp: '2026-12-01T00:41:07.000Z',
          SignatureVersion: '1',
          Signature: 'EXAMPLE',
          SigningCertUrl:
            'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem',
          UnsubscribeUrl: 'https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe',
          MessageAttributes: {},
        },
      },
    ],
  };
}

function eventBridgeNotice(eventId: string, message: string, task: WorldTask) {
  return {
    version: '0',
    id: '11a11b11-222b-333a-44d4-01234a5b6789',
    'detail-type': 'DMS Replication Task State Change',
    source: 'aws.dms',
    account: '123456789012',
    time: '2026-12-01T00:41:07Z',
    region: 'us-east-1',
    resources: [task.arn],
    detail: {
      type: 'REPLICATION_TASK',
      category: 'StateChange',
      eventType: eventId === 'DMS-EVENT-0069' ? 'REPLICATION_TASK_STARTED' : 'REPLICATION_TASK_STOPPED',
      eventId,
      detailMessage: message,
    },
  };
}
