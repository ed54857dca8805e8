// Why this file exists: the RunHistory in the run ledger's own table, beside the tasks' records. One item per
// task per UTC day, `pk = history#<task ARN>#<yyyy-mm-dd>`, with one top-level attribute per run
// (`run#<run id>`, its entry as JSON) and the set of the day's run ids. A write is one UpdateItem:
// - `SET #entry = :entry` replaces the run's own attribute, so writing a run twice leaves one entry;
//   top-level, not a key in a map attribute, because SET on `map.key` fails while the map does not exist
//   yet, and creating it in the same expression is refused as an overlapping path;
// - `ADD runIds :id` keeps the day's ids as a set (adding one twice is a no-op), which the condition counts
//   so a day holds at most MAX_RUNS_PER_DAY runs and its item never reaches DynamoDB's 400 KB limit;
// - `expiresAt` lets DynamoDB's TTL drop the day HISTORY_RETENTION_DAYS after it ends. (The task's record
//   has no expiresAt and never expires: shared/runs/dynamodb-store.ts.)
// Reading is a GetItem per day, newest first, a week at a time, until `limit` runs are found.
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  type HistoryQuery,
  type HistoryWrite,
  historyDayOf,
  historyDays,
  historyExpiresAt,
  historyKeyOf,
  MAX_RUNS_PER_DAY,
  newestFirst,
  type RunHistory,
  type RunHistoryEntry,
} from './history.ts';

const ENTRY_PREFIX = 'run#';
/** Days read at once: a week of nightly runs in one round of requests. */
const DAYS_PER_ROUND = 7;

export class DynamoDbRunHistory implements RunHistory {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async record(taskArn: string, entry: RunHistoryEntry): Promise<HistoryWrite> {
    const day = historyDayOf(entry);
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { pk: { S: historyKeyOf(taskArn, day) } },
          UpdateExpression: 'SET #entry = :entry, #expiresAt = :expiresAt ADD #runIds :runIds',
          ConditionExpression:
            'attribute_not_exists(#runIds) OR contains(#runIds, :runId) OR size(#runIds) < :maxRuns',
          // Named, not written inline: DynamoDB reserves many plain words, and a run id is not a plain name.
          ExpressionAttributeNames: {
            '#entry': `${ENTRY_PREFIX}${entry.id}`,
            '#expiresAt': 'expiresAt',
            '#runIds': 'runIds',
          },
          ExpressionAttributeValues: {
            ':entry': { S: JSON.stringify(entry) },
            ':expiresAt': { N: String(historyExpiresAt(day)) },
            ':runIds': { SS: [entry.id] },
            ':runId': { S: entry.id },
            ':maxRuns': { N: String(MAX_RUNS_PER_DAY) },
          },
        }),
      );
      return 'recorded';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'day-full';
      throw error;
    }
  }

  async list(taskArn: string, query: HistoryQuery): Promise<RunHistoryEntry[]> {
    const days = historyDays(query.since, query.until);
    const found: RunHistoryEntry[] = [];
    for (let first = 0; first < days.length && found.length < query.limit; first += DAYS_PER_ROUND) {
      const round = days.slice(first, first + DAYS_PER_ROUND);
      const items = await Promise.all(round.map((day) => this.readDay(taskArn, day)));
      found.push(...newestFirst(items.flat(), query));
    }
    return newestFirst(found, query);
  }

  private async readDay(taskArn: string, day: string): Promise<RunHistoryEntry[]> {
    const { Item } = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: { pk: { S: historyKeyOf(taskArn, day) } } }),
    );
    return entriesOf(Item);
  }
}

function entriesOf(item: Record<string, AttributeValue> | undefined): RunHistoryEntry[] {
  return Object.entries(item ?? {}).flatMap(([name, value]) =>
    name.startsWith(ENTRY_PREFIX) && value.S !== undefined ? [JSON.parse(value.S) as RunHistoryEntry] : [],
  );
}
