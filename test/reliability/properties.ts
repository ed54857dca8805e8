// The properties every simulated history must keep, checked after the ticks that follow it. Some are checked
// by the world at the moment they could break (the lock, EnableRule, start types); these are the ones only
// the whole history can answer:
//   (a) the rule is enabled, or a person was told (alert or alarm) why it is not;
//   (b) a succeeded run's hooks ran exactly once (a rerunnable hook: at least once, resumed at most per
//       lease), or the run reports them failed or interrupted, with an alert;
//   (c) every run that did not succeed produced exactly one alert (one alert id; the world checks that a
//       second delivery of it only ever follows a fault between the first and the write recording it), and
//       a run that succeeded produced none;
//   (d) every DMS run that ended was settled by one run of the scheduler (never two), with the outcome DMS
//       gave it, and each firing of the schedule started at most one run;
//   (e) with no fault and no hand-disabled rule, no alarm fires: the alarms are not noise;
//   (f) every released run is in the run history exactly once; a run not released yet is in it only once it
//       is waiting for its release (the entry is written first), and then once.
//   (h) a run group succeeded only if every member did; a member is left unstarted only after another
//       did not succeed; (the world checks at the moment that no member starts unrecorded or over the
//       limit, and that no hook begins while a member runs);
//   (i) a full-load-and-cdc run has its milestone exactly when DMS finished its full load while the run held
//       the lock;
//   (g) with NotifyOnSuccess on, every run that succeeded sent exactly one summary (one id, on the topic the
//       setting names; a second delivery of it, like an alert's, only ever follows a fault), and a run that
//       did not succeed sent none; with it off, no summary is ever sent.
// A lasting outage may end in an alarm (the dead-letter queue, StuckRuns, ScheduleOffWithoutRun) instead of
// an alert; nothing may end in silence.
import type { Run } from '#shared/runs/run';
import { BASE_ENV } from '../support/ports.ts';
import { HOOKS, type Outcome, type Scenario, SUCCESS_TOPIC_ARN } from './harness.ts';
import { succeededRun } from './world.ts';

const BASE_ALERTS_TOPIC = BASE_ENV.ALERTS_TOPIC_ARN;

export function violationsOf(scenario: Scenario, { world, metrics }: Outcome): string[] {
  const violations = [...world.violations];
  const alarmed =
    world.deadLetters.length > 0 ||
    metrics.total('StuckRuns') > 0 ||
    metrics.total('ScheduleOffWithoutRun') > 0;
  const isSummary = (id: string | undefined) =>
    id?.endsWith(':succeeded') === true || id?.endsWith(':cutover') === true;
  const alertsOf = (run: Run) =>
    world.published.filter((alert) => alert.id?.startsWith(`${run.id}:`) && !isSummary(alert.id));
  const summariesOf = (run: Run) => world.published.filter((alert) => alert.id === `${run.id}:succeeded`);

  // (a)
  if (world.ruleState === 'DISABLED' && world.handDisabledAt === undefined && !alarmed) {
    const last = [...world.runs.values()].at(-1);
    const keptByPolicy =
      last !== undefined &&
      last.phase === 'released' &&
      last.ruleDecision === 'keep-disabled' &&
      alertsOf(last).length > 0;
    if (!keptByPolicy) violations.push('(a) the schedule rule is disabled and nobody was told why');
  }

  for (const run of world.runs.values()) {
    const alerts = alertsOf(run);
    const ids = new Set(alerts.map((alert) => alert.id));
    if (run.phase !== 'released') {
      if (!alarmed) violations.push(`(a) run ${run.id} is still ${run.phase} and no alarm fired`);
      continue;
    }
    // A full-load-and-cdc run past its milestone owes one alert for hooks that did not all succeed there, and
    // one for an end that did not succeed: each is a separate thing a person must hear.
    const milestoneHooksFailed =
      run.milestone !== undefined && (run.hooks ?? []).some((hook) => hook.status !== 'succeeded');
    const owed =
      run.milestone === undefined
        ? succeededRun(run)
          ? 0
          : 1
        : (milestoneHooksFailed ? 1 : 0) + (run.outcome?.kind === 'succeeded' ? 0 : 1);
    if (owed > 0 && ids.size !== owed && !(ids.size < owed && alarmed)) {
      violations.push(`(c) run ${run.id} (${run.outcome?.kind}) produced ${ids.size} alerts, not ${owed}`);
    }
    if (owed === 0 && ids.size > 0) violations.push(`(c) run ${run.id} succeeded but alerted`);
    // (h) The cut-over notice: at least once for a milestone whose hooks all succeeded, never otherwise, on
    // the success notices' topic, or the alerts topic when there is none. "At most once per successful
    // publish" is the world's own check on every alert id (a repeat only after a fault or a death).
    const cutovers = world.published.filter((alert) => alert.id === `${run.id}:cutover`);
    const owesCutover = run.milestone !== undefined && !milestoneHooksFailed;
    if (owesCutover && cutovers.length === 0 && !alarmed) {
      violations.push(`(h) run ${run.id} reached its milestone and sent no cut-over notice`);
    }
    if (!owesCutover && cutovers.length > 0) {
      violations.push(`(h) run ${run.id} sent a cut-over notice without a successful milestone`);
    }
    const cutoverTopic =
      (scenario.notifyOnSuccess ?? 'off') === 'off'
        ? BASE_ALERTS_TOPIC
        : scenario.notifyOnSuccess === 'success-topic'
          ? SUCCESS_TOPIC_ARN
          : BASE_ALERTS_TOPIC;
    for (const notice of cutovers) {
      if (notice.topicArn !== cutoverTopic) {
        violations.push(
          `(h) run ${run.id}'s cut-over notice went to ${notice.topicArn}, not ${cutoverTopic}`,
        );
      }
    }
    // (g)
    const summaries = summariesOf(run);
    const notifying = (scenario.notifyOnSuccess ?? 'off') !== 'off';
    if (!succeededRun(run) && summaries.length > 0) {
      violations.push(`(g) run ${run.id} (${run.outcome?.kind}) sent a success notice`);
    }
    if (succeededRun(run) && notifying && summaries.length === 0 && !alarmed) {
      violations.push(`(g) run ${run.id} succeeded, and no success notice was sent`);
    }
    const topic = scenario.notifyOnSuccess === 'success-topic' ? SUCCESS_TOPIC_ARN : BASE_ALERTS_TOPIC;
    for (const summary of summaries) {
      if (!notifying) violations.push(`(g) run ${run.id} sent a success notice with NotifyOnSuccess off`);
      else if (summary.topicArn !== topic) {
        violations.push(`(g) run ${run.id}'s success notice went to ${summary.topicArn}, not ${topic}`);
      }
    }
    // (b)
    for (const hook of HOOKS) {
      const key = `${run.id}/${hook.name}`;
      const starts = world.hookStarts.get(key) ?? 0;
      const ends = world.hookEnds.get(key) ?? 0;
      // A full-load-and-cdc run's hooks run at its milestone, whatever its end.
      if (run.outcome?.kind !== 'succeeded' && run.milestone === undefined && starts > 0) {
        violations.push(`(b) hook ${hook.name} ran for run ${run.id}, which did not succeed`);
      }
      if (!hook.rerunnable && starts > 1)
        violations.push(`(b) hook ${hook.name} ran ${starts} times for run ${run.id}`);
      if (succeededRun(run) && ends < 1) {
        violations.push(`(b) run ${run.id} reports hook ${hook.name} succeeded, but it never finished`);
      }
    }
  }

  // (d): a group's member settles its own task's DMS run, with the member's outcome.
  const settlersOf = (taskArn: string, stopped: string) =>
    [...world.runs.values()].flatMap((run) =>
      run.members
        ? run.members
            .filter((member) => member.arn === taskArn && member.stats?.stopDate === stopped)
            .map((member) => ({ id: run.id, outcome: member.outcome, milestone: run.milestone, group: true }))
        : run.stats?.stopDate === stopped
          ? [{ id: run.id, outcome: run.outcome, milestone: run.milestone, group: false }]
          : [],
    );
  // A task of a full-load-and-cdc group stopped at cut-over ended well only if the group reached its
  // milestone: every task's full load finished. Otherwise the stop came before the group's load was done.
  const cdc = scenario.migration === 'full-load-and-cdc';
  const succeededInDms = (
    dmsRun: (typeof world.dmsRuns)[number],
    settledBy: { group: boolean; milestone: unknown },
  ) => dmsRun.ending === 'succeeded' && (!(cdc && settledBy.group) || settledBy.milestone !== undefined);
  for (const dmsRun of world.dmsRuns) {
    if (dmsRun.stopDate === undefined) continue;
    const stopped = new Date(dmsRun.stopDate).toISOString();
    const settlers = settlersOf(dmsRun.taskArn, stopped);
    if (settlers.length > 1) {
      violations.push(`(b) the DMS run that ended at ${stopped} was settled ${settlers.length} times`);
    }
    const settledBy = settlers[0];
    // (i) Every full load of a full-load-and-cdc run that finished while the run held the lock is its milestone.
    // (A group's milestone is every member's: checked per group run below.)
    if (
      settledBy !== undefined &&
      !settledBy.group &&
      (dmsRun.fullLoadFinishedAt !== undefined) !== (settledBy.milestone !== undefined)
    ) {
      if (!(alarmed && settledBy.milestone === undefined)) {
        violations.push(
          `(i) the DMS run that ended at ${stopped} ${dmsRun.fullLoadFinishedAt ? 'finished' : 'never finished'} its full load; run ${settledBy.id} ${settledBy.milestone ? 'has' : 'has no'} milestone`,
        );
      }
    }
    if (settledBy === undefined) {
      if (!alarmed) violations.push(`(d) the DMS run that ended at ${stopped} was never settled`);
    } else if ((settledBy.outcome?.kind === 'succeeded') !== succeededInDms(dmsRun, settledBy)) {
      violations.push(
        `(d) DMS ended a run ${dmsRun.ending}; run ${settledBy.id} recorded ${settledBy.outcome?.kind}`,
      );
    }
  }
  const startFailed = [...world.runs.values()].reduce(
    (count, run) =>
      count +
      (run.members
        ? run.members.filter((member) => member.outcome?.kind === 'start-failed').length
        : run.outcome?.kind === 'start-failed'
          ? 1
          : 0),
    0,
  );
  if (startFailed < world.refusedStarts && !alarmed) {
    violations.push(`(d) DMS refused ${world.refusedStarts} start(s), but ${startFailed} run(s) report it`);
  }

  const firings = new Map<string, number>();
  for (const run of world.runs.values()) {
    if (run.scheduledFor !== undefined)
      firings.set(run.scheduledFor, (firings.get(run.scheduledFor) ?? 0) + 1);
  }
  for (const [firing, count] of firings) {
    if (count > 1) violations.push(`(d) the schedule's firing of ${firing} started ${count} runs`);
  }

  // (h)
  for (const run of world.runs.values()) {
    const members = run.members;
    if (members === undefined || run.outcome === undefined) continue;
    // (i) for a group: its milestone exactly when every member's DMS run finished its full load.
    const memberRuns = members.map((member) =>
      world.dmsRuns.find(
        (dmsRun) =>
          dmsRun.taskArn === member.arn &&
          dmsRun.stopDate !== undefined &&
          new Date(dmsRun.stopDate).toISOString() === member.stats?.stopDate,
      ),
    );
    if (memberRuns.every((dmsRun) => dmsRun !== undefined)) {
      const everyLoad = memberRuns.every((dmsRun) => dmsRun?.fullLoadFinishedAt !== undefined);
      if (everyLoad !== (run.milestone !== undefined) && !(alarmed && run.milestone === undefined)) {
        violations.push(
          `(i) group run ${run.id} ${run.milestone ? 'has' : 'has no'} milestone, but ${everyLoad ? 'every' : 'not every'} task finished its full load`,
        );
      }
    }
    const everyOne = members.every((member) => member.outcome?.kind === 'succeeded');
    if ((run.outcome.kind === 'succeeded') !== everyOne) {
      violations.push(`(h) group run ${run.id} is ${run.outcome.kind}, but its members say otherwise`);
    }
    const failed = members.some(
      (member) => member.outcome !== undefined && member.outcome.kind !== 'succeeded',
    );
    if (members.some((member) => member.state === 'not-started') && !failed) {
      violations.push(`(h) group run ${run.id} left a member unstarted with no member failing`);
    }
  }

  // (f)
  const inHistory = world.historyEntries();
  for (const run of world.runs.values()) {
    const entries = inHistory.get(run.id) ?? 0;
    if (run.phase === 'released' && entries !== 1) {
      violations.push(`(f) run ${run.id} was released with ${entries} history entries`);
    }
    // The entry is written just before the release: a release that keeps failing leaves it there, once.
    if (run.phase !== 'released' && (entries > 1 || (entries === 1 && run.phase !== 'notified'))) {
      violations.push(`(f) run ${run.id} has ${entries} history entries, but is still ${run.phase}`);
    }
  }
  for (const id of inHistory.keys()) {
    if (!world.runs.has(id)) violations.push(`(f) the history holds ${id}, a run the ledger never had`);
  }

  // (e)
  // A hook past the Lambda deadline is a fault too (the invocation is killed); one that fits is not.
  const quiet =
    (scenario.faults ?? []).length === 0 &&
    scenario.crashInHook === undefined &&
    (scenario.slowHook === undefined || scenario.slowHook.minutes <= 10);
  if (quiet && world.handDisabledAt === undefined && alarmed) {
    violations.push(
      `(e) an alarm fired with no fault: dead letters ${world.deadLetters.length}, StuckRuns ${metrics.total('StuckRuns')}, ScheduleOffWithoutRun ${metrics.total('ScheduleOffWithoutRun')}`,
    );
  }
  return violations;
}
