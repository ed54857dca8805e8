// The steps that move a run through its phases. `advanceRun` reads the task's record, does the one step the
// current phase owes, writes the result by compare-and-swap, and goes on until the run is released or must
// wait (for DMS, or for another invocation that holds a step). Any invocation may call it: a notice, a Lambda
// retry, the reconcile tick, the task-starter after a refused start. A step whose write loses a race is not
// repeated: the loop re-reads the record and does whatever the new phase owes.
//
// What makes it safe under faults:
// - each step is written before its effect is attempted (the start request, each hook, each alert), so a
//   crash between two calls leaves a record the next invocation can finish from;
// - hooks are leased to one invocation; an expired lease means the hook was interrupted, and it is re-run
//   only if it says it is rerunnable, otherwise the run becomes hooks-interrupted and alerts;
// - alerts go through an outbox: queued with the phase change that causes them, published until SNS
//   acknowledges them, one per run and kind; a succeeded run's summary (NotifyOnSuccess) goes the same way;
// - the schedule rule is given back last, and only by the run that disabled it;
// - the run's history entry is written before the lock is released, and written the same way again by a
//   repeated release, so a released run is always in the history, once.
import type { Alert, Alerts } from '../alerts/alerts.ts';
import type { BaseConfig } from '../config.ts';
import { classifyOutcome, isTerminal, type Outcome } from '../dms/outcome.ts';
import type { TaskControl, TaskSnapshot } from '../dms/task.ts';
import { describeError, StepFailedError } from '../errors.ts';
import type { HookJournal, HookPlanEntry, HookReport, HookRunner, RunSummary } from '../hooks/contract.ts';
import type { Log } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import type { ScheduleRule } from '../schedule/rule.ts';
import { type AlertKind, runAlert } from './alert-texts.ts';
import { advanceGroup } from './group.ts';
import { type HistoryWrite, historyEntryOf, type RunHistory } from './history.ts';
import { enableScheduleRule, withoutHoldOff } from './hold-off.ts';
import {
  afterMilestoneOutcome,
  awaitsMilestone,
  concludeMilestoneHooks,
  fullLoadMilestone,
  inMilestoneHooks,
  publisherOf,
  reachMilestone,
} from './milestone.ts';
import {
  activeRun,
  fingerprintOf,
  type HookProgress,
  hasBegun,
  isSettled,
  type Phase,
  queueOnce,
  type RuleDecision,
  type Run,
  type RunOutcome,
  type RunOutcomeKind,
  reviveStats,
  serializeStats,
} from './run.ts';
import { explainStop } from './stop-request.ts';
import {
  ChangeRefused,
  primedWith,
  type RunStore,
  StoreContentionError,
  UNCHANGED,
  updateRecord,
} from './store.ts';
import { successNotice } from './success-notice.ts';

export interface RunDeps {
  readonly tasks: TaskControl;
  /** The schedule's on/off switch; absent in one-time mode. */
  readonly rule: ScheduleRule | undefined;
  readonly alerts: Alerts;
  /**
   * Where a succeeded run's summary is published (NotifyOnSuccess: the alerts topic or the success topic);
   * absent when the deployment sends none, and then none is queued. The task-starter has none: it only ever
   * drains the outbox of a start DMS refused, which owes an alert, never a success notice.
   */
  readonly successNotices?: Alerts;
  readonly store: RunStore;
  /** Where each run leaves its summary when it is released (the store keeps only the task's latest run). */
  readonly history: RunHistory;
  /** Absent in the task-starter: hooks run in the post-processor only. */
  readonly hooks?: HookRunner;
  readonly metrics: Metrics;
  readonly log: Log;
  readonly clock: () => Date;
  readonly remainingTimeMs: () => number;
  /** Names this invocation in the leases it takes; unique per invocation. */
  readonly invocationId: string;
}

export type AdvanceResult =
  | { readonly state: 'idle'; readonly reason: string }
  | {
      readonly state: 'waiting' | 'in-progress';
      readonly runId: string;
      readonly phase: Phase;
      readonly reason: string;
    }
  | {
      readonly state: 'released';
      readonly runId: string;
      readonly outcome: RunOutcomeKind | undefined;
      readonly succeeded: boolean;
      readonly ruleDecision: RuleDecision;
    };

/**
 * How long after a start was asked for (or the lock taken) the task-starter may still be at work, and DMS
 * may still not show the start. Far more than the task-starter's 60 s timeout; after it, DMS is the judge.
 */
export const START_GRACE_MS = 5 * 60_000;
/** How far past the invocation's own deadline a hook lease is held, so a lease never outlives a live hook. */
export const LEASE_GRACE_MS = 60_000;
/** A rerunnable hook is resumed at most this often (once per lease) before the run is hooks-interrupted. */
export const MAX_HOOK_ATTEMPTS = 3;
/** How long an invocation may take to publish an alert it claimed (one call, with the SDK's retries). */
export const ALERT_CLAIM_MS = 5 * 60_000;
/** Phases per run plus retries after lost races: a loop that goes further is writing against itself. */
const MAX_STEPS = 64;

type Step = AdvanceResult | 'continue';

/** `task`, when given, is what DMS showed a moment ago: the first step that needs the task reads no more. */
export async function advanceRun(
  deps: RunDeps,
  config: BaseConfig,
  known?: TaskSnapshot,
): Promise<AdvanceResult> {
  let task: TaskSnapshot | undefined = known;
  const readTask = async () => {
    task ??= await deps.tasks.describe(config.task.arn);
    return task;
  };
  for (let steps = 0; steps < MAX_STEPS; steps++) {
    const stored = await deps.store.load(config.task.arn);
    const run = activeRun(stored.record);
    if (run === undefined) return { state: 'idle', reason: 'no run is active' };
    // Milestone (full-load-and-cdc): its hooks take a while and the task runs on meanwhile, so what DMS showed
    // before them is read again after them (a stop during the hooks is then seen at once).
    if (inMilestoneHooks(run)) task = undefined;
    let next: Step;
    try {
      next = await step({ ...deps, store: primedWith(deps.store, stored) }, config, run, readTask);
    } catch (error) {
      // Another invocation moved the run first: do whatever its new phase owes.
      if (error instanceof ChangeRefused) continue;
      throw error;
    }
    if (next !== 'continue') return next;
  }
  throw new StoreContentionError(`The run of ${config.task.identifier} did not settle in ${MAX_STEPS} steps`);
}

function step(
  deps: RunDeps,
  config: BaseConfig,
  run: Run,
  readTask: () => Promise<TaskSnapshot>,
): Promise<Step> {
  switch (run.phase) {
    case 'starting':
      return run.members ? advanceGroup(deps, config, run) : resolveStart(deps, config, run, readTask);
    case 'started':
      return run.members ? advanceGroup(deps, config, run) : awaitOutcome(deps, config, run, readTask);
    case 'finished':
      if (run.outcome?.kind !== 'succeeded') return drainOutbox(deps, config, run);
      // Milestone (full-load-and-cdc): the hooks ran at the milestone, and never run twice.
      return run.milestone ? skipHooksAfterMilestone(deps, config, run) : beginHooks(deps, config, run);
    case 'hooks':
      return runHooks(deps, config, run);
    case 'hooks-done':
    case 'hooks-interrupted':
      return drainOutbox(deps, config, run);
    case 'notified':
      return release(deps, config, run);
    case 'released':
      return Promise.resolve({ state: 'idle', reason: 'no run is active' });
  }
}

// ---- starting and started: DMS is the judge of whether the run began and how it ended ---------------------

async function resolveStart(
  deps: RunDeps,
  config: BaseConfig,
  run: Run,
  readTask: () => Promise<TaskSnapshot>,
): Promise<Step> {
  if (withinStartGrace(deps, run)) {
    return {
      state: 'in-progress',
      runId: run.id,
      phase: run.phase,
      reason: 'the task-starter is starting the task',
    };
  }
  const task = await readTask();
  if (hasBegun(task, run)) {
    await markStarted(deps, config, run.id);
    return 'continue';
  }
  const explanation = run.startRequestedAt
    ? `DMS never showed the start requested at ${run.startRequestedAt}` +
      (run.startError ? ` (its answer was lost: ${run.startError})` : '')
    : 'The task-starter stopped before it asked DMS to start the task';
  await finishRun(deps, config, run.id, 'starting', { kind: 'start-failed', explanation }, task);
  return 'continue';
}

async function awaitOutcome(
  deps: RunDeps,
  config: BaseConfig,
  run: Run,
  readTask: () => Promise<TaskSnapshot>,
): Promise<Step> {
  const task = await readTask();
  if (!hasBegun(task, run)) {
    if (withinStartGrace(deps, run)) {
      return { state: 'waiting', runId: run.id, phase: run.phase, reason: 'DMS does not show the start yet' };
    }
    const explanation = 'DMS accepted the start, but the task never ran';
    await finishRun(deps, config, run.id, 'started', { kind: 'start-failed', explanation }, task);
    return 'continue';
  }
  const outcome = classifyOutcome(task);
  if (!isTerminal(outcome.kind)) {
    // Milestone (full-load-and-cdc): the full load's end, and what it owes while the task replicates on.
    const milestone = await milestoneStep(deps, config, run, task);
    if (milestone !== undefined) return milestone;
    return { state: 'waiting', runId: run.id, phase: run.phase, reason: outcome.explanation };
  }
  // A person's stop through the command line is said as such; the classification itself is DMS's state.
  // After the milestone, a stop by hand is the end of change capture at cut-over (milestone.ts).
  const ended = afterMilestoneOutcome(runOutcome(outcome, task), run);
  await finishRun(deps, config, run.id, 'started', explainStop(ended, run), task);
  return 'continue';
}

function withinStartGrace(deps: RunDeps, run: Run): boolean {
  const since = Date.parse(run.startRequestedAt ?? run.createdAt);
  return deps.clock().getTime() - since < START_GRACE_MS;
}

function runOutcome(outcome: Outcome, task: TaskSnapshot): RunOutcome {
  return {
    kind: outcome.kind as RunOutcomeKind,
    explanation: outcome.explanation,
    ...(task.stopReason && { stopReason: task.stopReason }),
    ...(outcome.kind !== 'succeeded' &&
      task.lastFailureMessage && { lastFailureMessage: task.lastFailureMessage }),
  };
}

export async function markStarted(deps: RunDeps, config: BaseConfig, runId: string): Promise<void> {
  await changeRun(deps, config, runId, (run) => {
    if (run.phase !== 'starting') return UNCHANGED;
    return { ...run, phase: 'started' };
  });
}

/**
 * Records how the run ended, with the alert it owes and what it will do with the rule, in one write: the
 * alert can then never be forgotten, whatever happens after. Also moves `seen`, so this end of the task is
 * never taken for a new run.
 */
export async function finishRun(
  deps: RunDeps,
  config: BaseConfig,
  runId: string,
  from: Phase,
  outcome: RunOutcome,
  task: TaskSnapshot,
): Promise<void> {
  // A start that never happened has no statistics of its own: the task's are still the last run's.
  const stats = outcome.kind === 'start-failed' ? undefined : serializeStats(task.stats);
  await recordFinish(deps, config, runId, from, outcome, { stats, fingerprint: fingerprintOf(task) });
}

/**
 * `finishRun` for any run: a group's has no one task's statistics, and its members' own fingerprints (it
 * adopts no run) are kept in the members.
 */
export async function recordFinish(
  deps: RunDeps,
  config: BaseConfig,
  runId: string,
  from: Phase,
  outcome: RunOutcome,
  seen: { readonly stats?: Run['stats']; readonly fingerprint?: number },
): Promise<void> {
  const now = deps.clock().toISOString();
  const stats = seen.stats;
  await updateRecord(deps.store, config.task.arn, (record) => {
    const run = record?.run;
    if (record === undefined || run?.id !== runId || run.phase !== from) {
      throw new ChangeRefused(`run ${runId} is no longer ${from}`);
    }
    let finished: Run = {
      ...run,
      phase: 'finished',
      outcome,
      finishedAt: now,
      updatedAt: now,
      ...(stats && { stats }),
    };
    if (outcome.kind !== 'succeeded') {
      const kind: AlertKind = outcome.kind === 'start-failed' ? 'start-failed' : 'run-failed';
      finished = owe(config, finished, kind, failureDecision(config, finished));
    }
    return { ...record, run: finished, seen: Math.max(record.seen, seen.fingerprint ?? 0) };
  });
}

// ---- hooks: at most once each, leased to one invocation -------------------------------------------------

async function beginHooks(deps: RunDeps, config: BaseConfig, run: Run): Promise<Step> {
  if (deps.hooks === undefined) {
    return {
      state: 'in-progress',
      runId: run.id,
      phase: run.phase,
      reason: 'hooks run in the post-processor',
    };
  }
  const plan = deps.hooks.plan();
  const now = deps.clock();
  await changeRun(deps, config, run.id, (current) => {
    if (current.phase !== 'finished') return UNCHANGED;
    if (plan.length === 0) return succeed(deps, config, { ...current, hooks: [] }, now);
    const hooks = plan.map((entry) => ({
      name: entry.name,
      status: 'pending' as const,
      rerunnable: entry.rerunnable,
      ...(entry.always && { always: true }),
      attempts: 0,
    }));
    return { ...current, phase: 'hooks', hooks };
  });
  return 'continue';
}

async function runHooks(deps: RunDeps, config: BaseConfig, run: Run): Promise<Step> {
  const runner = deps.hooks;
  if (runner === undefined) {
    return {
      state: 'in-progress',
      runId: run.id,
      phase: run.phase,
      reason: 'hooks run in the post-processor',
    };
  }
  const progress = run.hooks ?? [];
  const index = progress.findIndex((hook) => hook.status === 'pending' || hook.status === 'running');
  if (index === -1) return concludeHooks(deps, config, run);
  const current = progress[index] as HookProgress;
  const now = deps.clock().getTime();
  if (current.status === 'running' && (current.leaseUntil ?? 0) > now) {
    // Checked first: whatever else has changed, a hook another invocation is running is left to it.
    return {
      state: 'in-progress',
      runId: run.id,
      phase: run.phase,
      reason: `hook ${current.name} is running in another invocation`,
    };
  }
  const plan = runner.plan();
  if (plan.length !== progress.length || plan.some((entry, i) => entry.name !== progress[i]?.name)) {
    // A deployment changed the hooks configuration between two invocations of this run: which hook is which is
    // no longer known, so nothing more runs and a person is told.
    await interruptHook(
      deps,
      config,
      run.id,
      index,
      'the hooks configuration changed while this run was in its hooks',
    );
    return 'continue';
  }
  if (current.status === 'running') {
    if (!resumable(current)) {
      await interruptHook(deps, config, run.id, index, 'interrupted: its invocation ended while it ran');
      return 'continue';
    }
    deps.log.warn('resuming an interrupted hook that may run again', {
      hook: current.name,
      attempts: current.attempts,
    });
  }
  // An earlier hook failed and stops the rest, or was interrupted: only `always` hooks still run (the runner
  // skips the others), so a cleanup never runs on data an earlier step failed to mask, unless it must.
  const earlier = progress.slice(0, index);
  const earlierStopped = earlier.some(
    (hook, i) =>
      hook.status === 'interrupted' || (hook.status === 'failed' && plan[i]?.onFailure !== 'continue'),
  );
  const earlierFailed = earlier.some((hook) => hook.status === 'failed' || hook.status === 'interrupted');
  await runner.run(summaryOf(config, run), deps.log, deps.remainingTimeMs, {
    startAt: index,
    earlierFailed,
    earlierStopped,
    journal: journalOf(deps, config, run.id),
  });
  return 'continue';
}

function resumable(hook: HookProgress): boolean {
  return hook.rerunnable && hook.attempts < MAX_HOOK_ATTEMPTS;
}

function journalOf(deps: RunDeps, config: BaseConfig, runId: string): HookJournal {
  const me = deps.invocationId;
  return {
    beforeHook: async (index: number, entry: HookPlanEntry) => {
      const now = deps.clock().getTime();
      const leaseUntil = now + Math.max(0, deps.remainingTimeMs()) + LEASE_GRACE_MS;
      await changeHook(deps, config, runId, index, (hook) => {
        if (hook.status === 'running' && hook.owner === me) return UNCHANGED;
        const takeOver = hook.status === 'running' && (hook.leaseUntil ?? 0) <= now && resumable(hook);
        if (hook.status !== 'pending' && !takeOver) {
          throw new ChangeRefused(`hook ${entry.name} is ${hook.status}`);
        }
        return { ...hook, status: 'running', owner: me, leaseUntil, attempts: hook.attempts + 1 };
      });
    },
    afterHook: async (index: number, report: HookReport) => {
      await changeHook(deps, config, runId, index, (hook) => {
        if (report.status === 'skipped') {
          if (hook.status === 'skipped') return UNCHANGED;
          if (hook.status !== 'pending') throw new ChangeRefused(`hook ${hook.name} is ${hook.status}`);
          return { ...hook, status: 'skipped' };
        }
        if (hook.owner !== me) throw new ChangeRefused(`hook ${hook.name} lost its lease while it ran`);
        if (hook.status !== 'running') return UNCHANGED;
        const { owner: _owner, leaseUntil: _lease, ...rest } = hook;
        return {
          ...rest,
          status: report.status,
          durationMs: report.durationMs,
          ...(report.changed && { changed: report.changed }),
          ...(report.rowsMasked !== undefined && { rowsMasked: report.rowsMasked }),
          ...(report.error && { error: report.error }),
        };
      });
      if (report.status !== 'skipped') {
        deps.metrics.add('HookDuration', report.durationMs, 'milliseconds');
        if (report.rowsMasked !== undefined) deps.metrics.add('RowsMasked', report.rowsMasked);
      }
    },
  };
}

async function interruptHook(
  deps: RunDeps,
  config: BaseConfig,
  runId: string,
  index: number,
  error: string,
): Promise<void> {
  await changeRun(deps, config, runId, (run) => {
    if (run.phase !== 'hooks') return UNCHANGED;
    const hooks = (run.hooks ?? []).map((hook, i): HookProgress => {
      if (i === index) {
        const { owner: _owner, leaseUntil: _lease, ...rest } = hook;
        return { ...rest, status: 'interrupted', error };
      }
      return i > index && hook.status === 'pending' && !hook.always ? { ...hook, status: 'skipped' } : hook;
    });
    return { ...run, hooks };
  });
}

async function concludeHooks(deps: RunDeps, config: BaseConfig, run: Run): Promise<Step> {
  const now = deps.clock();
  await changeRun(deps, config, run.id, (current) => {
    if (current.phase !== 'hooks') return UNCHANGED;
    // Milestone (full-load-and-cdc): its hooks end back in `started`, owing the cut-over notice or an alert.
    if (inMilestoneHooks(current)) return concludeMilestoneHooks(config, current, now);
    const hooks = current.hooks ?? [];
    const interrupted = hooks.some((hook) => hook.status === 'interrupted');
    const failed = hooks.some((hook) => hook.status === 'failed');
    if (!interrupted && !failed) return succeed(deps, config, current, now);
    const next: Run = { ...current, phase: interrupted ? 'hooks-interrupted' : 'hooks-done' };
    return owe(
      config,
      next,
      interrupted ? 'hooks-interrupted' : 'hook-failed',
      failureDecision(config, next),
    );
  });
  return 'continue';
}

function summaryOf(config: BaseConfig, run: Run): RunSummary {
  return {
    runKey: run.id,
    taskArn: config.task.arn,
    taskIdentifier: config.task.identifier,
    mode: config.mode,
    outcome: {
      kind: 'succeeded',
      explanation:
        run.outcome?.explanation ??
        (run.milestone
          ? 'The full load finished; the task goes on replicating changes'
          : 'The run succeeded'),
    },
    stats: reviveStats(run.stats ?? run.milestone?.stats),
  };
}

// ---- the outbox: alerts recorded before they are sent, sent until acknowledged --------------------------

/** Queues the alert (once per id) and records the rule decision the alert announces. */
function owe(config: BaseConfig, run: Run, kind: AlertKind, decision: RuleDecision): Run {
  const withDecision: Run = { ...run, ruleDecision: decision };
  return queueOnce(withDecision, runAlert(config, withDecision, kind, decision), 'alert');
}

/**
 * The run and its hooks succeeded: it is done with its hooks, gives the rule back, and owes its summary when
 * the deployment sends one, queued in this same write so that it is published at least once.
 */
function succeed(deps: RunDeps, config: BaseConfig, run: Run, finishedAt: Date): Run {
  const decision = successDecision(config, run);
  const done: Run = { ...run, phase: 'hooks-done', ruleDecision: decision };
  if (deps.successNotices === undefined || !runSucceeded(done)) return done;
  return queueOnce(done, successNotice(config, done, decision, finishedAt), 'success');
}

async function drainOutbox(deps: RunDeps, config: BaseConfig, run: Run): Promise<Step> {
  const busy = await publishOutbox(deps, config, run);
  if (busy !== undefined) return busy;
  const from = run.phase;
  await changeRun(deps, config, run.id, (current) => {
    if (current.phase !== from) return UNCHANGED;
    if (current.outbox.some((entry) => !isSettled(entry))) {
      throw new ChangeRefused('a new alert was queued');
    }
    return { ...current, phase: 'notified' };
  });
  return 'continue';
}

/**
 * Publishes every entry still owed, each claimed first, until SNS acknowledges it; the phase is left as it
 * is. Returns the step to report when another invocation is sending one, and throws when one failed.
 */
export async function publishOutbox(
  deps: RunDeps,
  config: BaseConfig,
  run: Run,
): Promise<AdvanceResult | undefined> {
  const problems: string[] = [];
  for (const entry of run.outbox) {
    if (isSettled(entry)) continue;
    const publisher = publisherOf(entry, deps);
    if (publisher === undefined) {
      await dropNotice(deps, config, run.id, entry.id);
      continue;
    }
    const now = deps.clock().getTime();
    if (entry.claimedBy !== deps.invocationId && (entry.claimUntil ?? 0) > now) {
      return {
        state: 'in-progress',
        runId: run.id,
        phase: run.phase,
        reason: `alert ${entry.id} is being sent`,
      };
    }
    // Claimed before it is published: of two invocations draining at once, only one sends it. A claim whose
    // invocation died runs out, and the alert is sent again: twice, rather than never.
    await changeRun(deps, config, run.id, (current) => {
      const queued = current.outbox.find((candidate) => candidate.id === entry.id);
      if (queued === undefined || isSettled(queued)) throw new ChangeRefused(`alert ${entry.id} was sent`);
      if (queued.claimedBy === deps.invocationId) return UNCHANGED;
      if (queued.claimedBy !== undefined && (queued.claimUntil ?? 0) > now) {
        throw new ChangeRefused(`alert ${entry.id} is being sent by another invocation`);
      }
      const claimed = { ...queued, claimedBy: deps.invocationId, claimUntil: now + ALERT_CLAIM_MS };
      return { ...current, outbox: current.outbox.map((q) => (q.id === entry.id ? claimed : q)) };
    });
    const alert: Alert = { id: entry.id, subject: entry.subject, message: entry.message ?? entry.subject };
    try {
      await publisher.publish(alert);
    } catch (error) {
      problems.push(`alert ${entry.id} could not be published: ${describeError(error)}`);
      await noteAttempt(deps, config, run.id, entry.id, describeError(error));
      continue;
    }
    const sentAt = deps.clock().toISOString();
    await changeRun(deps, config, run.id, (current) => {
      const outbox = current.outbox.map((queued) => {
        if (queued.id !== entry.id || isSettled(queued)) return queued;
        const { message: _sent, claimedBy: _by, claimUntil: _until, ...rest } = queued;
        return { ...rest, sentAt, attempts: queued.attempts + 1 };
      });
      return outbox.every((queued, i) => queued === current.outbox[i]) ? UNCHANGED : { ...current, outbox };
    });
  }
  if (problems.length > 0) {
    // Still owed, and recorded: the retry Lambda makes of this invocation, or the next tick, sends it.
    throw new StepFailedError(`Run ${run.id}: ${problems.join('; ')}`);
  }
  return undefined;
}

/**
 * A success notice is owed, but this deployment sends none (NotifyOnSuccess was set to off after it was
 * queued): it is given up and recorded so, since holding the run's lock for a notice nobody wants would
 * keep the schedule off.
 */
async function dropNotice(deps: RunDeps, config: BaseConfig, runId: string, id: string): Promise<void> {
  const droppedAt = deps.clock().toISOString();
  await changeRun(deps, config, runId, (run) => {
    const queued = run.outbox.find((entry) => entry.id === id);
    if (queued === undefined || isSettled(queued)) return UNCHANGED;
    const { message: _unsent, claimedBy: _by, claimUntil: _until, ...rest } = queued;
    return { ...run, outbox: run.outbox.map((entry) => (entry.id === id ? { ...rest, droppedAt } : entry)) };
  });
  deps.log.warn('a success notice was not sent: this deployment sends none', { runId, id });
}

/** Best effort: the count is for people; the alert stays owed whether or not it is written. */
async function noteAttempt(deps: RunDeps, config: BaseConfig, runId: string, id: string, error: string) {
  try {
    await changeRun(deps, config, runId, (run) => ({
      ...run,
      outbox: run.outbox.map((entry) =>
        entry.id === id
          ? (({ claimedBy: _by, claimUntil: _until, ...rest }) => ({
              ...rest,
              attempts: entry.attempts + 1,
              lastError: error.slice(0, 500),
            }))(entry)
          : entry,
      ),
    }));
  } catch (writeError) {
    deps.log.warn('could not record a failed alert attempt', { error: describeError(writeError) });
  }
}

// ---- release: the rule back (if this run took it), then the lock, as the very last step ------------------

async function release(deps: RunDeps, config: BaseConfig, run: Run): Promise<Step> {
  const decision = run.ruleDecision ?? 'none';
  const holdsOff = await applyRuleDecision(deps, run, decision);
  const now = deps.clock();
  await recordHistory(deps, config, run, now);
  const released = await updateRecord(deps.store, config.task.arn, (current) => {
    const currentRun = current?.run;
    if (current === undefined || currentRun?.id !== run.id || currentRun.phase !== 'notified') {
      throw new ChangeRefused(`run ${run.id} is no longer waiting for its release`);
    }
    const next = holdsOff
      ? { ...current, holdOff: { runId: run.id, since: now.toISOString() } }
      : run.ruleOwned && decision === 'enable'
        ? withoutHoldOff(current)
        : current;
    return {
      ...next,
      run: { ...currentRun, phase: 'released', releasedAt: now.toISOString(), updatedAt: now.toISOString() },
    };
  });
  const succeeded = runSucceeded(run);
  deps.metrics.add(succeeded ? 'RunsSucceeded' : 'RunsFailed', 1);
  deps.metrics.add('RunDuration', now.getTime() - Date.parse(run.createdAt), 'milliseconds');
  deps.log.info('run released', { runId: run.id, outcome: run.outcome?.kind, ruleDecision: decision });
  return {
    state: 'released',
    runId: run.id,
    outcome: released?.run?.outcome?.kind,
    succeeded,
    ruleDecision: decision,
  };
}

/**
 * The run's entry in the history, before the lock goes: once released, a run is never written again, so this
 * is the last chance. Writing it twice (a release retried after a lost answer, or after a crash before the
 * lock was released) replaces the same entry. A failed write keeps the lock, as a rule that could not be
 * given back does, and the next invocation or tick repeats the release.
 */
async function recordHistory(deps: RunDeps, config: BaseConfig, run: Run, releasedAt: Date): Promise<void> {
  let written: HistoryWrite;
  try {
    written = await deps.history.record(config.task.arn, historyEntryOf(run, releasedAt));
  } catch (error) {
    throw new StepFailedError(
      `Run ${run.id}: its history entry could not be written yet (${describeError(error)}); ` +
        'the run keeps the lock until it is',
      { cause: error },
    );
  }
  if (written === 'day-full') {
    // Holding the lock for a write that can never succeed would stop the schedule: the run goes uncounted.
    deps.log.warn('run not kept in the history: its day holds the most runs a day can', { runId: run.id });
    deps.metrics.add('RunsNotInHistory', 1);
  }
}

/**
 * Gives the rule back as decided; true when the rule is now held off by this run's failure policy. Enabling
 * is for the run that switched the rule off, only. Keeping it off holds for any run under keep-disabled, but
 * a rule someone else switched off stays theirs: it is never recorded as this run's hold-off, so no later
 * run takes it for one and enables it.
 */
async function applyRuleDecision(deps: RunDeps, run: Run, decision: RuleDecision): Promise<boolean> {
  const rule = deps.rule;
  if (rule === undefined || decision === 'none') return false;
  try {
    if (decision === 'enable') {
      if (run.ruleOwned) await enableScheduleRule(rule);
      return false;
    }
    if (run.ruleOwned || (await rule.state()) === 'ENABLED') {
      await rule.disable();
      return true;
    }
    return false;
  } catch (error) {
    throw new StepFailedError(
      `Run ${run.id}: the schedule rule ${rule.name} could not be ${decision === 'enable' ? 'enabled' : 'kept disabled'} ` +
        `yet (${describeError(error)}); the run keeps the lock until it is`,
      { cause: error },
    );
  }
}

export function runSucceeded(run: Run): boolean {
  return run.outcome?.kind === 'succeeded' && (run.hooks ?? []).every((hook) => hook.status === 'succeeded');
}

// ---- rule decisions --------------------------------------------------------------------------------------

/** Only a run that disabled the rule gives it back; one-time mode has no rule. */
export function successDecision(config: BaseConfig, run: Run): RuleDecision {
  return config.scheduleRule !== undefined && run.ruleOwned ? 'enable' : 'none';
}

export function failureDecision(config: BaseConfig, run: Run): RuleDecision {
  if (config.scheduleRule === undefined) return 'none';
  if (config.ruleAfterFailure === 'keep-disabled') return 'keep-disabled';
  return run.ruleOwned ? 'enable' : 'none';
}

// ---- writing ---------------------------------------------------------------------------------------------

/** Changes the run `runId` if it is still the task's current run; refuses otherwise. */
export async function changeRun(
  deps: Pick<RunDeps, 'store' | 'clock'>,
  config: BaseConfig,
  runId: string,
  change: (run: Run) => Run | typeof UNCHANGED,
): Promise<void> {
  await updateRecord(deps.store, config.task.arn, (record) => {
    const run = record?.run;
    if (record === undefined || run?.id !== runId)
      throw new ChangeRefused(`run ${runId} is no longer current`);
    const next = change(run);
    if (next === UNCHANGED) return UNCHANGED;
    return { ...record, run: { ...next, updatedAt: deps.clock().toISOString() } };
  });
}

async function changeHook(
  deps: RunDeps,
  config: BaseConfig,
  runId: string,
  index: number,
  change: (hook: HookProgress) => HookProgress | typeof UNCHANGED,
): Promise<void> {
  await changeRun(deps, config, runId, (run) => {
    const hook = run.hooks?.[index];
    if (run.phase !== 'hooks' || hook === undefined)
      throw new ChangeRefused(`run ${runId} is not in its hooks`);
    const next = change(hook);
    if (next === UNCHANGED) return UNCHANGED;
    return { ...run, hooks: (run.hooks ?? []).map((h, i) => (i === index ? next : h)) };
  });
}

// ---- milestone (full-load-and-cdc): the glue between milestone.ts and the steps above ---------------------

/**
 * While the task runs: at the milestone, the one write that records it and moves the run into its hooks;
 * after it, the outbox (the cut-over notice, or the hooks' alert) sent without changing the phase. Undefined
 * when there is nothing to do but wait.
 */
async function milestoneStep(
  deps: RunDeps,
  config: BaseConfig,
  run: Run,
  task: TaskSnapshot,
): Promise<Step | undefined> {
  // Hooks run in the post-processor only: the task-starter leaves the milestone to it.
  if (awaitsMilestone(config, run) && deps.hooks !== undefined) {
    const check = fullLoadMilestone(task, run);
    if (check.reached) {
      const plan = deps.hooks.plan();
      const now = deps.clock();
      await changeRun(deps, config, run.id, (current) =>
        current.phase !== 'started' || current.milestone
          ? UNCHANGED
          : reachMilestone(current, task, now, plan),
      );
      deps.log.info('full load finished: the milestone hooks begin', { runId: run.id, reason: check.reason });
      return 'continue';
    }
  }
  if (run.phase === 'started' && run.outbox.some((entry) => !isSettled(entry))) {
    return await publishOutbox(deps, config, run);
  }
  return undefined;
}

/** The task ended after the milestone: straight to hooks-done, keeping the milestone's hook results. */
async function skipHooksAfterMilestone(deps: RunDeps, config: BaseConfig, run: Run): Promise<Step> {
  const now = deps.clock();
  await changeRun(deps, config, run.id, (current) =>
    current.phase !== 'finished' ? UNCHANGED : succeed(deps, config, current, now),
  );
  return 'continue';
}
