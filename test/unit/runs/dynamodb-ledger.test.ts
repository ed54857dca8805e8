// The DynamoDB run ledger is what makes a run settle once (invariant 2: never twice). The claim must be a
// conditional put (so two deliveries cannot both win), a failed condition must say whether the run is held
// or already settled, and only the expected condition failures may be swallowed.
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  ProvisionedThroughputExceededException,
  PutItemCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbRunLedger } from '#shared/runs/dynamodb-ledger';
import type { SettledRun } from '#shared/runs/ledger';
import { rejection } from '../../support/rejection.ts';

const dynamo = mockClient(DynamoDBClient);
const TABLE = 'dms-scheduler-runs';
const NOW = new Date('2026-11-23T00:41:10Z');
const LEASE_UNTIL = new Date('2026-11-23T00:56:10Z');
const RUN_KEY = 'arn:aws:dms:us-east-1:123456789012:task:ABCDEFGHIJKLMNOPQRSTUVWXYZ#2026-11-23T00:00:05.000Z';
// 90 days after NOW, in epoch seconds, for the table's TTL.
const EXPIRES_AT = String(Math.floor(NOW.getTime() / 1000) + 90 * 24 * 3600);

const ledger = new DynamoDbRunLedger(new DynamoDBClient({ region: 'us-east-1' }), TABLE, () => NOW);

const SETTLED: SettledRun = {
  runKey: RUN_KEY,
  outcome: 'succeeded',
  hooksSucceeded: true,
  ruleAction: 'enable',
  settledAt: '2026-11-23T00:41:12.000Z',
};

const conditionFailed = (Item?: ConditionalCheckFailedException['Item']) =>
  new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {}, Item });

beforeEach(() => {
  dynamo.reset();
});

describe('claim', () => {
  it('claims with a conditional put: only if no one holds the run, or their lease has run out', async () => {
    dynamo.on(PutItemCommand).resolves({});
    expect(await ledger.claim(RUN_KEY, LEASE_UNTIL)).toStrictEqual({ claimed: true });
    expect(dynamo).toHaveReceivedCommandExactlyOnceWith(PutItemCommand, {
      TableName: TABLE,
      Item: {
        runKey: { S: RUN_KEY },
        state: { S: 'in-progress' },
        leaseUntil: { N: String(LEASE_UNTIL.getTime()) },
        expiresAt: { N: EXPIRES_AT },
      },
      ConditionExpression: 'attribute_not_exists(runKey) OR (#state = :inProgress AND leaseUntil < :now)',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: {
        ':inProgress': { S: 'in-progress' },
        ':now': { N: String(NOW.getTime()) },
      },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
  });

  it('reports the settled run when someone settled it already', async () => {
    dynamo.on(PutItemCommand).rejects(
      conditionFailed({
        runKey: { S: RUN_KEY },
        state: { S: 'settled' },
        outcome: { S: 'failed' },
        hooksSucceeded: { BOOL: false },
        ruleAction: { S: 'keep-disabled' },
        settledAt: { S: '2026-11-23T00:41:12.000Z' },
      }),
    );
    expect(await ledger.claim(RUN_KEY, LEASE_UNTIL)).toStrictEqual({
      claimed: false,
      settled: {
        runKey: RUN_KEY,
        outcome: 'failed',
        hooksSucceeded: false,
        ruleAction: 'keep-disabled',
        settledAt: '2026-11-23T00:41:12.000Z',
      },
    });
  });

  it('reads a settled record without its optional fields as conservatively as it can', async () => {
    dynamo
      .on(PutItemCommand)
      .rejects(conditionFailed({ state: { S: 'settled' }, outcome: { S: 'succeeded' } }));
    expect(await ledger.claim(RUN_KEY, LEASE_UNTIL)).toStrictEqual({
      claimed: false,
      settled: {
        runKey: RUN_KEY,
        outcome: 'succeeded',
        hooksSucceeded: false,
        ruleAction: 'none',
        settledAt: '',
      },
    });
  });

  it.each([
    ['an unexpired in-progress claim', { state: { S: 'in-progress' }, leaseUntil: { N: '1' } }],
    ['no item returned', undefined],
  ])('reports the run as held by someone else for %s', async (_, item) => {
    dynamo.on(PutItemCommand).rejects(conditionFailed(item));
    expect(await ledger.claim(RUN_KEY, LEASE_UNTIL)).toStrictEqual({ claimed: false });
  });

  it.each([
    ['ResourceNotFoundException', new ResourceNotFoundException({ message: 'no table', $metadata: {} })],
    [
      'ProvisionedThroughputExceededException',
      new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} }),
    ],
    ['a network error', new Error('socket hang up')],
  ])('lets %s reach the caller', async (_, fault) => {
    dynamo.on(PutItemCommand).rejects(fault);
    expect(await rejection(ledger.claim(RUN_KEY, LEASE_UNTIL))).toBe(fault);
  });
});

describe('settle', () => {
  it('writes the settled record over the claim', async () => {
    dynamo.on(PutItemCommand).resolves({});
    await ledger.settle(SETTLED);
    expect(dynamo).toHaveReceivedCommandExactlyOnceWith(PutItemCommand, {
      TableName: TABLE,
      Item: {
        runKey: { S: RUN_KEY },
        state: { S: 'settled' },
        outcome: { S: 'succeeded' },
        hooksSucceeded: { BOOL: true },
        ruleAction: { S: 'enable' },
        settledAt: { S: '2026-11-23T00:41:12.000Z' },
        expiresAt: { N: EXPIRES_AT },
      },
    });
    const input = dynamo.commandCalls(PutItemCommand)[0]?.args[0].input;
    expect(input?.ConditionExpression).toBeUndefined();
  });

  it('lets a failed write reach the caller', async () => {
    const fault = new ResourceNotFoundException({ message: 'no table', $metadata: {} });
    dynamo.on(PutItemCommand).rejects(fault);
    expect(await rejection(ledger.settle(SETTLED))).toBe(fault);
  });
});

describe('abandon', () => {
  it('deletes the claim only while it is still in progress', async () => {
    dynamo.on(DeleteItemCommand).resolves({});
    await ledger.abandon(RUN_KEY);
    expect(dynamo).toHaveReceivedCommandExactlyOnceWith(DeleteItemCommand, {
      TableName: TABLE,
      Key: { runKey: { S: RUN_KEY } },
      ConditionExpression: '#state = :inProgress',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: { ':inProgress': { S: 'in-progress' } },
    });
  });

  it('does nothing more when the run was settled meanwhile (the condition failed)', async () => {
    dynamo.on(DeleteItemCommand).rejects(conditionFailed({ state: { S: 'settled' } }));
    await expect(ledger.abandon(RUN_KEY)).resolves.toBeUndefined();
  });

  it.each([
    ['ResourceNotFoundException', new ResourceNotFoundException({ message: 'no table', $metadata: {} })],
    ['a network error', new Error('socket hang up')],
  ])('lets %s reach the caller', async (_, fault) => {
    dynamo.on(DeleteItemCommand).rejects(fault);
    expect(await rejection(ledger.abandon(RUN_KEY))).toBe(fault);
  });
});
