// The DynamoDB run history's requests, exactly: a write is one UpdateItem on the run's day item that sets the
// run's own attribute (so a repeat replaces it), adds its id to the day's set under the day's cap, and sets
// the day's TTL; a refused condition means the day is full, and every other failure reaches the caller
// untouched. Reading is one GetItem per day, newest first, stopping once the limit is reached.
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  ProvisionedThroughputExceededException,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbRunHistory } from '#shared/runs/dynamodb-history';
import { historyEntryOf, MAX_RUNS_PER_DAY, type RunHistoryEntry } from '#shared/runs/history';
import { runFixture, TASK_ARN } from '../../support/ports.ts';
import { rejection } from '../../support/rejection.ts';

const dynamo = mockClient(DynamoDBClient);
const TABLE = 'dms-scheduler-runs';
const history = new DynamoDbRunHistory(new DynamoDBClient({ region: 'us-east-1' }), TABLE);

const entryAt = (createdAt: string): RunHistoryEntry =>
  historyEntryOf(
    runFixture({
      id: `${createdAt}~abcdef`,
      createdAt,
      phase: 'notified',
      outcome: { kind: 'succeeded', explanation: 'The full load finished' },
      ruleDecision: 'enable',
    }),
    new Date(Date.parse(createdAt) + 600_000),
  );
const ENTRY = entryAt('2026-11-23T00:00:00.000Z');

beforeEach(() => {
  dynamo.reset();
});

describe('record', () => {
  it("sends one UpdateItem on the run's day: its entry, its id in the day's set, the day's TTL", async () => {
    dynamo.on(UpdateItemCommand).resolves({});
    expect(await history.record(TASK_ARN, ENTRY)).toBe('recorded');
    expect(dynamo).toHaveReceivedCommandTimes(UpdateItemCommand, 1);
    expect(dynamo.commandCalls(UpdateItemCommand)[0]?.args[0].input).toStrictEqual({
      TableName: TABLE,
      Key: { pk: { S: `history#${TASK_ARN}#2026-11-23` } },
      UpdateExpression: 'SET #entry = :entry, #expiresAt = :expiresAt ADD #runIds :runIds',
      ConditionExpression:
        'attribute_not_exists(#runIds) OR contains(#runIds, :runId) OR size(#runIds) < :maxRuns',
      ExpressionAttributeNames: {
        '#entry': 'run#2026-11-23T00:00:00.000Z~abcdef',
        '#expiresAt': 'expiresAt',
        '#runIds': 'runIds',
      },
      ExpressionAttributeValues: {
        ':entry': { S: JSON.stringify(ENTRY) },
        // 2026-11-24T00:00Z (the day's end) + 90 days = 2027-02-22T00:00Z.
        ':expiresAt': { N: String(Date.parse('2027-02-22T00:00:00Z') / 1000) },
        ':runIds': { SS: ['2026-11-23T00:00:00.000Z~abcdef'] },
        ':runId': { S: '2026-11-23T00:00:00.000Z~abcdef' },
        ':maxRuns': { N: String(MAX_RUNS_PER_DAY) },
      },
    });
  });

  it('writes the same request again for the same run: a repeat replaces its entry', async () => {
    dynamo.on(UpdateItemCommand).resolves({});
    await history.record(TASK_ARN, ENTRY);
    await history.record(TASK_ARN, ENTRY);
    const [first, second] = dynamo.commandCalls(UpdateItemCommand).map((call) => call.args[0].input);
    expect(second).toStrictEqual(first);
  });

  it('answers day-full when the condition fails: the day holds the most runs it can', async () => {
    dynamo
      .on(UpdateItemCommand)
      .rejects(
        new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }),
      );
    expect(await history.record(TASK_ARN, ENTRY)).toBe('day-full');
  });

  it.each([
    ['throttling', new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} })],
    ['a network error', new Error('socket hang up')],
  ])('lets %s out unchanged, never as a full day', async (_, fault) => {
    dynamo.on(UpdateItemCommand).rejects(fault);
    expect(await rejection(history.record(TASK_ARN, ENTRY))).toBe(fault);
  });
});

describe('list', () => {
  const dayItem = (entries: RunHistoryEntry[]) => ({
    Item: {
      pk: { S: 'ignored' },
      expiresAt: { N: '1' },
      runIds: { SS: entries.map((entry) => entry.id) },
      ...Object.fromEntries(entries.map((entry) => [`run#${entry.id}`, { S: JSON.stringify(entry) }])),
    },
  });

  it('reads each day from `until` back to `since` with a GetItem, and lists the runs newest first', async () => {
    const older = entryAt('2026-11-21T00:00:00.000Z');
    const newer = entryAt('2026-11-23T00:00:00.000Z');
    const later = entryAt('2026-11-23T06:00:00.000Z');
    dynamo.on(GetItemCommand).resolves({});
    dynamo
      .on(GetItemCommand, { Key: { pk: { S: `history#${TASK_ARN}#2026-11-23` } } })
      .resolves(dayItem([newer, later]));
    dynamo
      .on(GetItemCommand, { Key: { pk: { S: `history#${TASK_ARN}#2026-11-21` } } })
      .resolves(dayItem([older]));
    const listed = await history.list(TASK_ARN, {
      since: new Date('2026-11-20T12:00:00Z'),
      until: new Date('2026-11-23T12:00:00Z'),
      limit: 10,
    });
    expect(listed).toEqual([later, newer, older]);
    expect(dynamo.commandCalls(GetItemCommand).map((call) => call.args[0].input)).toStrictEqual(
      ['2026-11-23', '2026-11-22', '2026-11-21', '2026-11-20'].map((day) => ({
        TableName: TABLE,
        Key: { pk: { S: `history#${TASK_ARN}#${day}` } },
      })),
    );
  });

  it('leaves out runs from before `since` in its first day', async () => {
    const early = entryAt('2026-11-20T01:00:00.000Z');
    const late = entryAt('2026-11-20T20:00:00.000Z');
    dynamo.on(GetItemCommand).resolves(dayItem([early, late]));
    const listed = await history.list(TASK_ARN, {
      since: new Date('2026-11-20T12:00:00Z'),
      until: new Date('2026-11-20T23:00:00Z'),
      limit: 10,
    });
    expect(listed).toEqual([late]);
  });

  it('stops reading older weeks once the limit is reached', async () => {
    dynamo.on(GetItemCommand).resolves(dayItem([entryAt('2026-11-23T00:00:00.000Z')]));
    const listed = await history.list(TASK_ARN, {
      since: new Date('2026-09-01T00:00:00Z'),
      until: new Date('2026-11-23T12:00:00Z'),
      limit: 1,
    });
    expect(listed).toHaveLength(1);
    expect(dynamo).toHaveReceivedCommandTimes(GetItemCommand, 7);
  });

  it('lets a read error out unchanged', async () => {
    const fault = new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} });
    dynamo.on(GetItemCommand).rejects(fault);
    const query = {
      since: new Date('2026-11-22T00:00:00Z'),
      until: new Date('2026-11-23T00:00:00Z'),
      limit: 5,
    };
    expect(await rejection(history.list(TASK_ARN, query))).toBe(fault);
  });
});
