// The RunStore in DynamoDB: one item per task, `pk = task#<task ARN>`, holding the record as JSON and a
// version number. A save is a PutItem conditioned on the version it read, so of two writers only one wins;
// the loser re-reads (see `updateRecord`). Reads are strongly consistent: a step must see the last write.
// The item never expires (no `expiresAt`): its `seen` fingerprint is what keeps an old run from looking new.
import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { TaskRecord } from './run.ts';
import type { RunStore, StoredRecord } from './store.ts';

export class DynamoDbRunStore implements RunStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async load(taskArn: string): Promise<StoredRecord> {
    const { Item } = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: { pk: { S: keyOf(taskArn) } },
        ConsistentRead: true,
      }),
    );
    const json = Item?.record?.S;
    if (Item === undefined || json === undefined) return { record: undefined, version: 0 };
    return { record: JSON.parse(json) as TaskRecord, version: Number(Item.version?.N ?? '0') };
  }

  async save(taskArn: string, record: TaskRecord, expectedVersion: number): Promise<boolean> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            pk: { S: keyOf(taskArn) },
            version: { N: String(expectedVersion + 1) },
            record: { S: JSON.stringify(record) },
            // For people reading the table: the phase of the task's current run.
            phase: { S: record.run?.phase ?? 'none' },
          },
          ConditionExpression: expectedVersion === 0 ? 'attribute_not_exists(pk)' : '#version = :expected',
          // Named, not written inline: DynamoDB reserves many plain words in expressions.
          ...(expectedVersion !== 0 && {
            ExpressionAttributeNames: { '#version': 'version' },
            ExpressionAttributeValues: { ':expected': { N: String(expectedVersion) } },
          }),
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}

function keyOf(taskArn: string): string {
  return `task#${taskArn}`;
}
