// Parses whatever reached the post-processor into TaskNotices: DMS event-subscription messages delivered by
// SNS (both message shapes seen in the wild), native `aws.dms` EventBridge events (both detail shapes), and
// the stack's own reconcile tick (a scheduled event).
// Nothing here throws: input that is not a replication-task notice is returned as rejected with a reason,
// so the handler can log it and move on instead of failing into an endless retry (invariant 5).
import { EventBridgeSchema } from '@aws-lambda-powertools/parser/schemas/eventbridge';
import { SnsRecordSchema } from '@aws-lambda-powertools/parser/schemas/sns';
import { z } from 'zod';
import type { ParsedNotices, RejectedInput, TaskNotice } from './notice.ts';

const EVENT_ID = /DMS-EVENT-\d{4}/;
// Shape B puts the source ID on its own line inside "Identifier Link": "...#tasks:ids=test\nSourceId: test ".
const SOURCE_ID_LINE = /(?:^|\n)\s*SourceId:\s*(\S+)/;

const subscriptionMessageSchema = z.object({
  'Event Source': z.string(),
  'Event ID': z.string().optional(),
  'Event Message': z.string().optional(),
  'Identifier Link': z.string().optional(),
  SourceId: z.string().optional(),
});

const taskDetailSchema = z.object({
  eventId: z.string().optional(),
  eventName: z.string().optional(),
  eventType: z.string().optional(),
  detailMessage: z.string().optional(),
});

export const TASK_STATE_CHANGE = 'DMS Replication Task State Change';

export function parseNotices(event: unknown): ParsedNotices {
  if (isObject(event) && Array.isArray(event.Records)) return parseSnsRecords(event.Records);
  if (isObject(event) && event.source !== undefined && event['detail-type'] !== undefined) {
    return collect([parseEventBridge(event)]);
  }
  return collect([{ reason: 'neither an SNS notification nor an EventBridge event' }]);
}

function parseSnsRecords(records: unknown[]): ParsedNotices {
  if (records.length === 0) return collect([{ reason: 'an SNS event with no records' }]);
  return collect(records.map(parseSnsRecord));
}

function parseSnsRecord(record: unknown): TaskNotice | RejectedInput {
  const envelope = SnsRecordSchema.safeParse(record);
  if (!envelope.success) return { reason: 'an SNS record that is not a notification' };
  let body: unknown;
  try {
    body = JSON.parse(envelope.data.Sns.Message);
  } catch {
    return { reason: 'an SNS message that is not JSON' };
  }
  const message = subscriptionMessageSchema.safeParse(body);
  if (!message.success) return { reason: 'an SNS message that is not a DMS event-subscription message' };
  const fields = message.data;
  if (fields['Event Source'] !== 'replication-task') {
    return { reason: `a DMS notice about a ${fields['Event Source']}, not a replication task` };
  }
  const taskIdentifier = fields.SourceId?.trim() || fields['Identifier Link']?.match(SOURCE_ID_LINE)?.[1];
  if (!taskIdentifier) return { reason: 'a DMS replication-task message that names no task' };
  return {
    channel: 'sns',
    taskIdentifier,
    eventId: fields['Event ID']?.match(EVENT_ID)?.[0],
    message: fields['Event Message'],
  };
}

function parseEventBridge(event: unknown): TaskNotice | RejectedInput {
  const envelope = EventBridgeSchema.safeParse(event);
  if (!envelope.success) return { reason: 'a malformed EventBridge event' };
  const { source, resources, detail } = envelope.data;
  const detailType = envelope.data['detail-type'];
  // Only the stack's reconcile rule may invoke the post-processor on a schedule (its Lambda permission says so).
  if (source === 'aws.events' && detailType === 'Scheduled Event') return { channel: 'reconcile' };
  if (source !== 'aws.dms' || detailType !== TASK_STATE_CHANGE) {
    return { reason: `an EventBridge event of ${source} / ${detailType}, not a DMS task state change` };
  }
  const taskArn = resources[0];
  if (!taskArn) return { reason: 'a DMS task state change that names no task' };
  const fields = taskDetailSchema.safeParse(detail);
  if (!fields.success) return { reason: 'a DMS task state change with a malformed detail' };
  // The documented detail says eventName; events seen in practice say eventId. Read both.
  const eventId = (fields.data.eventId ?? fields.data.eventName)?.match(EVENT_ID)?.[0];
  return { channel: 'eventbridge', taskArn, eventId, message: fields.data.detailMessage };
}

function collect(items: readonly (TaskNotice | RejectedInput)[]): ParsedNotices {
  const notices: TaskNotice[] = [];
  const rejected: RejectedInput[] = [];
  for (const item of items) {
    if ('reason' in item) rejected.push(item);
    else notices.push(item);
  }
  return { notices, rejected };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
