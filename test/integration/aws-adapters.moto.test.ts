// The real AWS adapters over HTTP against moto_server: request shapes, error mapping and state read back from
// the service, which client mocks cannot check. moto's DMS is a stub (dms-facts §1): it ignores start types
// and never moves a new task out of `creating`, so nothing here asserts start-type or transition logic.
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import {
  CreateEndpointCommand,
  CreateReplicationInstanceCommand,
  CreateReplicationTaskCommand,
  DatabaseMigrationServiceClient,
  DescribeReplicationTasksCommand,
  StartReplicationTaskCommand,
  StopReplicationTaskCommand,
} from '@aws-sdk/client-database-migration-service';
import { CreateTableCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeRuleCommand,
  EnableRuleCommand,
  EventBridgeClient,
  PutRuleCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-eventbridge';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStarterHandler } from '../../functions/task-starter/app.ts';
import { SnsAlerts } from '../../shared/alerts/sns-alerts.ts';
import { loadStarterConfig } from '../../shared/config.ts';
import { DmsTaskControl } from '../../shared/dms/dms-task-control.ts';
import { TaskMismatchError } from '../../shared/errors.ts';
import type { Log } from '../../shared/log.ts';
import { DynamoDbRunLedger } from '../../shared/runs/dynamodb-ledger.ts';
import type { SettledRun } from '../../shared/runs/ledger.ts';
import { EventBridgeRunLock } from '../../shared/schedule/eventbridge-lock.ts';
import {
  acceptMotoDmsTimestamps,
  findMotoServer,
  MOTO_ACCOUNT_ID,
  type RunningMotoServer,
  startMotoServer,
} from './moto-server.ts';

const motoServerPath = findMotoServer();
const requireMoto = Boolean(process.env.CI);
const MISSING_MOTO =
  'moto_server is not on PATH. Install it with `pip install "moto[server]"` to run the AWS adapter integration tests.';

if (motoServerPath === undefined && !requireMoto) {
  console.warn(`[aws-adapters.moto] SKIPPED: ${MISSING_MOTO}`);
}

if (motoServerPath === undefined && requireMoto) {
  describe('moto_server in CI', () => {
    it('is installed (CI is set, so the AWS adapter integration tests must run)', () => {
      throw new Error(MISSING_MOTO);
    });
  });
}

const silentLog: Log = { debug() {}, info() {}, warn() {}, error() {} };

/** Names unique per test, so tests share one server without seeing each other's resources. */
const uniqueName = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

describe.runIf(motoServerPath !== undefined)('AWS adapters against moto_server', () => {
  let moto: RunningMotoServer | undefined;
  let dms: DatabaseMigrationServiceClient;
  let events: EventBridgeClient;
  let dynamoDb: DynamoDBClient;
  let sns: SNSClient;
  let sqs: SQSClient;

  beforeAll(async () => {
    if (motoServerPath === undefined) throw new Error(MISSING_MOTO);
    moto = await startMotoServer(motoServerPath);
    const config = moto.clientConfig;
    dms = new DatabaseMigrationServiceClient(config);
    acceptMotoDmsTimestamps(dms);
    events = new EventBridgeClient(config);
    dynamoDb = new DynamoDBClient(config);
    sns = new SNSClient(config);
    sqs = new SQSClient(config);
  });

  afterAll(async () => {
    for (const client of [dms, events, dynamoDb, sns, sqs]) client?.destroy();
    await moto?.stop();
  });

  async function createScheduleRule(name: string): Promise<string> {
    const created = await events.send(
      new PutRuleCommand({ Name: name, ScheduleExpression: 'cron(0 0 * * ? *)', State: 'ENABLED' }),
    );
    if (!created.RuleArn) throw new Error('PutRule returned no RuleArn');
    return created.RuleArn;
  }

  async function ruleState(name: string): Promise<string | undefined> {
    return (await events.send(new DescribeRuleCommand({ Name: name }))).State;
  }

  /** A replication instance, two endpoints and a task: what moto's CreateReplicationTask is given. */
  async function createReplicationTask(identifier: string, migrationType: 'full-load'): Promise<string> {
    const instance = await dms.send(
      new CreateReplicationInstanceCommand({
        ReplicationInstanceIdentifier: `${identifier}-instance`,
        ReplicationInstanceClass: 'dms.t3.micro',
      }),
    );
    const endpoint = async (type: 'source' | 'target') => {
      const created = await dms.send(
        new CreateEndpointCommand({
          EndpointIdentifier: `${identifier}-${type}`,
          EndpointType: type,
          EngineName: 'postgres',
          ServerName: `${type}.example.internal`,
          Port: 5432,
          DatabaseName: 'app',
          Username: 'dms',
          Password: 'not-a-secret',
        }),
      );
      return created.Endpoint?.EndpointArn;
    };
    const task = await dms.send(
      new CreateReplicationTaskCommand({
        ReplicationTaskIdentifier: identifier,
        ReplicationInstanceArn: instance.ReplicationInstance?.ReplicationInstanceArn,
        SourceEndpointArn: await endpoint('source'),
        TargetEndpointArn: await endpoint('target'),
        MigrationType: migrationType,
        TableMappings: JSON.stringify({
          rules: [
            {
              'rule-type': 'selection',
              'rule-id': '1',
              'rule-name': 'all',
              'object-locator': { 'schema-name': 'public', 'table-name': '%' },
              'rule-action': 'include',
            },
          ],
        }),
      }),
    );
    const arn = task.ReplicationTask?.ReplicationTaskArn;
    if (!arn) throw new Error('CreateReplicationTask returned no ARN');
    return arn;
  }

  /** moto leaves a new task in `creating` for ever; one start and stop is its only way to a startable state. */
  async function bringToStopped(taskArn: string): Promise<void> {
    await dms.send(
      new StartReplicationTaskCommand({
        ReplicationTaskArn: taskArn,
        StartReplicationTaskType: 'start-replication',
      }),
    );
    await dms.send(new StopReplicationTaskCommand({ ReplicationTaskArn: taskArn }));
  }

  async function taskStatus(taskArn: string): Promise<string | undefined> {
    const response = await dms.send(
      new DescribeReplicationTasksCommand({
        Filters: [{ Name: 'replication-task-arn', Values: [taskArn] }],
      }),
    );
    return response.ReplicationTasks?.[0]?.Status;
  }

  describe('EventBridgeRunLock', () => {
    it('disables an enabled rule', async () => {
      const name = uniqueName('lock-disable');
      await createScheduleRule(name);

      await expect(new EventBridgeRunLock(events, name).disable()).resolves.toBe('DISABLED');

      expect(await ruleState(name)).toBe('DISABLED');
    });

    it('disables a disabled rule again without error', async () => {
      const name = uniqueName('lock-twice');
      await createScheduleRule(name);
      const lock = new EventBridgeRunLock(events, name);

      await lock.disable();
      await expect(lock.disable()).resolves.toBe('DISABLED');

      expect(await ruleState(name)).toBe('DISABLED');
    });

    it('enables a disabled rule again', async () => {
      const name = uniqueName('lock-enable');
      await createScheduleRule(name);
      const lock = new EventBridgeRunLock(events, name);
      await lock.disable();

      await expect(lock.enable()).resolves.toBe('ENABLED');

      expect(await ruleState(name)).toBe('ENABLED');
    });

    it("lets the SDK's ResourceNotFoundException through for a rule that does not exist", async () => {
      const lock = new EventBridgeRunLock(events, uniqueName('no-such-rule'));

      await expect(lock.disable()).rejects.toBeInstanceOf(ResourceNotFoundException);
      await expect(lock.enable()).rejects.toBeInstanceOf(ResourceNotFoundException);
    });
  });

  describe('DmsTaskControl', () => {
    it('maps the described task to a snapshot', async () => {
      const identifier = uniqueName('describe-task');
      const arn = await createReplicationTask(identifier, 'full-load');

      const snapshot = await new DmsTaskControl(dms).describe(arn);

      expect(snapshot).toMatchObject({
        arn,
        identifier,
        status: 'creating',
        migrationType: 'full-load',
      });
      expect(snapshot.lastStartDate).toBeUndefined();
    });

    it('starts the task: DescribeReplicationTasks then says running', async () => {
      const arn = await createReplicationTask(uniqueName('start-task'), 'full-load');

      await new DmsTaskControl(dms).start({ taskArn: arn, startType: 'start-replication' });

      expect(await taskStatus(arn)).toBe('running');
      const snapshot = await new DmsTaskControl(dms).describe(arn);
      expect(snapshot.status).toBe('running');
      expect(snapshot.lastStartDate).toBeInstanceOf(Date);
    });

    it('throws TaskMismatchError for an ARN no task has', async () => {
      const unknownArn = `arn:aws:dms:us-east-1:${MOTO_ACCOUNT_ID}:task:NOSUCHTASK0000000000000000`;

      await expect(new DmsTaskControl(dms).describe(unknownArn)).rejects.toBeInstanceOf(TaskMismatchError);
    });
  });

  describe('DynamoDbRunLedger', () => {
    const t0 = new Date('2026-11-23T00:05:00.000Z');
    const minutesAfter = (base: Date, minutes: number) => new Date(base.getTime() + minutes * 60_000);
    let tableName: string;

    beforeAll(async () => {
      tableName = uniqueName('run-ledger');
      await dynamoDb.send(
        new CreateTableCommand({
          TableName: tableName,
          AttributeDefinitions: [{ AttributeName: 'runKey', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'runKey', KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
    });

    /** A ledger whose clock the test moves. */
    function ledgerAt(start: Date) {
      const clock = { now: start };
      return { clock, ledger: new DynamoDbRunLedger(dynamoDb, tableName, () => clock.now) };
    }

    async function storedItem(runKey: string) {
      return (
        await dynamoDb.send(new GetItemCommand({ TableName: tableName, Key: { runKey: { S: runKey } } }))
      ).Item;
    }

    const settledRun = (runKey: string): SettledRun => ({
      runKey,
      outcome: 'succeeded',
      hooksSucceeded: true,
      ruleAction: 'enable',
      settledAt: '2026-11-23T00:20:00.000Z',
    });

    it('claims a new run once: a second claim within the lease is refused, with no settled run', async () => {
      const runKey = uniqueName('run');
      const { ledger } = ledgerAt(t0);

      await expect(ledger.claim(runKey, minutesAfter(t0, 15))).resolves.toStrictEqual({ claimed: true });
      await expect(ledger.claim(runKey, minutesAfter(t0, 15))).resolves.toStrictEqual({ claimed: false });

      expect((await storedItem(runKey))?.state?.S).toBe('in-progress');
    });

    it('returns the settled run to a later claim (ReturnValuesOnConditionCheckFailure ALL_OLD)', async () => {
      const runKey = uniqueName('run');
      const { ledger } = ledgerAt(t0);
      await ledger.claim(runKey, minutesAfter(t0, 15));

      await ledger.settle(settledRun(runKey));

      await expect(ledger.claim(runKey, minutesAfter(t0, 15))).resolves.toStrictEqual({
        claimed: false,
        settled: settledRun(runKey),
      });
    });

    it('lets a claim through once the previous lease has expired', async () => {
      const runKey = uniqueName('run');
      const { clock, ledger } = ledgerAt(t0);
      await ledger.claim(runKey, minutesAfter(t0, 15));

      clock.now = minutesAfter(t0, 16);
      const newLease = minutesAfter(clock.now, 15);

      await expect(ledger.claim(runKey, newLease)).resolves.toStrictEqual({ claimed: true });
      expect((await storedItem(runKey))?.leaseUntil?.N).toBe(String(newLease.getTime()));
    });

    it('does not let an expired lease reopen a settled run', async () => {
      const runKey = uniqueName('run');
      const { clock, ledger } = ledgerAt(t0);
      await ledger.claim(runKey, minutesAfter(t0, 15));
      await ledger.settle(settledRun(runKey));

      clock.now = minutesAfter(t0, 60);

      await expect(ledger.claim(runKey, minutesAfter(clock.now, 15))).resolves.toMatchObject({
        claimed: false,
        settled: { outcome: 'succeeded' },
      });
    });

    it('abandon deletes an in-progress claim, so the run can be claimed again', async () => {
      const runKey = uniqueName('run');
      const { ledger } = ledgerAt(t0);
      await ledger.claim(runKey, minutesAfter(t0, 15));

      await ledger.abandon(runKey);

      expect(await storedItem(runKey)).toBeUndefined();
      await expect(ledger.claim(runKey, minutesAfter(t0, 15))).resolves.toStrictEqual({ claimed: true });
    });

    it('abandon leaves a settled run in place', async () => {
      const runKey = uniqueName('run');
      const { ledger } = ledgerAt(t0);
      await ledger.claim(runKey, minutesAfter(t0, 15));
      await ledger.settle(settledRun(runKey));

      await ledger.abandon(runKey);

      const item = await storedItem(runKey);
      expect(item?.state?.S).toBe('settled');
      expect(item?.outcome?.S).toBe('succeeded');
    });
  });

  describe('SnsAlerts', () => {
    it('publishes an alert that a subscribed SQS queue receives with its subject and body', async () => {
      const topicArn = (await sns.send(new CreateTopicCommand({ Name: uniqueName('alerts') }))).TopicArn;
      const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: uniqueName('alerts-inbox') })))
        .QueueUrl;
      const queueArn = (
        await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))
      ).Attributes?.QueueArn;
      await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: queueArn }));
      if (!topicArn) throw new Error('CreateTopic returned no TopicArn');
      const alert = {
        subject: 'dms-scheduler: nightly-refresh: the task could not be started',
        message: 'the task could not be started.\n\nThe schedule rule was re-enabled.',
      };

      await new SnsAlerts(sns, topicArn).publish(alert);

      const received = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: 5 }),
      );
      const body = received.Messages?.[0]?.Body;
      expect(body).toBeDefined();
      expect(JSON.parse(body ?? '{}')).toMatchObject({
        Type: 'Notification',
        TopicArn: topicArn,
        Subject: alert.subject,
        Message: alert.message,
      });
    });
  });

  describe('task-starter handler, schedule mode, end to end', () => {
    it('starts a stopped task and disables the rule; a second event while it runs is skipped', async () => {
      const identifier = uniqueName('nightly-refresh');
      const ruleName = uniqueName('dms-scheduler-schedule');
      const ruleArn = await createScheduleRule(ruleName);
      const taskArn = await createReplicationTask(identifier, 'full-load');
      await bringToStopped(taskArn);
      const topicArn = (await sns.send(new CreateTopicCommand({ Name: uniqueName('alerts') }))).TopicArn;
      const config = loadStarterConfig({
        REPLICATION_TASK_ARN: taskArn,
        REPLICATION_TASK_IDENTIFIER: identifier,
        MIGRATION_REFRESH_INDICATOR: 'data-refresh',
        MIGRATION_REFRESH_TYPE: 'full-load',
        SCHEDULE_OR_ONE_TIME: 'schedule',
        SCHEDULE_RULE_NAME: ruleName,
        ALERTS_TOPIC_ARN: topicArn,
      });
      const handler = createStarterHandler(
        {
          tasks: new DmsTaskControl(dms),
          lock: new EventBridgeRunLock(events, ruleName),
          alerts: new SnsAlerts(sns, config.alertsTopicArn),
          log: silentLog,
        },
        config,
      );
      const sample: Record<string, unknown> = JSON.parse(
        await readFile(new URL('../../events/schedule.json', import.meta.url), 'utf8'),
      );
      const scheduledEvent = { ...sample, resources: [ruleArn] };

      const first = await handler(scheduledEvent);

      expect(first).toMatchObject({ outcome: 'started', rule: { name: ruleName, state: 'DISABLED' } });
      expect(await ruleState(ruleName)).toBe('DISABLED');
      expect(await taskStatus(taskArn)).toBe('running');

      // Someone re-enables the rule while the task runs: the skipped run must leave it as it is.
      await events.send(new EnableRuleCommand({ Name: ruleName }));
      const second = await handler(scheduledEvent);

      expect(second).toMatchObject({ outcome: 'skipped', rule: { state: 'untouched' } });
      expect(second.reason).toMatch(/already running/);
      expect(await ruleState(ruleName)).toBe('ENABLED');
      expect(await taskStatus(taskArn)).toBe('running');
    });
  });
});
