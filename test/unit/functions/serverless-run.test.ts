// A stack that schedules a DMS Serverless replication config, end to end through both real handlers: the
// task-starter reads the replication with DescribeReplications, picks the start type from its history and
// starts it with StartReplication (never a task call); the config's own EventBridge event wakes the
// post-processor, which reads the replication again, runs the hooks once and gives the rule back; a failed
// replication alerts with DMS's failure messages and runs no hook. DMS is the SDK client, scripted with
// aws-sdk-client-mock in the shapes of the API reference (moto implements no Serverless calls).
import {
  DatabaseMigrationServiceClient,
  DescribeReplicationsCommand,
  DescribeReplicationTasksCommand,
  type Replication,
  StartReplicationCommand,
  StartReplicationTaskCommand,
} from '@aws-sdk/client-database-migration-service';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { taskControlFor } from '#shared/dms/controls';
import { createPostProcessorHandler } from '../../../functions/post-processor/app.ts';
import { createStarterHandler } from '../../../functions/task-starter/app.ts';
import { sampleEvent } from '../../support/events.ts';
import {
  BASE_ENV,
  ManualClock,
  postProcessorConfig,
  RecordingAlerts,
  RecordingHistory,
  RecordingHooks,
  RecordingLog,
  RecordingMetrics,
  RecordingRule,
  RecordingStore,
  starterConfig,
} from '../../support/ports.ts';

const CONFIG_ARN = 'arn:aws:dms:us-east-1:123456789012:replication-config:NIGHTLYSERVERLESS0000000000';
const SERVERLESS_ENV = {
  REPLICATION_TASK_ARN: CONFIG_ARN,
  REPLICATION_TASK_IDENTIFIER: 'nightly-serverless',
};

const dms = mockClient(DatabaseMigrationServiceClient);
const client = new DatabaseMigrationServiceClient({ region: 'us-east-1' });

const YESTERDAY_START = new Date('2026-11-22T00:00:05Z');
const YESTERDAY_STOP = new Date('2026-11-22T00:41:07Z');
const TODAY_START = new Date('2026-11-23T00:03:10Z');
const TODAY_STOP = new Date('2026-11-23T00:52:40Z');

const replication = (overrides: Partial<Replication>): Replication => ({
  ReplicationConfigArn: CONFIG_ARN,
  ReplicationConfigIdentifier: 'nightly-serverless',
  ReplicationType: 'full-load',
  ...overrides,
});
/** Yesterday's run, finished: the state tonight's start finds. */
const FINISHED_YESTERDAY = replication({
  Status: 'stopped',
  StopReason: 'Stop Reason FULL_LOAD_ONLY_FINISHED',
  ReplicationStats: {
    FullLoadProgressPercent: 100,
    TablesLoaded: 12,
    TablesErrored: 0,
    StartDate: YESTERDAY_START,
    FreshStartDate: YESTERDAY_START,
    FullLoadStartDate: YESTERDAY_START,
    FullLoadFinishDate: YESTERDAY_STOP,
    StopDate: YESTERDAY_STOP,
  },
});
/** Tonight's start, still provisioning its capacity. */
const PROVISIONING = replication({
  Status: 'provisioning_capacity',
  ReplicationStats: FINISHED_YESTERDAY.ReplicationStats,
});
const todayStats = {
  FullLoadProgressPercent: 100,
  TablesLoaded: 12,
  TablesErrored: 0,
  StartDate: TODAY_START,
  FreshStartDate: TODAY_START,
  FullLoadStartDate: TODAY_START,
  FullLoadFinishDate: TODAY_STOP,
  StopDate: TODAY_STOP,
};
const FINISHED_TODAY = replication({
  Status: 'stopped',
  StopReason: 'Stop Reason FULL_LOAD_ONLY_FINISHED',
  ReplicationStats: todayStats,
});
const FAILED_TODAY = replication({
  Status: 'failed',
  FailureMessages: ['Capacity could not be provisioned: the source endpoint is unreachable'],
  ReplicationStats: { ...todayStats, FullLoadProgressPercent: 0, FullLoadFinishDate: undefined },
});

let rule: RecordingRule;
let alerts: RecordingAlerts;
let store: RecordingStore;
let hooks: RecordingHooks;
let clock: ManualClock;
let history: RecordingHistory;

beforeEach(() => {
  dms.reset();
  rule = new RecordingRule('ENABLED');
  alerts = new RecordingAlerts();
  store = new RecordingStore();
  hooks = new RecordingHooks([{ name: 'mask-pii', rerunnable: true }]);
  clock = new ManualClock(Date.parse('2026-11-23T00:00:02Z'));
  history = new RecordingHistory();
});

const ports = () => ({
  tasks: taskControlFor(client, CONFIG_ARN),
  rule,
  alerts,
  store,
  history,
  metrics: new RecordingMetrics(),
  log: new RecordingLog(),
  clock: clock.date,
});

async function startTonight(): Promise<unknown> {
  dms
    .on(DescribeReplicationsCommand)
    .resolvesOnce({ Replications: [FINISHED_YESTERDAY] })
    .resolves({
      Replications: [PROVISIONING],
    });
  dms.on(StartReplicationCommand).resolves({ Replication: PROVISIONING });
  return createStarterHandler(ports(), starterConfig(SERVERLESS_ENV))(sampleEvent('schedule.json'));
}

async function replicationEnds(as: Replication) {
  dms.on(DescribeReplicationsCommand).resolves({ Replications: [as] });
  clock.now = Date.parse('2026-11-23T00:53:00Z');
  const handler = createPostProcessorHandler({ ...ports(), hooks }, postProcessorConfig(SERVERLESS_ENV));
  return handler(sampleEvent('eventbridge-serverless-failed.json'));
}

describe('a scheduled run of a Serverless replication', () => {
  it('is started with StartReplication and the re-run start type, the rule off, the lock taken', async () => {
    await startTonight();
    expect(dms).toHaveReceivedCommandExactlyOnceWith(StartReplicationCommand, {
      ReplicationConfigArn: CONFIG_ARN,
      StartReplicationType: 'reload-target',
    });
    expect(dms).toHaveReceivedCommandWith(DescribeReplicationsCommand, {
      Filters: [{ Name: 'replication-config-arn', Values: [CONFIG_ARN] }],
    });
    expect(dms).not.toHaveReceivedCommand(StartReplicationTaskCommand);
    expect(dms).not.toHaveReceivedCommand(DescribeReplicationTasksCommand);
    expect(rule.calls).toContain('disable');
    const { record } = await store.inner.load(CONFIG_ARN);
    expect(record?.run).toMatchObject({ phase: 'started', startType: 'reload-target' });
  });

  it('ends on its own event: hooks once, the rule back on, the lock released', async () => {
    await startTonight();
    await replicationEnds(FINISHED_TODAY);
    expect(hooks.ran).toEqual(['mask-pii']);
    expect(rule.calls.at(-1)).toBe('enable');
    const { record } = await store.inner.load(CONFIG_ARN);
    expect(record?.run).toMatchObject({ phase: 'released', outcome: { kind: 'succeeded' } });
    expect(alerts.published).toEqual([]);
    // A second delivery of the same event runs nothing again.
    await replicationEnds(FINISHED_TODAY);
    expect(hooks.ran).toEqual(['mask-pii']);
  });

  it("alerts with DMS's failure message when the replication failed, and runs no hook", async () => {
    await startTonight();
    await replicationEnds(FAILED_TODAY);
    expect(hooks.ran).toEqual([]);
    const { record } = await store.inner.load(CONFIG_ARN);
    expect(record?.run).toMatchObject({ phase: 'released', outcome: { kind: 'failed' } });
    expect(alerts.published).toHaveLength(1);
    expect(alerts.published[0]?.message).toContain(
      'Capacity could not be provisioned: the source endpoint is unreachable',
    );
  });

  it('is not confused by the task-shaped events of a task stack: they name no config', async () => {
    await startTonight();
    dms.on(DescribeReplicationsCommand).resolves({ Replications: [FINISHED_TODAY] });
    const handler = createPostProcessorHandler({ ...ports(), hooks }, postProcessorConfig(SERVERLESS_ENV));
    const result = await handler(sampleEvent('eventbridge-stopped.json'));
    expect(result.rejected).toBe(1);
    expect(hooks.ran).toEqual([]);
  });

  it('keeps the task stack on the task API', () => {
    expect(BASE_ENV.REPLICATION_TASK_ARN).toMatch(/:task:/);
    expect(taskControlFor(client, BASE_ENV.REPLICATION_TASK_ARN).constructor.name).toBe('DmsTaskControl');
  });
});
