// The real AWS adapters over HTTP against moto_server: request shapes, error mapping and state read back from
// the service, which client mocks cannot check: the run store's compare-and-swap on a real conditional
// PutItem, the schedule rule's switch, the alert's id attribute as a subscriber receives it. moto's DMS is a
// stub (dms-facts §1): it ignores start types and never moves a new task out of `creating`, so nothing here
// asserts start-type or transition logic.
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import {
  DatabaseMigrationServiceClient,
  DescribeReplicationTasksCommand,
  StartReplicationTaskCommand,
  StopReplicationTaskCommand,
} from '@aws-sdk/client-database-migration-service';
import { CreateTableCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeRuleCommand,
  DisableRuleCommand,
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
import { createPostProcessorHandler } from '../../functions/post-processor/app.ts';
import { createStarterHandler } from '../../functions/task-starter/app.ts';
import { ALERT_ID_ATTRIBUTE, SnsAlerts } from '../../shared/alerts/sns-alerts.ts';
import { loadPostProcessorConfig, loadStarterConfig } from '../../shared/config.ts';
import { testTaskConnections } from '../../shared/dms/connections.ts';
import { DmsConnectionTester } from '../../shared/dms/dms-connections.ts';
import { DmsTaskControl } from '../../shared/dms/dms-task-control.ts';
import { StartRefusedError, TaskMismatchError } from '../../shared/errors.ts';
import { SequentialHookRunner } from '../../shared/hooks/runner.ts';
import type { Log } from '../../shared/log.ts';
import { NO_METRICS } from '../../shared/metrics.ts';
import { DynamoDbRunHistory } from '../../shared/runs/dynamodb-history.ts';
import { DynamoDbRunStore } from '../../shared/runs/dynamodb-store.ts';
import { historyEntryOf, MAX_RUNS_PER_DAY, type RunHistoryEntry } from '../../shared/runs/history.ts';
import type { OutboxEntry, Run, TaskRecord } from '../../shared/runs/run.ts';
import { type RunStore, type StoredRecord, UNCHANGED, updateRecord } from '../../shared/runs/store.ts';
import { EventBridgeScheduleRule } from '../../shared/schedule/eventbridge-rule.ts';
import { createReplicationTask } from './moto-deployment.ts';
import {
  acceptMotoDmsTimestamps,
  MOTO_ACCOUNT_ID,
  motoServerFor,
  type RunningMotoServer,
  startMotoServer,
} from './moto-server.ts';

const motoServerPath = motoServerFor('aws-adapters.moto');

const silentLog: Log = { debug() {}, info() {}, warn() {}, error() {} };

/** Names unique per test, so tests share one server without seeing each other's resources. */
const uniqueName = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

/** A task ARN no other test uses: the run store keeps one record per task. */
const uniqueTaskArn = () =>
  `arn:aws:dms:us-east-1:${MOTO_ACCOUNT_ID}:task:${randomUUID().replaceAll('-', '').toUpperCase()}`;

function runFixture(overrides: Partial<Run> = {}): Run {
  return {
    id: '2026-11-23T00:00:00.000Z~0a1b2c',
    trigger: 'schedule',
    phase: 'started',
    createdAt: '2026-11-23T00:00:00.000Z',
    updatedAt: '2026-11-23T00:00:01.000Z',
    before: 0,
    startType: 'start-replication',
    startRequestedAt: '2026-11-23T00:00:01.000Z',
    ruleOwned: true,
    outbox: [],
    ...overrides,
  };
}

/** Resolves once `parties` callers have arrived: lets two writers read the same version before either writes. */
function barrier(parties: number): () => Promise<void> {
  let arrived = 0;
  let release: () => void = () => {};
  const all = new Promise<void>((resolve) => {
    release = resolve;
  });
  return () => {
    arrived += 1;
    if (arrived >= parties) release();
    return all;
  };
}

describe.runIf(motoServerPath !== undefined)('AWS adapters against moto_server', () => {
  let moto: RunningMotoServer | undefined;
  let dms: DatabaseMigrationServiceClient;
  let events: EventBridgeClient;
  let dynamoDb: DynamoDBClient;
  let sns: SNSClient;
  let sqs: SQSClient;

  beforeAll(async () => {
    if (motoServerPath === undefined) throw new Error('moto_server not on PATH');
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

  /** The run ledger table as the template defines it: one item per task, key `pk` (S). */
  async function createRunTable(): Promise<string> {
    const tableName = uniqueName('run-ledger');
    await dynamoDb.send(
      new CreateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    return tableName;
  }

  /** An SQS queue subscribed to the topic: what it receives is what SNS delivered. */
  async function subscribedQueue(topicArn: string): Promise<string> {
    const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: uniqueName('alerts-inbox') })))
      .QueueUrl;
    if (!queueUrl) throw new Error('CreateQueue returned no QueueUrl');
    const queueArn = (
      await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))
    ).Attributes?.QueueArn;
    await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: queueArn }));
    return queueUrl;
  }

  /** The SNS notification envelope of the next message on the queue. */
  async function receiveNotification(queueUrl: string): Promise<Record<string, unknown>> {
    const received = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: 5 }),
    );
    const body = received.Messages?.[0]?.Body;
    if (body === undefined) throw new Error('the subscribed queue received nothing');
    return JSON.parse(body) as Record<string, unknown>;
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

  describe('EventBridgeScheduleRule', () => {
    /** A client of its own whose commands are recorded, to see which calls the adapter makes. */
    function recordingRule(name: string) {
      const client = new EventBridgeClient(moto?.clientConfig ?? {});
      const calls: string[] = [];
      client.middlewareStack.add(
        (next, context) => async (args) => {
          calls.push(String(context.commandName).replace(/Command$/, ''));
          return next(args);
        },
        { step: 'initialize', name: 'recordCommandNames' },
      );
      return { rule: new EventBridgeScheduleRule(client, name), calls, client };
    }

    it("reads the rule's state: ENABLED, and DISABLED once it is disabled by hand", async () => {
      const name = uniqueName('rule-state');
      await createScheduleRule(name);
      const rule = new EventBridgeScheduleRule(events, name);

      expect(rule.name).toBe(name);
      await expect(rule.state()).resolves.toBe('ENABLED');
      await events.send(new DisableRuleCommand({ Name: name }));
      await expect(rule.state()).resolves.toBe('DISABLED');
    });

    it('disables an enabled rule, and enables it again', async () => {
      const name = uniqueName('rule-switch');
      await createScheduleRule(name);
      const { rule, calls, client } = recordingRule(name);
      try {
        await rule.disable();
        expect(await ruleState(name)).toBe('DISABLED');
        await expect(rule.state()).resolves.toBe('DISABLED');

        await rule.enable();
        expect(await ruleState(name)).toBe('ENABLED');
        await expect(rule.state()).resolves.toBe('ENABLED');
        expect(calls).toStrictEqual([
          'DescribeRule',
          'DisableRule',
          'DescribeRule',
          'DescribeRule',
          'EnableRule',
          'DescribeRule',
        ]);
      } finally {
        client.destroy();
      }
    });

    it('reads first and makes no call when the rule is already as asked', async () => {
      const name = uniqueName('rule-noop');
      await createScheduleRule(name);
      const { rule, calls, client } = recordingRule(name);
      try {
        await rule.enable();
        expect(await ruleState(name)).toBe('ENABLED');
        await events.send(new DisableRuleCommand({ Name: name }));
        await rule.disable();
        expect(await ruleState(name)).toBe('DISABLED');

        expect(calls).toStrictEqual(['DescribeRule', 'DescribeRule']);
      } finally {
        client.destroy();
      }
    });

    it("lets the SDK's ResourceNotFoundException through for a rule that does not exist", async () => {
      const rule = new EventBridgeScheduleRule(events, uniqueName('no-such-rule'));

      await expect(rule.state()).rejects.toBeInstanceOf(ResourceNotFoundException);
      await expect(rule.disable()).rejects.toBeInstanceOf(ResourceNotFoundException);
      await expect(rule.enable()).rejects.toBeInstanceOf(ResourceNotFoundException);
    });
  });

  describe('DmsTaskControl', () => {
    it('maps the described task to a snapshot', async () => {
      const identifier = uniqueName('describe-task');
      const arn = await createReplicationTask(dms, identifier);

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
      const arn = await createReplicationTask(dms, uniqueName('start-task'));

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

    it("maps DMS's client fault on StartReplicationTask to StartRefusedError, naming the fault", async () => {
      const unknownArn = `arn:aws:dms:us-east-1:${MOTO_ACCOUNT_ID}:task:NOSUCHTASK0000000000000001`;

      const refusal = await new DmsTaskControl(dms)
        .start({ taskArn: unknownArn, startType: 'reload-target' })
        .then(
          () => undefined,
          (error: unknown) => error,
        );

      expect(refusal).toBeInstanceOf(StartRefusedError);
      expect((refusal as Error).message).toMatch(/^ResourceNotFoundFault: /);
    });
  });

  describe('DmsConnectionTester', () => {
    it("tests the task's own connections through TestConnection and DescribeConnections until both succeed", async () => {
      const arn = await createReplicationTask(dms, uniqueName('preflight-task'));
      const task = await new DmsTaskControl(dms).describe(arn);
      // The snapshot names the instance and endpoints the pre-flight compares with the stack's parameters.
      expect(task.replicationInstanceArn).toMatch(/:rep:/);
      expect(task.sourceEndpointArn).toMatch(/:endpoint:/);
      expect(task.targetEndpointArn).toMatch(/:endpoint:/);
      const connections = {
        instanceArn: task.replicationInstanceArn ?? '',
        source: task.sourceEndpointArn ?? '',
        target: task.targetEndpointArn ?? '',
      };
      const tester = new DmsConnectionTester(dms);
      expect(await tester.read(connections.instanceArn, connections.source)).toBeUndefined();

      let now = 0;
      const verdict = await testTaskConnections(tester, connections, {
        deadline: 60_000,
        pollMs: 1_000,
        now: () => now,
        sleep: async (ms) => {
          now += ms;
        },
      });
      expect(verdict.passed).toBe(true);
      // Read back by exactly the pair: the other endpoint's connection is not taken for it.
      expect(await tester.read(connections.instanceArn, connections.target)).toEqual({
        status: 'successful',
      });
      expect(await tester.read(connections.instanceArn, `${connections.target}X`)).toBeUndefined();
    });

    it('lets DMS refuse a test of an endpoint that does not exist, which the pre-flight reports', async () => {
      const arn = await createReplicationTask(dms, uniqueName('preflight-missing'));
      const task = await new DmsTaskControl(dms).describe(arn);
      const verdict = await testTaskConnections(
        new DmsConnectionTester(dms),
        {
          instanceArn: task.replicationInstanceArn ?? '',
          source: `arn:aws:dms:us-east-1:${MOTO_ACCOUNT_ID}:endpoint:NOSUCHENDPOINT`,
          target: task.targetEndpointArn ?? '',
        },
        { deadline: 60_000, pollMs: 1_000, now: () => 0, sleep: async () => undefined },
      );
      expect(verdict).toEqual({
        passed: false,
        problem: expect.stringMatching(
          /^the source connection test could not be started \(ResourceNotFoundFault: /,
        ),
      });
    });
  });

  describe('DynamoDbRunStore', () => {
    let tableName: string;
    let store: DynamoDbRunStore;

    beforeAll(async () => {
      tableName = await createRunTable();
      store = new DynamoDbRunStore(dynamoDb, tableName);
    });

    async function storedItem(taskArn: string) {
      return (
        await dynamoDb.send(
          new GetItemCommand({
            TableName: tableName,
            Key: { pk: { S: `task#${taskArn}` } },
            ConsistentRead: true,
          }),
        )
      ).Item;
    }

    const started: TaskRecord = { seen: 0, run: runFixture() };
    const finished: TaskRecord = {
      seen: 1_795_395_667_000,
      run: runFixture({
        phase: 'finished',
        outcome: { kind: 'succeeded', explanation: 'The full load finished' },
        stats: { stopDate: '2026-11-23T00:41:07.000Z', tablesLoaded: 12 },
      }),
    };
    const released: TaskRecord = { ...finished, run: runFixture({ phase: 'released' }) };

    it('loads a task with no record as version 0 and no record', async () => {
      await expect(store.load(uniqueTaskArn())).resolves.toStrictEqual({ record: undefined, version: 0 });
    });

    it('creates the record with expected version 0, once: a second create is refused', async () => {
      const taskArn = uniqueTaskArn();

      await expect(store.save(taskArn, started, 0)).resolves.toBe(true);
      await expect(store.save(taskArn, finished, 0)).resolves.toBe(false);

      await expect(store.load(taskArn)).resolves.toStrictEqual({ record: started, version: 1 });
      const item = await storedItem(taskArn);
      expect(item?.version?.N).toBe('1');
      expect(item?.phase?.S).toBe('started');
      expect(item?.expiresAt).toBeUndefined();
    });

    it('saves over the version it read, and the version moves on', async () => {
      const taskArn = uniqueTaskArn();
      await store.save(taskArn, started, 0);

      await expect(store.save(taskArn, finished, 1)).resolves.toBe(true);
      await expect(store.load(taskArn)).resolves.toStrictEqual({ record: finished, version: 2 });
      await expect(store.save(taskArn, released, 2)).resolves.toBe(true);

      await expect(store.load(taskArn)).resolves.toStrictEqual({ record: released, version: 3 });
      expect((await storedItem(taskArn))?.phase?.S).toBe('released');
    });

    it('refuses a stale version and leaves the stored record as it was', async () => {
      const taskArn = uniqueTaskArn();
      await store.save(taskArn, started, 0);
      await store.save(taskArn, finished, 1);
      const before = await storedItem(taskArn);

      await expect(store.save(taskArn, released, 1)).resolves.toBe(false);
      await expect(store.save(taskArn, released, 3)).resolves.toBe(false);

      await expect(store.load(taskArn)).resolves.toStrictEqual({ record: finished, version: 2 });
      expect(await storedItem(taskArn)).toStrictEqual(before);
    });

    it('updateRecord from two concurrent writers applies every change of both: none is lost', async () => {
      const taskArn = uniqueTaskArn();
      await store.save(taskArn, started, 0);
      // Both writers read version 1 before either writes, so at least one compare-and-swap must fail.
      const bothRead = barrier(2);
      const conflicts = { count: 0 };
      const writer = (name: string) => {
        let first = true;
        const racing: RunStore = {
          load: async (arn): Promise<StoredRecord> => {
            const stored = await store.load(arn);
            if (first) {
              first = false;
              await bothRead();
            }
            return stored;
          },
          save: async (arn, record, expectedVersion) => {
            const saved = await store.save(arn, record, expectedVersion);
            if (!saved) conflicts.count += 1;
            return saved;
          },
        };
        return async () => {
          for (let i = 0; i < 4; i++) {
            const entry: OutboxEntry = { id: `${name}-${i}`, subject: `${name} ${i}`, attempts: 0 };
            await updateRecord(racing, taskArn, (current) => {
              const run = current?.run;
              if (current === undefined || run === undefined) throw new Error('the record is gone');
              // "Make it so": a change retried after a lost answer finds itself applied.
              if (run.outbox.some((queued) => queued.id === entry.id)) return UNCHANGED;
              return { ...current, run: { ...run, outbox: [...run.outbox, entry] } };
            });
          }
        };
      };

      await Promise.all([writer('a')(), writer('b')()]);

      const { record, version } = await store.load(taskArn);
      const ids = record?.run?.outbox.map((entry) => entry.id) ?? [];
      expect([...ids].sort()).toStrictEqual(['a-0', 'a-1', 'a-2', 'a-3', 'b-0', 'b-1', 'b-2', 'b-3']);
      // Each writer's own changes stay in its order.
      expect(ids.filter((id) => id.startsWith('a'))).toStrictEqual(['a-0', 'a-1', 'a-2', 'a-3']);
      expect(ids.filter((id) => id.startsWith('b'))).toStrictEqual(['b-0', 'b-1', 'b-2', 'b-3']);
      expect(conflicts.count).toBeGreaterThan(0);
      // One successful write per change, however many conflicts: the creation plus eight appends.
      expect(version).toBe(9);
    });
  });

  describe('DynamoDbRunHistory', () => {
    let tableName: string;
    let history: DynamoDbRunHistory;
    const until = new Date('2026-11-24T00:00:00.000Z');
    const everything = { since: new Date('2026-11-01T00:00:00.000Z'), until, limit: 1000 };
    const entryAt = (createdAt: string, releasedAt = createdAt): RunHistoryEntry =>
      historyEntryOf(
        runFixture({
          id: `${createdAt}~${randomUUID().slice(0, 6)}`,
          createdAt,
          phase: 'notified',
          outcome: { kind: 'succeeded', explanation: 'The full load finished' },
        }),
        new Date(releasedAt),
      );

    beforeAll(async () => {
      tableName = await createRunTable();
      history = new DynamoDbRunHistory(dynamoDb, tableName);
    });

    it('keeps one entry per run, whose last write wins; the day item carries its TTL and the run ids', async () => {
      const taskArn = uniqueTaskArn();
      const first = entryAt('2026-11-23T00:00:00.000Z', '2026-11-23T00:10:00.000Z');
      const again = { ...first, releasedAt: '2026-11-23T00:11:00.000Z' };
      await expect(history.record(taskArn, first)).resolves.toBe('recorded');
      await expect(history.record(taskArn, again)).resolves.toBe('recorded');
      await expect(history.list(taskArn, everything)).resolves.toEqual([again]);
      const { Item } = await dynamoDb.send(
        new GetItemCommand({ TableName: tableName, Key: { pk: { S: `history#${taskArn}#2026-11-23` } } }),
      );
      expect(Item?.expiresAt).toEqual({ N: String(Date.parse('2027-02-22T00:00:00Z') / 1000) });
      expect(Item?.runIds).toEqual({ SS: [first.id] });
      // The task's own record is another item, untouched: it never expires.
      await expect(new DynamoDbRunStore(dynamoDb, tableName).load(taskArn)).resolves.toEqual({
        record: undefined,
        version: 0,
      });
    });

    it('lists several days newest first, from since, up to the limit', async () => {
      const taskArn = uniqueTaskArn();
      const days = ['2026-11-19', '2026-11-21', '2026-11-22', '2026-11-23'];
      const entries = days.map((day) => entryAt(`${day}T00:00:00.000Z`));
      for (const entry of entries) await history.record(taskArn, entry);
      const since = new Date('2026-11-20T00:00:00.000Z');
      const listed = await history.list(taskArn, { since, until, limit: 2 });
      expect(listed.map((entry) => entry.createdAt.slice(0, 10))).toEqual(['2026-11-23', '2026-11-22']);
      const all = await history.list(taskArn, { since, until, limit: 10 });
      expect(all.map((entry) => entry.createdAt.slice(0, 10))).toEqual([
        '2026-11-23',
        '2026-11-22',
        '2026-11-21',
      ]);
    });

    it('answers day-full for a new run once the day holds MAX_RUNS_PER_DAY, and still rewrites one it holds', async () => {
      const taskArn = uniqueTaskArn();
      const at = (i: number) => new Date(Date.parse('2026-11-23T00:00:00Z') + i * 1000).toISOString();
      const entries = Array.from({ length: MAX_RUNS_PER_DAY }, (_, i) => entryAt(at(i)));
      for (const entry of entries) await history.record(taskArn, entry);
      await expect(history.record(taskArn, entryAt(at(MAX_RUNS_PER_DAY)))).resolves.toBe('day-full');
      await expect(history.record(taskArn, entries[0] as RunHistoryEntry)).resolves.toBe('recorded');
      await expect(history.list(taskArn, everything)).resolves.toHaveLength(MAX_RUNS_PER_DAY);
    }, 60_000);
  });

  describe('SnsAlerts', () => {
    async function alertsTopic(): Promise<string> {
      const topicArn = (await sns.send(new CreateTopicCommand({ Name: uniqueName('alerts') }))).TopicArn;
      if (!topicArn) throw new Error('CreateTopic returned no TopicArn');
      return topicArn;
    }

    it('publishes an alert that a subscribed SQS queue receives with its subject, body and alertId', async () => {
      const topicArn = await alertsTopic();
      const queueUrl = await subscribedQueue(topicArn);
      const alert = {
        id: '2026-11-23T00:00:00.000Z~0a1b2c:start-failed',
        subject: 'dms-scheduler: nightly-refresh: the task could not be started',
        message: 'the task could not be started.\n\nThe schedule rule was re-enabled.',
      };

      await new SnsAlerts(sns, topicArn).publish(alert);

      const notification = await receiveNotification(queueUrl);
      expect(notification).toMatchObject({
        Type: 'Notification',
        TopicArn: topicArn,
        Subject: alert.subject,
        Message: alert.message,
        MessageAttributes: { [ALERT_ID_ATTRIBUTE]: { Type: 'String', Value: alert.id } },
      });
    });

    it('sends no alertId attribute for an alert without an id', async () => {
      const topicArn = await alertsTopic();
      const queueUrl = await subscribedQueue(topicArn);

      await new SnsAlerts(sns, topicArn).publish({ subject: 'dms-scheduler: test', message: 'no id' });

      const notification = await receiveNotification(queueUrl);
      expect(notification).toMatchObject({ Subject: 'dms-scheduler: test', Message: 'no id' });
      expect(
        (notification.MessageAttributes as Record<string, unknown> | undefined)?.[ALERT_ID_ATTRIBUTE],
      ).toBeUndefined();
    });
  });

  describe('task-starter handler, schedule mode, end to end', () => {
    it('starts a stopped task and disables the rule; a second event while it runs is skipped under the lock', async () => {
      const identifier = uniqueName('nightly-refresh');
      const ruleName = uniqueName('dms-scheduler-schedule');
      const ruleArn = await createScheduleRule(ruleName);
      const taskArn = await createReplicationTask(dms, identifier);
      await bringToStopped(taskArn);
      const topicArn = (await sns.send(new CreateTopicCommand({ Name: uniqueName('alerts') }))).TopicArn;
      const tableName = await createRunTable();
      const config = loadStarterConfig({
        REPLICATION_TASK_ARN: taskArn,
        REPLICATION_TASK_IDENTIFIER: identifier,
        MIGRATION_REFRESH_INDICATOR: 'data-refresh',
        MIGRATION_REFRESH_TYPE: 'full-load',
        SCHEDULE_OR_ONE_TIME: 'schedule',
        SCHEDULE_RULE_ARN: ruleArn,
        ALERTS_TOPIC_ARN: topicArn,
        RUN_LEDGER_TABLE: tableName,
        RULE_AFTER_FAILURE: 're-enable',
      });
      const store = new DynamoDbRunStore(dynamoDb, tableName);
      const handler = createStarterHandler(
        {
          tasks: new DmsTaskControl(dms),
          rule: new EventBridgeScheduleRule(events, ruleName),
          alerts: new SnsAlerts(sns, config.alertsTopicArn),
          store,
          history: new DynamoDbRunHistory(dynamoDb, tableName),
          metrics: NO_METRICS,
          log: silentLog,
          clock: () => new Date(),
        },
        config,
      );
      const sample: Record<string, unknown> = JSON.parse(
        await readFile(new URL('../../events/schedule.json', import.meta.url), 'utf8'),
      );
      // moto's account and region are the sample's: only the rule (this test's own) differs.
      const scheduledEvent = { ...sample, resources: [ruleArn] };

      const first = await handler(scheduledEvent);

      expect(first).toMatchObject({ outcome: 'started', rule: { name: ruleName, state: 'DISABLED' } });
      expect(await ruleState(ruleName)).toBe('DISABLED');
      expect(await taskStatus(taskArn)).toBe('running');
      const afterFirst = await store.load(taskArn);
      expect(afterFirst.record?.run).toMatchObject({
        id: first.runId,
        trigger: 'schedule',
        phase: 'started',
        startType: first.startType,
        ruleOwned: true,
      });

      // Someone re-enables the rule while the task runs: the skipped run must leave it, and the run, as they are.
      await events.send(new EnableRuleCommand({ Name: ruleName }));
      const second = await handler(scheduledEvent);

      expect(second).toMatchObject({ outcome: 'skipped', rule: { state: 'untouched' } });
      expect(second.reason).toMatch(
        new RegExp(`run ${first.runId} is still active .* holds the task's lock`),
      );
      expect(await ruleState(ruleName)).toBe('ENABLED');
      expect(await taskStatus(taskArn)).toBe('running');
      await expect(store.load(taskArn)).resolves.toStrictEqual(afterFirst);
    });
  });

  describe('a run group, end to end', () => {
    it('starts the first task under the limit, and once it failed starts no other, alerts once, gives the rule back', async () => {
      const identifiers = [uniqueName('load-customers'), uniqueName('load-orders')];
      const ruleName = uniqueName('group-schedule');
      const ruleArn = await createScheduleRule(ruleName);
      const taskArns = [
        await createReplicationTask(dms, identifiers[0] as string),
        await createReplicationTask(dms, identifiers[1] as string),
      ];
      for (const arn of taskArns) await bringToStopped(arn);
      const secondStartedAt = async () =>
        (await new DmsTaskControl(dms).describe(taskArns[1] as string)).lastStartDate?.getTime();
      const secondBefore = await secondStartedAt();
      expect(secondBefore).toBeGreaterThan(0);
      const topicArn = (await sns.send(new CreateTopicCommand({ Name: uniqueName('alerts') }))).TopicArn;
      if (topicArn === undefined) throw new Error('CreateTopic returned no TopicArn');
      const queueUrl = await subscribedQueue(topicArn);
      const tableName = await createRunTable();
      const env = {
        REPLICATION_TASK_ARN: taskArns.join(','),
        REPLICATION_TASK_IDENTIFIER: identifiers.join(','),
        RUN_GROUP_NAME: 'nightly-group',
        GROUP_MAX_CONCURRENCY: '1',
        MIGRATION_REFRESH_INDICATOR: 'data-refresh',
        MIGRATION_REFRESH_TYPE: 'full-load',
        SCHEDULE_OR_ONE_TIME: 'schedule',
        SCHEDULE_RULE_ARN: ruleArn,
        RECONCILE_RULE_ARN: ruleArn.replace(ruleName, `${ruleName}-reconcile`),
        ALERTS_TOPIC_ARN: topicArn,
        RUN_LEDGER_TABLE: tableName,
        RULE_AFTER_FAILURE: 're-enable',
      };
      const store = new DynamoDbRunStore(dynamoDb, tableName);
      const ports = {
        tasks: new DmsTaskControl(dms),
        rule: new EventBridgeScheduleRule(events, ruleName),
        alerts: new SnsAlerts(sns, topicArn),
        store,
        history: new DynamoDbRunHistory(dynamoDb, tableName),
        metrics: NO_METRICS,
        log: silentLog,
        clock: () => new Date(),
      };
      const starter = createStarterHandler(ports, loadStarterConfig(env));
      const sample: Record<string, unknown> = JSON.parse(
        await readFile(new URL('../../events/schedule.json', import.meta.url), 'utf8'),
      );

      const started = await starter({ ...sample, resources: [ruleArn] });

      expect(started).toMatchObject({ outcome: 'started', rule: { state: 'DISABLED' } });
      expect(await ruleState(ruleName)).toBe('DISABLED');
      expect(await taskStatus(taskArns[0] as string)).toBe('running');
      // The limit is one task at a time: the second waits, queued (not started), in the group's one record.
      expect(await taskStatus(taskArns[1] as string)).toBe('stopped');
      const record = (await store.load('group/nightly-group')).record;
      expect(record?.run?.members?.map((member) => [member.identifier, member.state])).toEqual([
        [identifiers[0], 'started'],
        [identifiers[1], 'queued'],
      ]);
      expect((await store.load(taskArns[0] as string)).record).toBeUndefined();

      // DMS stops the first task with no stop reason the scheduler knows: the group cannot succeed.
      await dms.send(new StopReplicationTaskCommand({ ReplicationTaskArn: taskArns[0] }));
      const postProcessor = createPostProcessorHandler(
        { ...ports, hooks: new SequentialHookRunner([]) },
        loadPostProcessorConfig(env),
      );
      const settled = await postProcessor({
        version: '0',
        id: randomUUID(),
        'detail-type': 'DMS Replication Task State Change',
        source: 'aws.dms',
        account: '123456789012',
        time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
        region: 'us-east-1',
        resources: [taskArns[0]],
        detail: { eventType: 'REPLICATION_TASK_STOPPED', detailMessage: 'Replication task stopped' },
      });

      expect(settled.results[0]).toMatchObject({
        action: 'advanced',
        run: { state: 'released', succeeded: false, ruleDecision: 'enable' },
      });
      expect(await taskStatus(taskArns[1] as string)).toBe('stopped');
      expect(await secondStartedAt()).toBe(secondBefore);
      expect(await ruleState(ruleName)).toBe('ENABLED');
      const alert = await receiveNotification(queueUrl);
      expect(String(alert.Message)).toContain(`task ${identifiers[0]}:`);
      expect(String(alert.Message)).toContain(`task ${identifiers[1]} was not started`);
    });
  });
});
