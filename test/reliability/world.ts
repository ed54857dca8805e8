// A simulated AWS around the real code: the real handlers, domain and AWS adapters run unchanged, and only
// the SDK clients' `send` is replaced, by this world, which plays DMS (a task that starts, runs and stops on a
// simulated clock, and emits its notices), EventBridge (the schedule rule), SNS (the alerts and success topics,
// with their size limits), DynamoDB (the run ledger, with conditional writes) and SQS (the failure destination). A fault
// plan makes any call fail once, fail for 15 minutes, fail for good, apply but lose its answer, or kill the
// invocation just before or just after it. The world also watches every effect as it happens, so properties
// that must hold at every moment (the lock, the rule) are checked at the moment, not only at the end.
import { AsyncLocalStorage } from 'node:async_hooks';
import {
  DatabaseMigrationServiceClient,
  InvalidResourceStateFault,
  type ReplicationTask,
} from '@aws-sdk/client-database-migration-service';
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SNSClient } from '@aws-sdk/client-sns';
import type { Run, TaskRecord } from '#shared/runs/run';
import { TASK_ARN, TASK_ID } from '../support/ports.ts';

/** The simulation's first midnight: a date of this century, so no date DMS reports is ever 0. */
export const EPOCH = Date.parse('2026-12-01T00:00:00Z');
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

export const FAULT_MODES = [
  'fail-once',
  'fail-15-minutes',
  'fail-for-good',
  'applied-response-lost',
  'crash-before',
  'crash-after',
] as const;
export type FaultMode = (typeof FAULT_MODES)[number];

export const CALL_SITES = [
  'DMS.DescribeReplicationTasks',
  'DMS.StartReplicationTask',
  'EventBridge.DescribeRule',
  'EventBridge.DisableRule',
  'EventBridge.EnableRule',
  'SNS.Publish',
  'DynamoDB.GetItem',
  'DynamoDB.PutItem',
  'DynamoDB.UpdateItem',
] as const;
export type CallSite = (typeof CALL_SITES)[number];

export interface Fault {
  readonly site: CallSite;
  /** The n-th call to the site (1-based) is the first one hit. */
  readonly nth: number;
  readonly mode: FaultMode;
}

/** How the task's next run ends, as DMS reports it. */
export type DmsEnding = 'succeeded' | 'failed' | 'stopped-by-user' | 'refused';

export interface Invocation {
  readonly id: string;
  readonly fn: 'task-starter' | 'post-processor';
  dead: boolean;
  /** Faults that struck this invocation's own calls. */
  faults: number;
  readonly died: Promise<void>;
  die(): void;
}

type Service = 'DMS' | 'EventBridge' | 'SNS' | 'DynamoDB';
interface Command {
  readonly input: Record<string, unknown>;
}

export interface PublishedAlert {
  readonly id: string | undefined;
  readonly topicArn: string;
  readonly subject: string;
  readonly message: string;
  readonly at: number;
}

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
export const RULE = 'dms-scheduler-schedule';
export const RULE_ARN = `arn:aws:events:${REGION}:${ACCOUNT}:rule/${RULE}`;
export const RECONCILE_ARN = `arn:aws:events:${REGION}:${ACCOUNT}:rule/dms-scheduler-reconcile`;
export const MILESTONE_ARN = `arn:aws:events:${REGION}:${ACCOUNT}:rule/dms-scheduler-milestone-tick`;

/**
 * The task's migration type. A full-load-and-cdc task's run: its full load ends 40 minutes after the start
 * (FullLoadFinishDate, 100 %, nothing loading) while it goes on running, with no notice; a person stops it
 * (Stop Reason NORMAL) at cut-over, 100 minutes after the start, or it fails then. `stopped-by-user` is a
 * NORMAL stop 20 minutes in, before the full load finished; a resume-processing loads nothing.
 */
export type MigrationType = 'full-load' | 'full-load-and-cdc';
export const CDC_FULL_LOAD_MINUTES = 40;
export const CDC_STOP_MINUTES = 100;

interface TaskState {
  status: string;
  stopReason?: string;
  lastFailureMessage?: string;
  lastStartDate?: number;
  startDate?: number;
  fullLoadStartDate?: number;
  fullLoadFinishDate?: number;
  stopDate?: number;
  progress?: number;
  tablesErrored?: number;
  tablesLoading?: number;
  tablesQueued?: number;
}

/** A DMS run as DMS itself saw it, to check that every one of them was settled and told. */
export interface DmsRun {
  /** The task it was a run of (a group's member, or the one task). */
  readonly taskArn: string;
  readonly startedAt: number;
  /** The outcome the run must record for it (a full-load-and-cdc run: see MigrationType). */
  ending: Exclude<DmsEnding, 'refused'>;
  stopDate?: number;
  /** A full-load-and-cdc run's full load ended (its milestone), while the task ran on. */
  fullLoadFinishedAt?: number;
}

/** A task of the world: the one task, or each member of a run group, in the stack's order. */
export interface WorldTask {
  readonly arn: string;
  readonly id: string;
}

export const SINGLE_TASK: readonly WorldTask[] = [{ arn: TASK_ARN, id: TASK_ID }];

export interface WorldOptions {
  readonly ruleAfterFailure: 're-enable' | 'keep-disabled';
  /** The stack's migration type: a full-load-and-cdc task runs on past its full load (see startCdcTask). */
  readonly migrationType?: MigrationType;
  /** The tasks, and for a run group its ledger key and concurrency limit. */
  readonly tasks?: readonly WorldTask[];
  readonly group?: { readonly key: string; readonly maxConcurrency: number };
}

interface TaskSlot {
  state: TaskState;
  /** What DescribeReplicationTasks shows for a while after a start: DMS's API catches up with a short lag. */
  lagging?: { until: number; snapshot: ReplicationTask };
  /** How the task's coming runs end, in turn. */
  readonly endings: DmsEnding[];
}

export class World {
  now = EPOCH;
  readonly violations: string[] = [];
  /** Rule changes and starts, in order, for reading a failing history. */
  readonly trace: string[] = [];
  readonly published: PublishedAlert[] = [];
  readonly deadLetters: { fn: string; event: unknown }[] = [];
  readonly dmsRuns: DmsRun[] = [];
  refusedStarts = 0;
  ruleState: 'ENABLED' | 'DISABLED' = 'ENABLED';
  /** Set when an operator disabled the rule by hand; from then on no run may enable it. */
  handDisabledAt: number | undefined;
  readonly hookStarts = new Map<string, number>();
  readonly hookEnds = new Map<string, number>();
  /** Every run the ledger ever held, by id, as last written. */
  readonly runs = new Map<string, Run>();
  /** Faults that struck so far (every injected failure, lost answer and death). */
  faultsStruck = 0;
  private readonly lastPublish = new Map<string, { invocation: Invocation; faults: number }>();
  /** Lets a hook's work take simulated time; the harness provides it. */
  sleep: (invocation: Invocation, until: number) => Promise<void> = async () => {};
  /** Notices DMS emitted (about `task`); the harness decides how each is delivered. */
  onNotice: (channel: 'sns' | 'eventbridge', eventId: string, message: string, task: WorldTask) => void =
    () => {};
  /** Delayed changes of the task's state. */
  onLater: (at: number, change: () => void) => void = () => {};

  readonly tasks: readonly WorldTask[];
  private readonly slots = new Map<string, TaskSlot>();
  private readonly ledgerKey: string;
  private readonly ledger = new Map<string, Record<string, { S?: string; N?: string; SS?: string[] }>>();
  private readonly calls = new Map<CallSite, number>();
  private readonly failingUntil = new Map<CallSite, number>();
  readonly clients = CLIENTS;

  constructor(
    readonly faults: readonly Fault[] = [],
    readonly options: WorldOptions = { ruleAfterFailure: 're-enable' },
  ) {
    this.tasks = options.tasks ?? SINGLE_TASK;
    for (const task of this.tasks) this.slots.set(task.arn, { state: { status: 'ready' }, endings: [] });
    this.ledgerKey = `task#${options.group?.key ?? TASK_ARN}`;
  }

  /** How each task's next run ends: one ending for every task, or one per task in the stack's order. */
  planEndings(ending: DmsEnding, perTask?: readonly DmsEnding[]): void {
    this.tasks.forEach((task, i) => {
      this.slot(task.arn).endings.push(perTask?.[i] ?? ending);
    });
  }

  private slot(arn: string): TaskSlot {
    const slot = this.slots.get(arn);
    if (slot === undefined) throw new Error(`the simulated DMS has no task ${arn}`);
    return slot;
  }

  /** The tasks DMS is running now. */
  private running(): WorldTask[] {
    return this.tasks.filter((task) =>
      ['starting', 'running', 'stopping'].includes(this.slot(task.arn).state.status),
    );
  }

  /** Runs `body` as one invocation: every SDK call it makes is this invocation's, and dies with it. */
  within<T>(invocation: Invocation, body: () => Promise<T>): Promise<T> {
    return CONTEXT.run({ world: this, invocation }, body);
  }

  /** A hook's body reports here: counted per run, and killed when the fault plan says so. */
  async hookWork(runId: string, hook: string, work: { crash: boolean; minutes: number }): Promise<void> {
    const key = `${runId}/${hook}`;
    // Hooks of a finished run run once the load is over: for a group, after its last member. (A milestone's
    // hooks run while the task goes on replicating: the run has no outcome yet.)
    if (this.currentRun()?.outcome !== undefined) {
      for (const task of this.running())
        this.violations.push(`hook ${hook} began while ${task.id} was running`);
    }
    this.hookStarts.set(key, (this.hookStarts.get(key) ?? 0) + 1);
    if (
      this.options.migrationType === 'full-load-and-cdc' &&
      this.dmsRuns.at(-1)?.fullLoadFinishedAt === undefined
    ) {
      this.violations.push(`hook ${hook} of run ${runId} began before the full load finished`);
    }
    const invocation = CONTEXT.getStore()?.invocation;
    if (invocation === undefined) throw new Error('a hook outside any simulated invocation');
    if (work.crash) {
      this.faultsStruck += 1;
      invocation.die();
      await never();
    }
    // Other invocations run meanwhile; the Lambda deadline may end this one before the work is done.
    if (work.minutes > 0) await this.sleep(invocation, this.now + work.minutes * MINUTE);
    if (invocation.dead) await never();
    this.hookEnds.set(key, (this.hookEnds.get(key) ?? 0) + 1);
  }

  currentRun(): Run | undefined {
    return this.record()?.run;
  }

  record(): TaskRecord | undefined {
    const json = this.ledger.get(this.ledgerKey)?.record?.S;
    return json ? (JSON.parse(json) as TaskRecord) : undefined;
  }

  taskStatus(arn: string = this.tasks[0]?.arn ?? TASK_ARN): string {
    return this.slot(arn).state.status;
  }

  /** An operator disables the schedule in the console. */
  disableRuleByHand(): void {
    if (this.ruleState === 'ENABLED') {
      this.trace.push(`${new Date(this.now).toISOString()} disabled by hand`);
      this.ruleState = 'DISABLED';
      this.handDisabledAt = this.now;
    }
  }

  async dispatch(service: Service, command: Command, invocation: Invocation): Promise<unknown> {
    if (invocation.dead) return never();
    const site = `${service}.${command.constructor.name.replace(/Command$/, '')}` as CallSite;
    const count = (this.calls.get(site) ?? 0) + 1;
    this.calls.set(site, count);
    const fault = this.faults.find((candidate) => candidate.site === site);
    const hit = fault !== undefined && this.hits(fault, site, count);
    const strikesAfter = fault?.mode === 'applied-response-lost' || fault?.mode === 'crash-after';
    if (hit && !strikesAfter) {
      this.faultsStruck += 1;
      invocation.faults += 1;
    }
    if (hit && fault.mode === 'crash-before') {
      invocation.die();
      return never();
    }
    if (
      hit &&
      (fault.mode === 'fail-once' || fault.mode === 'fail-15-minutes' || fault.mode === 'fail-for-good')
    ) {
      throw injected(`${site} failed (${fault.mode})`, 'InternalFailure', 'server');
    }
    const answer = this.apply(site, command.input, invocation);
    if (hit && strikesAfter) {
      this.faultsStruck += 1;
      invocation.faults += 1;
    }
    if (hit && fault.mode === 'applied-response-lost') {
      // The SDK retries a call whose answer never came: a start that went through is then refused.
      if (site === 'DMS.StartReplicationTask') this.apply(site, command.input, invocation);
      throw injected(`${site}: the connection dropped before the answer`, 'TimeoutError', undefined);
    }
    if (hit && fault.mode === 'crash-after') {
      invocation.die();
      return never();
    }
    return answer;
  }

  /** How many times each call site was called so far. */
  callCounts(): ReadonlyMap<CallSite, number> {
    return new Map(this.calls);
  }

  private hits(fault: Fault, site: CallSite, count: number): boolean {
    if (count < fault.nth) return false;
    switch (fault.mode) {
      case 'fail-for-good':
        return true;
      case 'fail-15-minutes': {
        const until = this.failingUntil.get(site) ?? this.now + 15 * MINUTE;
        this.failingUntil.set(site, until);
        return this.now < until;
      }
      default:
        return count === fault.nth;
    }
  }

  private apply(site: CallSite, input: Record<string, unknown>, invocation: Invocation): unknown {
    switch (site) {
      case 'DMS.DescribeReplicationTasks':
        return { ReplicationTasks: [this.describeTask(filteredArn(input))] };
      case 'DMS.StartReplicationTask':
        return this.startTask(
          String(input.ReplicationTaskArn),
          String(input.StartReplicationTaskType),
          invocation,
        );
      case 'EventBridge.DescribeRule':
        return { Name: RULE, State: this.ruleState };
      case 'EventBridge.DisableRule':
        this.trace.push(
          `${new Date(this.now).toISOString()} DisableRule by ${invocation.id} (run ${this.currentRun()?.id} ${this.currentRun()?.phase})`,
        );
        this.ruleState = 'DISABLED';
        return {};
      case 'EventBridge.EnableRule':
        this.checkEnable(invocation);
        this.trace.push(
          `${new Date(this.now).toISOString()} EnableRule by ${invocation.id} (run ${this.currentRun()?.id} ${this.currentRun()?.phase})`,
        );
        this.ruleState = 'ENABLED';
        return {};
      case 'SNS.Publish':
        return this.publish(input);
      case 'DynamoDB.GetItem': {
        const item = this.ledger.get(String((input.Key as { pk: { S: string } }).pk.S));
        return item ? { Item: structuredClone(item) } : {};
      }
      case 'DynamoDB.PutItem':
        return this.putItem(input);
      case 'DynamoDB.UpdateItem':
        return this.recordHistory(input);
    }
  }

  private describeTask(arn: string): ReplicationTask {
    const lagging = this.slot(arn).lagging;
    if (lagging !== undefined && this.now < lagging.until) return lagging.snapshot;
    return this.currentTask(arn);
  }

  private currentTask(arn: string): ReplicationTask {
    const t = this.slot(arn).state;
    const date = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms));
    return {
      ReplicationTaskArn: arn,
      ReplicationTaskIdentifier: this.tasks.find((task) => task.arn === arn)?.id,
      MigrationType: this.options.migrationType ?? 'full-load',
      Status: t.status,
      StopReason: t.stopReason,
      LastFailureMessage: t.lastFailureMessage,
      ReplicationTaskStartDate: date(t.lastStartDate),
      ReplicationTaskStats:
        t.startDate === undefined
          ? undefined
          : {
              StartDate: date(t.startDate),
              FreshStartDate: date(t.startDate),
              FullLoadStartDate: date(t.fullLoadStartDate),
              FullLoadFinishDate: date(t.fullLoadFinishDate),
              StopDate: date(t.stopDate),
              FullLoadProgressPercent: t.progress,
              TablesErrored: t.tablesErrored ?? 0,
              TablesLoading: t.tablesLoading,
              TablesQueued: t.tablesQueued,
            },
    };
  }

  private startTask(arn: string, startType: string, invocation: Invocation): unknown {
    const slot = this.slot(arn);
    const task = this.tasks.find((candidate) => candidate.arn === arn) as WorldTask;
    this.checkStart(task, invocation);
    if (!['ready', 'stopped', 'failed'].includes(slot.state.status)) {
      throw new InvalidResourceStateFault({
        message: 'Replication Task cannot be started, invalid state',
        $metadata: {},
      });
    }
    const ending = slot.endings.shift() ?? 'succeeded';
    if (ending === 'refused') {
      this.refusedStarts += 1;
      throw new InvalidResourceStateFault({
        message:
          'Test connection for replication instance ri and endpoint staging should be successful for starting the replication task',
        $metadata: {},
      });
    }
    const firstRun = slot.state.startDate === undefined;
    if (this.options.migrationType === 'full-load-and-cdc') {
      return this.startCdcTask(slot, task, startType, ending);
    }
    if (firstRun !== (startType === 'start-replication')) {
      this.violations.push(`start type ${startType} on a task that ${firstRun ? 'never ran' : 'ran before'}`);
    }
    const startedAt = this.now;
    slot.lagging = { until: startedAt + 90_000, snapshot: this.currentTask(arn) };
    const dmsRun: DmsRun = { taskArn: arn, startedAt, ending };
    this.dmsRuns.push(dmsRun);
    slot.state = {
      status: 'starting',
      lastStartDate: startedAt,
      startDate: startedAt,
      fullLoadStartDate: startedAt,
      progress: 0,
    };
    this.onLater(startedAt + MINUTE, () => {
      slot.state = { ...slot.state, status: 'running' };
      this.onNotice('sns', 'DMS-EVENT-0069', 'Replication task has started.', task);
      this.onNotice(
        'eventbridge',
        'DMS-EVENT-0069',
        'Replication task started, with flag = fresh start',
        task,
      );
    });
    this.onLater(startedAt + 40 * MINUTE, () => {
      const stopDate = this.now;
      dmsRun.stopDate = stopDate;
      if (ending === 'succeeded') {
        slot.state = {
          ...slot.state,
          status: 'stopped',
          stopReason: 'Stop Reason FULL_LOAD_ONLY_FINISHED',
          fullLoadFinishDate: stopDate,
          stopDate,
          progress: 100,
        };
        this.onNotice(
          'sns',
          'DMS-EVENT-0079',
          'Replication task has stopped. Stop Reason FULL_LOAD_ONLY_FINISHED.',
          task,
        );
      } else if (ending === 'stopped-by-user') {
        slot.state = {
          ...slot.state,
          status: 'stopped',
          stopReason: 'Stop Reason NORMAL',
          stopDate,
          progress: 40,
        };
        this.onNotice('sns', 'DMS-EVENT-0079', 'Replication task has stopped.', task);
      } else {
        slot.state = {
          ...slot.state,
          status: 'failed',
          stopReason: 'Stop Reason FATAL_ERROR',
          lastFailureMessage: 'Last Error Stream Component Fatal error.',
          stopDate,
          progress: 40,
        };
        this.onNotice('sns', 'DMS-EVENT-0078', 'Replication task has failed.', task);
      }
      this.onNotice(
        'eventbridge',
        ending === 'failed' ? 'DMS-EVENT-0078' : 'DMS-EVENT-0079',
        'Replication task stopped',
        task,
      );
    });
    return {};
  }

  /**
   * The lock: a start is only ever asked for by the run that holds it. For one task, by the task-starter while
   * the run is starting; for a group's member, by whichever invocation recorded the member's start first (its
   * state `starting`, with the request time), and never with more members under way than the group's limit.
   */
  private checkStart(task: WorldTask, invocation: Invocation): void {
    const run = this.currentRun();
    const group = this.options.group;
    if (group === undefined) {
      if (invocation.fn !== 'task-starter')
        this.violations.push(`${invocation.fn} called StartReplicationTask`);
      if (run === undefined || run.phase !== 'starting') {
        this.violations.push(`StartReplicationTask while the ledger's run is ${run?.phase ?? 'absent'}`);
      }
      return;
    }
    const member = run?.members?.find((candidate) => candidate.arn === task.arn);
    if (run === undefined || (run.phase !== 'starting' && run.phase !== 'started')) {
      this.violations.push(
        `StartReplicationTask of ${task.id} while the group's run is ${run?.phase ?? 'absent'}`,
      );
    } else if (member?.state !== 'starting' || member.startRequestedAt === undefined) {
      this.violations.push(
        `StartReplicationTask of ${task.id}, whose start the ledger does not record (${member?.state})`,
      );
    }
    const failed = run?.members?.find(
      (other) => other.outcome !== undefined && other.outcome.kind !== 'succeeded',
    );
    if (failed !== undefined) {
      this.violations.push(
        `StartReplicationTask of ${task.id} after ${failed.identifier} of the group did not succeed`,
      );
    }
    const others = this.running().filter((other) => other.arn !== task.arn);
    if (others.length >= group.maxConcurrency) {
      this.violations.push(
        `StartReplicationTask of ${task.id} with ${others.length} tasks running, over the limit of ${group.maxConcurrency}`,
      );
    }
  }

  /** A full-load-and-cdc run (see MigrationType): it never stops by itself. */
  private startCdcTask(
    slot: TaskSlot,
    task: WorldTask,
    startType: string,
    planned: Exclude<DmsEnding, 'refused'>,
  ): unknown {
    const firstRun = slot.state.startDate === undefined;
    if (firstRun !== (startType === 'start-replication')) {
      this.violations.push(`start type ${startType} on a task that ${firstRun ? 'never ran' : 'ran before'}`);
    }
    const resume = startType === 'resume-processing';
    const startedAt = this.now;
    slot.lagging = { until: startedAt + 90_000, snapshot: this.currentTask(task.arn) };
    // A resume loads nothing: a NORMAL stop is then a stop by a person before any milestone of this run.
    const ending = resume && planned === 'succeeded' ? 'stopped-by-user' : planned;
    const dmsRun: DmsRun = { taskArn: task.arn, startedAt, ending };
    this.dmsRuns.push(dmsRun);
    const previous = slot.state;
    slot.state = {
      status: 'starting',
      lastStartDate: startedAt,
      startDate: startedAt,
      ...(resume
        ? {
            fullLoadStartDate: previous.fullLoadStartDate,
            fullLoadFinishDate: previous.fullLoadFinishDate,
            progress: previous.progress,
          }
        : { fullLoadStartDate: startedAt, progress: 0, tablesLoading: 2, tablesQueued: 1 }),
    };
    this.onLater(startedAt + MINUTE, () => {
      slot.state = { ...slot.state, status: 'running' };
      this.onNotice('sns', 'DMS-EVENT-0069', 'Replication task has started.', task);
      this.onNotice(
        'eventbridge',
        'DMS-EVENT-0069',
        'Replication task started, with flag = fresh start',
        task,
      );
    });
    const stop = (at: number, change: () => void) =>
      this.onLater(at, () => {
        dmsRun.stopDate = this.now;
        change();
        const failed = slot.state.status === 'failed';
        this.onNotice(
          'sns',
          failed ? 'DMS-EVENT-0078' : 'DMS-EVENT-0079',
          'Replication task has stopped.',
          task,
        );
        this.onNotice(
          'eventbridge',
          failed ? 'DMS-EVENT-0078' : 'DMS-EVENT-0079',
          'Replication task stopped',
          task,
        );
      });
    if (planned === 'stopped-by-user') {
      stop(startedAt + 20 * MINUTE, () => {
        slot.state = {
          ...slot.state,
          status: 'stopped',
          stopReason: 'Stop Reason NORMAL',
          stopDate: this.now,
        };
      });
      return {};
    }
    if (!resume) {
      this.onLater(startedAt + CDC_FULL_LOAD_MINUTES * MINUTE, () => {
        dmsRun.fullLoadFinishedAt = this.now;
        slot.state = {
          ...slot.state,
          fullLoadFinishDate: this.now,
          progress: 100,
          tablesLoading: 0,
          tablesQueued: 0,
        };
      });
    }
    stop(startedAt + CDC_STOP_MINUTES * MINUTE, () => {
      slot.state =
        planned === 'failed'
          ? {
              ...slot.state,
              status: 'failed',
              stopReason: 'Stop Reason FATAL_ERROR',
              lastFailureMessage: 'Last Error Stream Component Fatal error.',
              stopDate: this.now,
            }
          : { ...slot.state, status: 'stopped', stopReason: 'Stop Reason NORMAL', stopDate: this.now };
    });
    return {};
  }

  /** The only legitimate EnableRule: the releasing run that disabled the rule, never over a hand-disable. */
  private checkEnable(invocation: Invocation): void {
    const run = this.currentRun();
    if (run === undefined || run.phase !== 'notified' || run.ruleDecision !== 'enable' || !run.ruleOwned) {
      this.violations.push(
        `EnableRule by ${invocation.fn} while the ledger's run is ${run?.phase ?? 'absent'}`,
      );
    }
    if (this.handDisabledAt !== undefined && this.ruleState === 'DISABLED') {
      this.violations.push('EnableRule on a rule an operator disabled by hand');
    }
    if (run && this.options.ruleAfterFailure === 'keep-disabled' && !succeededRun(run)) {
      this.violations.push(`EnableRule after run ${run.id} failed, with RuleAfterFailure = keep-disabled`);
    }
    for (const task of this.running()) this.violations.push(`EnableRule while ${task.id} is running`);
  }

  private publish(input: Record<string, unknown>): unknown {
    const subject = String(input.Subject ?? '');
    const message = String(input.Message ?? '');
    // SNS's own limits: a publish that breaks one is refused and never arrives.
    if (
      subject.length >= 100 ||
      /[^\x20-\x7E]/.test(subject) ||
      message.length === 0 ||
      Buffer.byteLength(message) > 262_144
    ) {
      throw injected('Invalid parameter: Subject or Message', 'InvalidParameterException', 'client');
    }
    const attributes = input.MessageAttributes as Record<string, { StringValue?: string }> | undefined;
    const id = attributes?.alertId?.StringValue;
    if (id === undefined) this.violations.push(`an alert without an id: ${subject}`);
    // The outbox sends an alert again only when it cannot know the first one went out: the invocation that
    // sent it died, or a fault struck it, before it could record that it did.
    const previous = id === undefined ? undefined : this.lastPublish.get(id);
    if (
      previous !== undefined &&
      !previous.invocation.dead &&
      previous.invocation.faults === previous.faults
    ) {
      this.violations.push(
        `alert ${id} published again, though ${previous.invocation.id} sent it and recorded it`,
      );
    }
    const publisher = CONTEXT.getStore()?.invocation;
    if (id !== undefined && publisher)
      this.lastPublish.set(id, { invocation: publisher, faults: publisher.faults });
    this.published.push({ id, topicArn: String(input.TopicArn), subject, message, at: this.now });
    return { MessageId: `m-${this.published.length}` };
  }

  private putItem(input: Record<string, unknown>): unknown {
    const item = input.Item as Record<string, { S?: string; N?: string }>;
    const key = String(item.pk?.S);
    const current = this.ledger.get(key);
    const condition = String(input.ConditionExpression ?? '');
    const values = (input.ExpressionAttributeValues ?? {}) as Record<string, { N?: string }>;
    const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
    let holds: boolean;
    if (condition === 'attribute_not_exists(pk)') holds = current === undefined;
    else if (condition === '#version = :expected' && names['#version'] === 'version') {
      holds = current !== undefined && current.version?.N === values[':expected']?.N;
    } else throw new Error(`the simulated DynamoDB does not understand the condition ${condition}`);
    if (!holds)
      throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
    this.observe(JSON.parse(String(item.record?.S)) as TaskRecord);
    this.ledger.set(key, structuredClone(item));
    return {};
  }

  /**
   * The run history's one write (shared/runs/dynamodb-history.ts): the run's entry set under its own name,
   * its id added to the day's set, the day's cap held. Any other expression is a change the simulation must
   * learn first.
   */
  private recordHistory(input: Record<string, unknown>): unknown {
    const key = String((input.Key as { pk: { S: string } }).pk.S);
    const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
    const values = (input.ExpressionAttributeValues ?? {}) as Record<
      string,
      { S?: string; N?: string; SS?: string[] }
    >;
    if (
      !key.startsWith('history#') ||
      input.UpdateExpression !== 'SET #entry = :entry, #expiresAt = :expiresAt ADD #runIds :runIds' ||
      input.ConditionExpression !==
        'attribute_not_exists(#runIds) OR contains(#runIds, :runId) OR size(#runIds) < :maxRuns'
    ) {
      throw new Error(`the simulated DynamoDB does not understand this UpdateItem on ${key}`);
    }
    const item = structuredClone(this.ledger.get(key) ?? { pk: { S: key } });
    const ids = item[String(names['#runIds'])]?.SS ?? [];
    const id = String(values[':runId']?.S);
    if (!ids.includes(id) && ids.length >= Number(values[':maxRuns']?.N)) {
      throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
    }
    item[String(names['#entry'])] = { S: String(values[':entry']?.S) };
    item[String(names['#expiresAt'])] = { N: String(values[':expiresAt']?.N) };
    item[String(names['#runIds'])] = { SS: [...new Set([...ids, ...(values[':runIds']?.SS ?? [])])] };
    this.ledger.set(key, item);
    return {};
  }

  /** How many entries the run history holds for each run id, over every day. */
  historyEntries(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const [key, item] of this.ledger) {
      if (!key.startsWith('history#')) continue;
      for (const name of Object.keys(item)) {
        if (name.startsWith('run#')) counts.set(name.slice(4), (counts.get(name.slice(4)) ?? 0) + 1);
      }
    }
    return counts;
  }

  /** Every write of the ledger, checked as it lands. */
  private observe(next: TaskRecord): void {
    const previous = this.currentRun();
    const run = next.run;
    if (run === undefined) return;
    if (previous && previous.id !== run.id && previous.phase !== 'released') {
      this.violations.push(`run ${run.id} took the lock while run ${previous.id} was ${previous.phase}`);
    }
    if (run.trigger === 'adopted' && run.outcome?.kind === 'start-failed') {
      this.violations.push(`run ${run.id}, adopted from a task DMS had run, reports that it never started`);
    }
    if (previous?.id !== run.id && run.trigger === 'schedule' && this.ruleState !== 'ENABLED') {
      this.violations.push(`scheduled run ${run.id} began while the schedule rule was disabled`);
    }
    if (run.phase === 'released' && previous?.phase !== 'released') {
      for (const task of this.running()) {
        this.violations.push(
          `run ${run.id} released the lock while ${task.id} is ${this.taskStatus(task.arn)}`,
        );
      }
      if (run.hooks?.some((hook) => hook.status === 'running' || hook.status === 'pending')) {
        this.violations.push(`run ${run.id} released the lock with hooks not done`);
      }
      // keep-disabled means the schedule stays off after a run that did not succeed, until a person acts.
      if (
        this.options.ruleAfterFailure === 'keep-disabled' &&
        !succeededRun(run) &&
        this.ruleState !== 'DISABLED'
      ) {
        this.violations.push(
          `run ${run.id} did not succeed, and the rule is on after it, with keep-disabled`,
        );
      }
    }
    this.runs.set(run.id, run);
  }
}

/**
 * The world's own judge of success, written out rather than imported from the code under test, so that a change
 * to the code's definition cannot quietly change what the properties demand.
 */
export function succeededRun(run: Run): boolean {
  return run.outcome?.kind === 'succeeded' && (run.hooks ?? []).every((hook) => hook.status === 'succeeded');
}

const CREDENTIALS = { accessKeyId: 'simulated', secretAccessKey: 'simulated' };

/** Which world and invocation an SDK call belongs to; follows the call through every await. */
const CONTEXT = new AsyncLocalStorage<{ world: World; invocation: Invocation }>();

/**
 * Real SDK clients, built once for every simulated world (they are costly to build), whose `send` hands the
 * command to the world of the invocation making the call.
 */
function simulatedClient<T extends object>(client: T, service: Service): T {
  Object.defineProperty(client, 'send', {
    value: (command: Command) => {
      const store = CONTEXT.getStore();
      if (store === undefined) throw new Error('an SDK call outside any simulated invocation');
      return store.world.dispatch(service, command, store.invocation);
    },
  });
  return client;
}

const CLIENTS = {
  dms: simulatedClient(
    new DatabaseMigrationServiceClient({ region: REGION, credentials: CREDENTIALS }),
    'DMS',
  ),
  eventBridge: simulatedClient(
    new EventBridgeClient({ region: REGION, credentials: CREDENTIALS }),
    'EventBridge',
  ),
  sns: simulatedClient(new SNSClient({ region: REGION, credentials: CREDENTIALS }), 'SNS'),
  dynamoDb: simulatedClient(new DynamoDBClient({ region: REGION, credentials: CREDENTIALS }), 'DynamoDB'),
};

function injected(message: string, name: string, fault: 'client' | 'server' | undefined): Error {
  return Object.assign(new Error(message), { name, ...(fault && { $fault: fault }), $metadata: {} });
}

/** The one task a DescribeReplicationTasks asks for (the adapter filters on its ARN). */
function filteredArn(input: Record<string, unknown>): string {
  const filters = input.Filters as { Name?: string; Values?: string[] }[] | undefined;
  const arn = filters?.find((filter) => filter.Name === 'replication-task-arn')?.Values?.[0];
  if (arn === undefined) throw new Error('the simulated DMS is only asked for one task by its ARN');
  return arn;
}

function never(): Promise<never> {
  return new Promise<never>(() => {});
}
