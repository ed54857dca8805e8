// The milestone of a full-load-and-cdc run, through advanceRun and the post-processor's notices: the one write
// that records it and enters the hooks, the return to `started` with the cut-over notice (or the hooks'
// alert) queued in the same write and sent while the task replicates on, the hooks never run again at the
// task's end, a NORMAL stop after the milestone succeeded (and before it, still stopped by a person), a
// failure after it still a failure, and the cut-over notice sent once however many ticks come.
import { beforeEach, describe, expect, it } from 'vitest';
import type { TaskSnapshot, TaskStats } from '#shared/dms/task';
import { StepFailedError } from '#shared/errors';
import { parseNotices } from '#shared/notices/parse';
import { advanceRun, type RunDeps } from '#shared/runs/advance';
import { handleNotice } from '#shared/runs/reconcile';
import type { Run } from '#shared/runs/run';
import { recordStopRequest } from '#shared/runs/stop-request';
import { ChangeRefused } from '#shared/runs/store';
import {
  type HookSpec,
  ManualClock,
  postProcessorConfig,
  RECONCILE_RULE_ARN,
  RecordingAlerts,
  RecordingHistory,
  RecordingHooks,
  RecordingLog,
  RecordingMetrics,
  RecordingStore,
  runFixture,
  ScriptedTasks,
  seedRecord,
  TASK_ARN,
  TASK_ID,
  task,
} from '../../support/ports.ts';
import { rejection } from '../../support/rejection.ts';

const MILESTONE_RULE_ARN = 'arn:aws:events:us-east-1:123456789012:rule/dms-scheduler-milestone-tick';
const CDC_ENV = {
  MIGRATION_REFRESH_INDICATOR: 'data-migration',
  MIGRATION_REFRESH_TYPE: 'full-load-and-cdc',
  SCHEDULE_OR_ONE_TIME: 'one-time',
  SCHEDULE_RULE_ARN: '',
  MILESTONE_RULE_ARN,
};
const config = (env: Record<string, string> = {}) => postProcessorConfig({ ...CDC_ENV, ...env });

const STARTED = Date.parse('2026-11-23T00:00:00Z');
const at = (minutes: number) => new Date(STARTED + minutes * 60_000);
/** The task's fingerprint before the run: it never ran. */
const BEFORE = 0;

let tasks: ScriptedTasks;
let alerts: RecordingAlerts;
let successNotices: RecordingAlerts;
let store: RecordingStore;
let history: RecordingHistory;
let metrics: RecordingMetrics;
let clock: ManualClock;
let hooks: RecordingHooks;
let hookSpecs: HookSpec[];

function cdcTask(overrides: Partial<TaskSnapshot> = {}, stats: TaskStats = {}): TaskSnapshot {
  return task({
    status: 'running',
    migrationType: 'full-load-and-cdc',
    lastStartDate: at(0),
    stats: { startDate: at(0), fullLoadStartDate: at(1), fullLoadProgressPercent: 40, ...stats },
    ...overrides,
  });
}
const loaded: TaskStats = {
  fullLoadFinishDate: at(40),
  fullLoadProgressPercent: 100,
  tablesLoaded: 3,
  tablesLoading: 0,
  tablesQueued: 0,
  tablesErrored: 0,
};
const stoppedNormally = (extra: TaskStats = loaded) =>
  cdcTask({ status: 'stopped', stopReason: 'Stop Reason NORMAL' }, { ...extra, stopDate: at(300) });

beforeEach(() => {
  tasks = new ScriptedTasks(cdcTask());
  alerts = new RecordingAlerts();
  successNotices = new RecordingAlerts();
  store = new RecordingStore();
  history = new RecordingHistory();
  metrics = new RecordingMetrics();
  clock = new ManualClock(at(45).getTime());
  hookSpecs = [{ name: 'create-indexes' }, { name: 'smoke-check' }];
  hooks = new RecordingHooks(hookSpecs);
});

function deps(overrides: Partial<RunDeps> = {}): RunDeps {
  return {
    tasks,
    rule: undefined,
    alerts,
    store,
    history,
    hooks,
    metrics,
    log: new RecordingLog(),
    clock: clock.date,
    remainingTimeMs: () => 900_000,
    invocationId: 'post-processor-1',
    ...overrides,
  };
}

async function seedStarted(overrides: Partial<Run> = {}): Promise<void> {
  await seedRecord(store.inner, {
    seen: BEFORE,
    run: runFixture({
      phase: 'started',
      trigger: 'manual',
      startType: 'start-replication',
      ruleOwned: false,
      before: BEFORE,
      ...overrides,
    }),
  });
}
const storedRun = async () => (await store.record())?.run as Run;

describe('the milestone of a full-load-and-cdc run', () => {
  it('waits while the full load runs, doing nothing but read', async () => {
    await seedStarted();
    const result = await advanceRun(deps(), config());
    expect(result).toMatchObject({ state: 'waiting', phase: 'started' });
    expect(hooks.ran).toEqual([]);
    expect((await storedRun()).milestone).toBeUndefined();
  });

  it('runs the hooks once at the milestone and goes back to started with the cut-over notice sent', async () => {
    tasks.snapshot = cdcTask({}, loaded);
    await seedStarted();
    const result = await advanceRun(deps({ successNotices }), config({ NOTIFY_ON_SUCCESS: 'alerts-topic' }));
    expect(result).toMatchObject({ state: 'waiting', phase: 'started' });
    expect(hooks.ran).toEqual(['create-indexes', 'smoke-check']);
    const run = await storedRun();
    expect(run.phase).toBe('started');
    expect(run.outcome).toBeUndefined();
    expect(run.milestone).toEqual({
      reachedAt: at(45).toISOString(),
      stats: expect.objectContaining({ fullLoadFinishDate: at(40).toISOString(), tablesLoaded: 3 }),
    });
    expect(run.hooks?.map((hook) => hook.status)).toEqual(['succeeded', 'succeeded']);
    expect(successNotices.published.map((notice) => notice.id)).toEqual([`${run.id}:cutover`]);
    expect(successNotices.published[0]?.subject).toBe(
      `dms-scheduler: ${TASK_ID}: full load finished, ready for cut-over`,
    );
    expect(successNotices.published[0]?.message).toContain('Tables loaded: 3');
    expect(alerts.published).toEqual([]);
    expect(run.outbox).toEqual([expect.objectContaining({ id: `${run.id}:cutover`, kind: 'cutover' })]);
    expect(run.outbox[0]?.sentAt).toBeDefined();
  });

  it('records the milestone and enters the hooks in one write', async () => {
    tasks.snapshot = cdcTask({}, loaded);
    await seedStarted();
    await advanceRun(deps(), config());
    const first = store.written[0]?.run;
    expect(first?.phase).toBe('hooks');
    expect(first?.milestone?.reachedAt).toBe(at(45).toISOString());
    expect(first?.hooks?.map((hook) => hook.status)).toEqual(['pending', 'pending']);
  });

  it('sends the cut-over notice to the alerts topic when NotifyOnSuccess is off', async () => {
    tasks.snapshot = cdcTask({}, loaded);
    await seedStarted();
    await advanceRun(deps(), config());
    expect(alerts.published.map((alert) => alert.id)).toEqual([`${(await storedRun()).id}:cutover`]);
  });

  it('never fires for a resume-processing whose full load finished in an earlier run', async () => {
    const earlier = { fullLoadStartDate: at(-200), fullLoadFinishDate: at(-150) };
    tasks.snapshot = cdcTask({}, { ...loaded, ...earlier, startDate: at(0) });
    await seedStarted({ startType: 'resume-processing', before: at(-100).getTime() });
    await advanceRun(deps(), config());
    expect(hooks.ran).toEqual([]);
    expect((await storedRun()).milestone).toBeUndefined();
  });

  it('does not look for a milestone in a full-load or cdc stack', async () => {
    tasks.snapshot = cdcTask({ migrationType: 'cdc' }, loaded);
    await seedStarted();
    await advanceRun(deps(), config({ MIGRATION_REFRESH_TYPE: 'cdc' }));
    expect(hooks.ran).toEqual([]);
  });

  it('keeps the cut-over notice owed while SNS fails, and sends it at the next tick without moving the run', async () => {
    tasks.snapshot = cdcTask({}, loaded);
    await seedStarted();
    alerts.failures = 1;
    expect(await rejection(advanceRun(deps(), config()))).toBeInstanceOf(StepFailedError);
    expect(hooks.ran).toEqual(['create-indexes', 'smoke-check']);
    const owed = await storedRun();
    expect(owed.phase).toBe('started');
    expect(owed.outbox[0]).toMatchObject({ attempts: 1, kind: 'cutover' });
    expect(owed.outbox[0]?.sentAt).toBeUndefined();
    clock.advance(5 * 60_000);
    await advanceRun(deps({ invocationId: 'post-processor-2' }), config());
    expect(alerts.published).toHaveLength(1);
    expect((await storedRun()).phase).toBe('started');
    expect(hooks.ran).toEqual(['create-indexes', 'smoke-check']);
  });

  it('sends the cut-over notice exactly once under duplicate and late ticks and notices', async () => {
    tasks.snapshot = cdcTask({}, loaded);
    await seedStarted();
    const cfg = config();
    const tick = {
      version: '0',
      id: 'b5a8b4a2-0000-4000-8000-000000000001',
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: '123456789012',
      time: '2026-11-23T00:45:00Z',
      region: 'us-east-1',
      resources: [MILESTONE_RULE_ARN],
      detail: {},
    };
    const { notices } = parseNotices(tick, {
      reconcileRuleArn: RECONCILE_RULE_ARN,
      taskArn: TASK_ARN,
      milestoneRuleArn: cfg.milestoneRuleArn,
    });
    expect(notices).toEqual([{ channel: 'milestone-tick' }]);
    const notice = notices[0] as (typeof notices)[number];
    // Two deliveries of one tick at once, then late ones and the hourly tick.
    await Promise.all([
      handleNotice(deps(), cfg, notice),
      handleNotice(deps({ invocationId: 'pp-2' }), cfg, notice),
    ]);
    for (let i = 0; i < 3; i++) {
      clock.advance(5 * 60_000);
      await handleNotice(deps({ invocationId: `pp-late-${i}` }), cfg, notice);
      await handleNotice(deps({ invocationId: `pp-hourly-${i}` }), cfg, { channel: 'reconcile' });
    }
    expect(alerts.published.filter((alert) => alert.id?.endsWith(':cutover'))).toHaveLength(1);
    expect(hooks.ran).toEqual(['create-indexes', 'smoke-check']);
  });

  it('costs one read of the record when no run awaits a milestone', async () => {
    tasks.snapshot = cdcTask({}, loaded);
    await seedStarted({ milestone: { reachedAt: at(41).toISOString(), stats: {} } });
    const result = await handleNotice(deps(), config(), { channel: 'milestone-tick' });
    expect(result).toEqual({
      action: 'ignored',
      reason: expect.stringMatching(/awaits no milestone/),
    });
    expect(store.calls).toEqual(['load']);
    expect(tasks.describeCalls).toEqual([]);
    const empty = new RecordingStore();
    expect(await handleNotice(deps({ store: empty }), config(), { channel: 'milestone-tick' })).toMatchObject(
      {
        action: 'ignored',
      },
    );
    expect(empty.calls).toEqual(['load']);
  });

  it('alerts, and sends no cut-over notice, when a milestone hook fails; the run is not succeeded at its end', async () => {
    hooks = new RecordingHooks([{ name: 'create-indexes', fails: 'duplicate key' }, { name: 'smoke-check' }]);
    tasks.snapshot = cdcTask({}, loaded);
    await seedStarted();
    await advanceRun(deps({ successNotices }), config({ NOTIFY_ON_SUCCESS: 'alerts-topic' }));
    const run = await storedRun();
    expect(run.phase).toBe('started');
    expect(alerts.published.map((alert) => alert.id)).toEqual([`${run.id}:hook-failed`]);
    expect(alerts.published[0]?.message).toContain('NOT ready for cut-over');
    expect(successNotices.published).toEqual([]);

    tasks.snapshot = stoppedNormally();
    clock.advance(4 * 3600_000);
    const result = await advanceRun(deps({ successNotices }), config({ NOTIFY_ON_SUCCESS: 'alerts-topic' }));
    expect(result).toMatchObject({ state: 'released', succeeded: false });
    expect(hooks.ran).toEqual(['create-indexes']);
    // The hook-failed alert was the run's one alert; the end adds no success notice.
    expect(alerts.published).toHaveLength(1);
    expect(successNotices.published).toEqual([]);
    expect(metrics.total('RunsFailed')).toBe(1);
  });

  it('reports an interrupted milestone hook as hooks-interrupted and goes back to started', async () => {
    hooks = new RecordingHooks([{ name: 'create-indexes' }, { name: 'smoke-check' }]);
    tasks.snapshot = cdcTask({}, loaded);
    await seedStarted({
      phase: 'hooks',
      milestone: { reachedAt: at(41).toISOString(), stats: {} },
      hooks: [
        {
          name: 'create-indexes',
          status: 'running',
          rerunnable: false,
          attempts: 1,
          owner: 'dead',
          leaseUntil: at(44).getTime(),
        },
        { name: 'smoke-check', status: 'pending', rerunnable: false, attempts: 0 },
      ],
    });
    await advanceRun(deps(), config());
    const run = await storedRun();
    expect(run.phase).toBe('started');
    expect(hooks.ran).toEqual([]);
    expect(alerts.published.map((alert) => alert.id)).toEqual([`${run.id}:hooks-interrupted`]);
  });
});

describe('the end of a run after its milestone', () => {
  async function reachMilestone(env: Record<string, string> = {}): Promise<Run> {
    tasks.snapshot = cdcTask({}, loaded);
    await seedStarted();
    await advanceRun(deps(env.NOTIFY_ON_SUCCESS ? { successNotices } : {}), config(env));
    return storedRun();
  }

  it('ends a NORMAL stop as succeeded, never runs the hooks again, then the success notice and release', async () => {
    const env = {
      NOTIFY_ON_SUCCESS: 'success-topic',
      SUCCESS_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:s',
    };
    const reached = await reachMilestone(env);
    tasks.snapshot = stoppedNormally();
    clock.advance(4 * 3600_000);
    const result = await advanceRun(deps({ successNotices }), config(env));
    expect(result).toMatchObject({ state: 'released', outcome: 'succeeded', succeeded: true });
    expect(hooks.ran).toEqual(['create-indexes', 'smoke-check']);
    const run = await storedRun();
    expect(run.outcome?.explanation).toMatch(
      /^Change capture was stopped \(Stop Reason NORMAL\) after the full load/,
    );
    expect(run.hooks?.map((hook) => hook.status)).toEqual(['succeeded', 'succeeded']);
    expect(successNotices.published.map((notice) => notice.id)).toEqual([
      `${reached.id}:cutover`,
      `${reached.id}:succeeded`,
    ]);
    expect(alerts.published).toEqual([]);
    // A late stop notice and a tick after the release change nothing, and run no hook.
    await handleNotice(deps({ successNotices }), config(env), { channel: 'sns', taskIdentifier: TASK_ID });
    await handleNotice(deps({ successNotices }), config(env), { channel: 'reconcile' });
    expect(hooks.ran).toEqual(['create-indexes', 'smoke-check']);
    expect(successNotices.published).toHaveLength(2);
  });

  it('says it was a person’s stop through the command line', async () => {
    await reachMilestone();
    const request = { by: 'cli' as const, at: at(290).toISOString() };
    await store.inner.save(
      TASK_ARN,
      { seen: BEFORE, run: { ...(await storedRun()), stopRequested: request } },
      (await store.inner.load(TASK_ARN)).version,
    );
    tasks.snapshot = stoppedNormally();
    await advanceRun(deps(), config());
    expect((await storedRun()).outcome?.explanation).toContain(
      `by a person through \`dms-scheduler stop\` at ${request.at}`,
    );
  });

  it('still ends a NORMAL stop before the milestone as stopped by a person, with its alert and no hooks', async () => {
    tasks.snapshot = cdcTask({ status: 'stopped', stopReason: 'Stop Reason NORMAL' }, { stopDate: at(20) });
    await seedStarted();
    const result = await advanceRun(deps(), config());
    expect(result).toMatchObject({ state: 'released', outcome: 'stopped-by-user', succeeded: false });
    expect(hooks.ran).toEqual([]);
    expect(alerts.published.map((alert) => alert.subject)).toEqual([
      `dms-scheduler: ${TASK_ID}: the run was stopped before it finished`,
    ]);
  });

  it('ends a failure after the milestone as failed, with its alert, and runs no hook again', async () => {
    const reached = await reachMilestone();
    tasks.snapshot = cdcTask(
      {
        status: 'failed',
        stopReason: 'Stop Reason FATAL_ERROR',
        lastFailureMessage: 'Last Error lost the slot',
      },
      { ...loaded, stopDate: at(200) },
    );
    const result = await advanceRun(deps(), config());
    expect(result).toMatchObject({ state: 'released', outcome: 'failed', succeeded: false });
    expect(hooks.ran).toEqual(['create-indexes', 'smoke-check']);
    expect(alerts.published.map((alert) => alert.id)).toEqual([
      `${reached.id}:cutover`,
      `${reached.id}:run-failed`,
    ]);
  });

  it('finishes the milestone hooks first when the task stops during them, then ends without running them again', async () => {
    tasks.snapshot = cdcTask({}, loaded);
    hookSpecs = [
      {
        name: 'create-indexes',
        during: async () => {
          tasks.snapshot = stoppedNormally();
        },
      },
      { name: 'smoke-check' },
    ];
    hooks = new RecordingHooks(hookSpecs);
    await seedStarted();
    // The invocation that ran the hooks reads the task again after them: the stop is seen at once.
    const result = await advanceRun(deps(), config());
    expect(result).toMatchObject({ state: 'released', outcome: 'succeeded', succeeded: true });
    expect(hooks.ran).toEqual(['create-indexes', 'smoke-check']);
    const run = await storedRun();
    expect(alerts.published.map((alert) => alert.id)).toEqual([`${run.id}:cutover`]);
  });
});

describe('the milestone tick and the stuck-run metric', () => {
  const tickOf = (resource: string, account = '123456789012') => ({
    version: '0',
    id: 'b5a8b4a2-0000-4000-8000-000000000002',
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account,
    time: '2026-11-23T00:45:00Z',
    region: 'us-east-1',
    resources: [resource],
    detail: {},
  });
  const expectations = (milestoneRuleArn: string | undefined) => ({
    reconcileRuleArn: RECONCILE_RULE_ARN,
    taskArn: TASK_ARN,
    milestoneRuleArn,
  });

  it('accepts scheduled events of exactly the milestone rule as milestone ticks, as strictly as reconcile ticks', () => {
    expect(parseNotices(tickOf(MILESTONE_RULE_ARN), expectations(MILESTONE_RULE_ARN)).notices).toEqual([
      { channel: 'milestone-tick' },
    ]);
    expect(parseNotices(tickOf(RECONCILE_RULE_ARN), expectations(MILESTONE_RULE_ARN)).notices).toEqual([
      { channel: 'reconcile' },
    ]);
    const forwarded = parseNotices(
      tickOf(MILESTONE_RULE_ARN, '999999999999'),
      expectations(MILESTONE_RULE_ARN),
    );
    expect(forwarded.notices).toEqual([]);
    expect(forwarded.rejected).toHaveLength(1);
    // A stack without the rule has no such tick.
    expect(parseNotices(tickOf(MILESTONE_RULE_ARN), expectations(undefined)).notices).toEqual([]);
    // Look-alikes: another region, another name, a second resource.
    const lookAlikes = [
      { ...tickOf(MILESTONE_RULE_ARN), region: 'eu-west-1' },
      tickOf(`${MILESTONE_RULE_ARN}-2`),
      tickOf(MILESTONE_RULE_ARN.replace('us-east-1', 'eu-west-1')),
      { ...tickOf(MILESTONE_RULE_ARN), resources: [MILESTONE_RULE_ARN, RECONCILE_RULE_ARN] },
    ];
    for (const event of lookAlikes) {
      expect(parseNotices(event, expectations(MILESTONE_RULE_ARN)).notices, JSON.stringify(event)).toEqual(
        [],
      );
    }
  });

  it('reads MILESTONE_RULE_ARN in a full-load-and-cdc stack only', () => {
    expect(config().milestoneRuleArn).toBe(MILESTONE_RULE_ARN);
    expect(postProcessorConfig({ MILESTONE_RULE_ARN }).milestoneRuleArn).toBeUndefined();
    expect(() => config({ MILESTONE_RULE_ARN: 'not-an-arn' })).toThrow(/MILESTONE_RULE_ARN/);
  });

  it('does not report a days-old run in its milestone hooks, or ending after cut-over, as stuck', async () => {
    tasks.snapshot = cdcTask({}, loaded);
    clock.now = at(5 * 24 * 60).getTime();
    // Its hooks are at work in another invocation, under a live lease.
    await seedStarted({
      phase: 'hooks',
      milestone: { reachedAt: new Date(clock.now - 60_000).toISOString(), stats: {} },
      hooks: [
        {
          name: 'create-indexes',
          status: 'running',
          rerunnable: false,
          attempts: 1,
          owner: 'other',
          leaseUntil: clock.now + 600_000,
        },
      ],
    });
    await handleNotice(deps(), config(), { channel: 'reconcile' });
    expect(metrics.total('StuckRuns')).toBe(0);
    // The same run without its milestone would be: the check is not vacuous.
    const plain = new RecordingStore();
    await seedRecord(plain.inner, {
      seen: 0,
      run: runFixture({ phase: 'hooks', hooks: (await storedRun()).hooks ?? [] }),
    });
    const plainMetrics = new RecordingMetrics();
    await handleNotice(deps({ store: plain, metrics: plainMetrics }), config(), { channel: 'reconcile' });
    expect(plainMetrics.total('StuckRuns')).toBe(1);
  });
});

describe('dms-scheduler stop during the milestone hooks', () => {
  it('records a stop request on a run in its milestone hooks (its task still runs), not on a finished run in its hooks', async () => {
    const request = { by: 'cli' as const, at: at(60).toISOString() };
    await seedStarted({
      phase: 'hooks',
      milestone: { reachedAt: at(41).toISOString(), stats: {} },
      hooks: [],
    });
    const recorded = await recordStopRequest(store, TASK_ARN, runFixture().id, request);
    expect(recorded.stopRequested).toEqual(request);
    const other = new RecordingStore();
    await seedRecord(other.inner, {
      seen: 0,
      run: runFixture({ phase: 'hooks', outcome: { kind: 'succeeded', explanation: 'done' }, hooks: [] }),
    });
    expect(await rejection(recordStopRequest(other, TASK_ARN, runFixture().id, request))).toBeInstanceOf(
      ChangeRefused,
    );
  });
});
