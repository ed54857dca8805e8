// The RunLedger in DynamoDB: a conditional put is the claim, so two concurrent deliveries of the same notice
// cannot both win. A claim is a lease: if the function dies mid-run, the lease runs out and a retry settles
// the run. Records expire through the table's TTL after 90 days.
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { OutcomeKind } from '../dms/outcome.ts';
import type { Claim, RuleAction, RunLedger, SettledRun } from './ledger.ts';

const RETENTION_SECONDS = 90 * 24 * 3600;

export class DynamoDbRunLedger implements RunLedger {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async claim(runKey: string, leaseUntil: Date): Promise<Claim> {
    const now = this.clock();
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            runKey: { S: runKey },
            state: { S: 'in-progress' },
            leaseUntil: { N: String(leaseUntil.getTime()) },
            expiresAt: { N: String(expiry(now)) },
          },
          ConditionExpression: 'attribute_not_exists(runKey) OR (#state = :inProgress AND leaseUntil < :now)',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':inProgress': { S: 'in-progress' },
            ':now': { N: String(now.getTime()) },
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { claimed: true };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const item = error.Item;
      if (item?.state?.S !== 'settled') return { claimed: false };
      return {
        claimed: false,
        settled: {
          runKey,
          outcome: item.outcome?.S as OutcomeKind,
          hooksSucceeded: item.hooksSucceeded?.BOOL ?? false,
          ruleAction: (item.ruleAction?.S ?? 'none') as RuleAction,
          settledAt: item.settledAt?.S ?? '',
        },
      };
    }
  }

  async settle(run: SettledRun): Promise<void> {
    await this.client.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: {
          runKey: { S: run.runKey },
          state: { S: 'settled' },
          outcome: { S: run.outcome },
          hooksSucceeded: { BOOL: run.hooksSucceeded },
          ruleAction: { S: run.ruleAction },
          settledAt: { S: run.settledAt },
          expiresAt: { N: String(expiry(this.clock())) },
        },
      }),
    );
  }

  async abandon(runKey: string): Promise<void> {
    try {
      await this.client.send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: { runKey: { S: runKey } },
          ConditionExpression: '#state = :inProgress',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':inProgress': { S: 'in-progress' } },
        }),
      );
    } catch (error) {
      // Already settled by someone else: there is nothing to give back.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}

function expiry(now: Date): number {
  return Math.floor(now.getTime() / 1000) + RETENTION_SECONDS;
}
