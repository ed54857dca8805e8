// The DynamoDB RunStore is the lock: its GetItem must be strongly consistent (a step must see the last
// write), its PutItem must be conditioned on exactly the version that was read (or on there being no item),
// a lost condition must read as "another writer came first" (false), and every other failure must reach the
// caller untouched, never be mistaken for a lost race.
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  ProvisionedThroughputExceededException,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbRunStore } from '#shared/runs/dynamodb-store';
import type { TaskRecord } from '#shared/runs/run';
import { runFixture, TASK_ARN } from '../../support/ports.ts';
import { rejection } from '../../support/rejection.ts';

const dynamo = mockClient(DynamoDBClient);
const TABLE = 'dms-scheduler-runs';
const store = new DynamoDbRunStore(new DynamoDBClient({ region: 'us-east-1' }), TABLE);
const KEY = { pk: { S: `task#${TASK_ARN}` } };

const RECORD: TaskRecord = {
  seen: 1_795_394_467_000,
  holdOff: { runId: 'old-run', since: '2026-11-22T01:00:00.000Z' },
  run: runFixture({
    phase: 'hooks',
    hooks: [{ name: 'mask-pii', status: 'pending', rerunnable: true, attempts: 0 }],
  }),
};

beforeEach(() => {
  dynamo.reset();
});

describe('load', () => {
  it('reads the task item with a strongly consistent GetItem', async () => {
    dynamo.on(GetItemCommand).resolves({});
    await store.load(TASK_ARN);
    expect(dynamo).toHaveReceivedCommandTimes(GetItemCommand, 1);
    expect(dynamo.commandCalls(GetItemCommand)[0]?.args[0].input).toStrictEqual({
      TableName: TABLE,
      Key: KEY,
      ConsistentRead: true,
    });
  });

  it.each([
    ['no item', {}],
    ['an item without a record', { Item: { ...KEY, version: { N: '4' } } }],
  ])('answers "no record, version 0" for %s', async (_, answer) => {
    dynamo.on(GetItemCommand).resolves(answer);
    expect(await store.load(TASK_ARN)).toEqual({ record: undefined, version: 0 });
  });

  it('parses the record and its version', async () => {
    dynamo.on(GetItemCommand).resolves({
      Item: { ...KEY, version: { N: '12' }, record: { S: JSON.stringify(RECORD) }, phase: { S: 'hooks' } },
    });
    expect(await store.load(TASK_ARN)).toEqual({ record: RECORD, version: 12 });
  });

  it('lets a read error out unchanged', async () => {
    const fault = new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} });
    dynamo.on(GetItemCommand).rejects(fault);
    expect(await rejection(store.load(TASK_ARN))).toBe(fault);
  });
});

describe('save', () => {
  it('creates the first item only if there is none', async () => {
    dynamo.on(PutItemCommand).resolves({});
    expect(await store.save(TASK_ARN, RECORD, 0)).toBe(true);
    expect(dynamo).toHaveReceivedCommandTimes(PutItemCommand, 1);
    expect(dynamo.commandCalls(PutItemCommand)[0]?.args[0].input).toStrictEqual({
      TableName: TABLE,
      Item: {
        ...KEY,
        version: { N: '1' },
        record: { S: JSON.stringify(RECORD) },
        phase: { S: 'hooks' },
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
  });

  it('replaces an item only at the version it read, and moves the version on by one', async () => {
    dynamo.on(PutItemCommand).resolves({});
    expect(await store.save(TASK_ARN, RECORD, 7)).toBe(true);
    expect(dynamo.commandCalls(PutItemCommand)[0]?.args[0].input).toStrictEqual({
      TableName: TABLE,
      Item: {
        ...KEY,
        version: { N: '8' },
        record: { S: JSON.stringify(RECORD) },
        phase: { S: 'hooks' },
      },
      ConditionExpression: '#version = :expected',
      ExpressionAttributeNames: { '#version': 'version' },
      ExpressionAttributeValues: { ':expected': { N: '7' } },
    });
  });

  it('writes the phase "none" for a record without a run, and no expiry attribute at all', async () => {
    dynamo.on(PutItemCommand).resolves({});
    await store.save(TASK_ARN, { seen: 3 }, 2);
    const item = dynamo.commandCalls(PutItemCommand)[0]?.args[0].input.Item;
    expect(item?.phase).toEqual({ S: 'none' });
    expect(Object.keys(item ?? {}).sort()).toEqual(['phase', 'pk', 'record', 'version']);
  });

  it('answers false when the condition fails: another writer came first', async () => {
    dynamo.on(PutItemCommand).rejects(new ConditionalCheckFailedException({ message: 'no', $metadata: {} }));
    expect(await store.save(TASK_ARN, RECORD, 3)).toBe(false);
  });

  it.each([
    ['throttling', new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} })],
    ['a network error', new Error('socket hang up')],
  ])('lets %s out unchanged, never as a lost race', async (_, fault) => {
    dynamo.on(PutItemCommand).rejects(fault);
    expect(await rejection(store.save(TASK_ARN, RECORD, 3))).toBe(fault);
  });

  it('stores a record that loads back as it was saved', async () => {
    dynamo.on(PutItemCommand).resolves({});
    await store.save(TASK_ARN, RECORD, 0);
    const item = dynamo.commandCalls(PutItemCommand)[0]?.args[0].input.Item;
    dynamo.on(GetItemCommand).resolves({ Item: item });
    expect(await store.load(TASK_ARN)).toEqual({ record: RECORD, version: 1 });
  });
});
