// Parses whatever reached the post-processor into TaskNotices: DMS event-subscription messages delivered by
// SNS (both message shapes seen in the wild), native `aws.dms` EventBridge events (both detail shapes), and
// the stack's own reconcile tick (a Scheduled Event of exactly the reconcile rule).
//
// Nothing here throws, whatever the input: input that is not a replication-task notice is returned as
// rejected with a reason, so the handler can log it and move on instead of failing into an endless retry
// (invariant 5). The input is untrusted, so everything is bounded: an SNS message over SNS's own 256 KiB
// limit is not parsed, at most RECORDS_READ_LIMIT records are read, no regex that can backtrack runs over a
// whole message (the source ID is found by a linear line scan), and every reason or notice field that
// quotes the input is cut to a fixed length before it can reach a log line.
import { dmsArnParts } from '../dms/arn.ts';
import { checkScheduledEvent, echoForLog, ruleArnParts } from '../runs/trigger.ts';
import * as z from '../schema.ts';
import { isWhitespace } from '../text.ts';
import { EventBridgeSchema, SnsRecordSchema } from './envelopes.ts';
import type { ParsedNotices, RejectedInput, TaskNotice } from './notice.ts';

export const TASK_STATE_CHANGE = 'DMS Replication Task State Change';
/** What a DMS Serverless replication config's state changes are called (dms-facts §9). */
export const REPLICATION_STATE_CHANGE = 'DMS Replication State Change';
/** SNS refuses to publish a larger message, so a larger one did not come from DMS through SNS. */
export const SNS_MESSAGE_LIMIT_BYTES = 256 * 1024;
/** SNS delivers one record per invocation; a batch of more is not SNS, and is not read beyond this. */
export const RECORDS_READ_LIMIT = 100;
/** DMS task identifiers are 1–255 characters: a longer "identifier" names no task of ours. */
const TASK_IDENTIFIER_LIMIT = 255;
/** IAM's bound on an ARN's length. */
const ARN_LIMIT = 2048;
/** The message text is a hint for the logs only (the outcome is read from DMS), so it is kept short. */
const NOTICE_MESSAGE_LIMIT = 1000;

export interface NoticeExpectations {
  /** Exact ARN of the stack's reconcile rule: only its Scheduled Events are ticks. */
  readonly reconcileRuleArn: string;
  /** The task's ARN: native aws.dms events must come from its account and region. */
  readonly taskArn: string;
  /** Exact ARN of a full-load-and-cdc stack's milestone-tick rule; unset in other stacks (no such tick). */
  readonly milestoneRuleArn?: string | undefined;
}

// `/DMS-EVENT-\d{4}/` is a literal followed by exactly four digits: each start position costs a bounded
// number of steps, so even unanchored it is linear in the text.
const EVENT_ID = /DMS-EVENT-\d{4}/;
// Shape B puts the source ID on its own line inside "Identifier Link": "...#tasks:ids=test\nSourceId: test ".
const SOURCE_ID_LABEL = 'SourceId:';

const subscriptionMessageSchema = z.object({
  'Event Source': z.string(),
  'Event ID': z.optional(z.string()),
  'Event Message': z.optional(z.string()),
  'Identifier Link': z.optional(z.string()),
  SourceId: z.optional(z.string()),
});

const taskDetailSchema = z.object({
  eventId: z.optional(z.string()),
  eventName: z.optional(z.string()),
  eventType: z.optional(z.string()),
  detailMessage: z.optional(z.string()),
});

export function parseNotices(event: unknown, expected: NoticeExpectations): ParsedNotices {
  try {
    return parseEvent(event, expected);
  } catch {
    // Nothing below throws on JSON; only an in-process caller's exotic object (a Proxy, a throwing getter)
    // could get here, and it is rejected like any other unusable input.
    return collect([{ reason: 'an event that could not be read' }]);
  }
}

function parseEvent(event: unknown, expected: NoticeExpectations): ParsedNotices {
  if (isObject(event)) {
    const records = own(event, 'Records');
    if (Array.isArray(records)) return parseSnsRecords(records);
    if (own(event, 'source') !== undefined && own(event, 'detail-type') !== undefined) {
      return collect([parseEventBridge(event, expected)]);
    }
  }
  return collect([{ reason: 'neither an SNS notification nor an EventBridge event' }]);
}

function parseSnsRecords(records: readonly unknown[]): ParsedNotices {
  if (records.length === 0) return collect([{ reason: 'an SNS event with no records' }]);
  const items: (TaskNotice | RejectedInput)[] = [];
  const read = Math.min(records.length, RECORDS_READ_LIMIT);
  for (let index = 0; index < read; index++) items.push(readSafely(() => parseSnsRecord(records[index])));
  if (records.length > read) {
    items.push({
      reason: `${records.length - read} more records not read: at most ${RECORDS_READ_LIMIT} are read from one event`,
    });
  }
  return collect(items);
}

/** One record's failure must not hide the others. */
function readSafely(parse: () => TaskNotice | RejectedInput): TaskNotice | RejectedInput {
  try {
    return parse();
  } catch {
    return { reason: 'an SNS record that could not be read' };
  }
}

function parseSnsRecord(record: unknown): TaskNotice | RejectedInput {
  const envelope = SnsRecordSchema.safeParse(record);
  if (!envelope.success) return { reason: 'an SNS record that is not a notification' };
  const text = envelope.data.Sns.Message;
  // UTF-8 needs at least one byte per UTF-16 unit, so a long string is known too large without counting.
  if (text.length > SNS_MESSAGE_LIMIT_BYTES || Buffer.byteLength(text, 'utf8') > SNS_MESSAGE_LIMIT_BYTES) {
    return {
      reason: `an SNS message larger than SNS's limit of ${SNS_MESSAGE_LIMIT_BYTES / 1024} KiB (not read)`,
    };
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { reason: 'an SNS message that is not JSON' };
  }
  const message = subscriptionMessageSchema.safeParse(body);
  if (!message.success) return { reason: 'an SNS message that is not a DMS event-subscription message' };
  const fields = message.data;
  if (fields['Event Source'] !== 'replication-task') {
    return {
      reason: `a DMS notice from Event Source ${echoForLog(fields['Event Source'], 64)}, not a replication task`,
    };
  }
  const link = fields['Identifier Link'];
  const taskIdentifier =
    fields.SourceId?.trim() || (link === undefined ? undefined : sourceIdOfIdentifierLink(link));
  if (!taskIdentifier) return { reason: 'a DMS replication-task message that names no task' };
  if (taskIdentifier.length > TASK_IDENTIFIER_LIMIT) {
    return {
      reason: `a DMS message naming a task identifier longer than ${TASK_IDENTIFIER_LIMIT} characters (${echoForLog(taskIdentifier)})`,
    };
  }
  return {
    channel: 'sns',
    taskIdentifier,
    eventId: fields['Event ID']?.match(EVENT_ID)?.[0],
    message: clip(fields['Event Message']),
  };
}

/**
 * The source ID in a shape-B `Identifier Link`: the first non-blank word after `SourceId:` on a line whose
 * leading whitespace is skipped. A single forward scan: each character is looked at a bounded number of
 * times (the label comparison is at most 9 per line), so the work is linear in the link's length. The
 * regex it replaces, /(?:^|\n)\s*SourceId:\s*(\S+)/, was quadratic on a run of line breaks, since `\s*` also
 * swallows them and the search restarts after each one. `meter`, when given, counts the steps (for tests).
 */
export function sourceIdOfIdentifierLink(link: string, meter?: { steps: number }): string | undefined {
  const length = link.length;
  let steps = 0;
  let i = 0;
  let found: string | undefined;
  while (i < length && found === undefined) {
    // Leading whitespace of the line, but not the line break that ends it.
    while (i < length && link.charCodeAt(i) !== LINE_FEED && isWhitespace(link.charCodeAt(i))) {
      i++;
      steps++;
    }
    steps += SOURCE_ID_LABEL.length;
    if (link.startsWith(SOURCE_ID_LABEL, i)) {
      i += SOURCE_ID_LABEL.length;
      while (i < length && link.charCodeAt(i) !== LINE_FEED && isWhitespace(link.charCodeAt(i))) {
        i++;
        steps++;
      }
      const start = i;
      while (i < length && !isWhitespace(link.charCodeAt(i))) {
        i++;
        steps++;
      }
      if (i > start) found = link.slice(start, i);
    }
    // The rest of the line.
    while (i < length && link.charCodeAt(i) !== LINE_FEED) {
      i++;
      steps++;
    }
    i++;
    steps++;
  }
  if (meter) meter.steps += steps;
  return found;
}

const LINE_FEED = 0x0a;

function parseEventBridge(event: object, expected: NoticeExpectations): TaskNotice | RejectedInput {
  const envelope = EventBridgeSchema.safeParse(event);
  if (!envelope.success) return { reason: 'a malformed EventBridge event' };
  const { source, account, region, resources, detail } = envelope.data;
  const detailType = envelope.data['detail-type'];
  if (source === 'aws.events' && detailType === 'Scheduled Event') return scheduledTick(event, expected);
  const task = dmsArnParts(expected.taskArn);
  if (task === undefined) {
    return {
      reason:
        'the configured task ARN is neither a DMS task nor a replication config ARN: no aws.dms event is read',
    };
  }
  // A Serverless replication reports on its config as DMS Replication State Change; the Replication Task
  // State Change events it also emits name an internal task (serv-res-id-…) that is not the config.
  const stateChange = task.kind === 'replication-config' ? REPLICATION_STATE_CHANGE : TASK_STATE_CHANGE;
  if (source !== 'aws.dms' || detailType !== stateChange) {
    return {
      reason: `an EventBridge event of ${echoForLog(source, 64)} / ${echoForLog(detailType, 64)}, not a ${stateChange}`,
    };
  }
  // Only DMS publishes aws.dms events, and only to its own account's default bus; one from another account
  // or region was forwarded from elsewhere and cannot be about our task.
  if (account !== task.account) {
    return {
      reason: `an aws.dms event from account ${echoForLog(account, 64)}, not the task's ${task.account}`,
    };
  }
  if (region !== task.region) {
    return {
      reason: `an aws.dms event from region ${echoForLog(region, 64)}, not the task's ${task.region}`,
    };
  }
  const taskArn = resources[0];
  if (!taskArn) return { reason: 'a DMS task state change that names no task' };
  if (taskArn.length > ARN_LIMIT) {
    return {
      reason: `a DMS task state change naming a resource longer than ${ARN_LIMIT} characters (${echoForLog(taskArn)})`,
    };
  }
  const fields = taskDetailSchema.safeParse(detail);
  if (!fields.success) return { reason: 'a DMS task state change with a malformed detail' };
  // The documented detail says eventName; events seen in practice say eventId. Read both.
  const eventId = (fields.data.eventId ?? fields.data.eventName)?.match(EVENT_ID)?.[0];
  return { channel: 'eventbridge', taskArn, eventId, message: clip(fields.data.detailMessage) };
}

/**
 * A Scheduled Event of exactly the milestone-tick rule (when the stack has one) is a milestone tick; any other
 * is judged as a reconcile tick, with the same strictness for both.
 */
function scheduledTick(event: object, expected: NoticeExpectations): TaskNotice | RejectedInput {
  const milestone =
    expected.milestoneRuleArn === undefined ? undefined : ruleArnParts(expected.milestoneRuleArn);
  if (milestone !== undefined && checkScheduledEvent(event, milestone).ours)
    return { channel: 'milestone-tick' };
  return reconcileTick(event, expected);
}

/** The reconcile tick is a Scheduled Event of exactly the reconcile rule; any other schedule is not. */
function reconcileTick(event: object, expected: NoticeExpectations): TaskNotice | RejectedInput {
  const rule = ruleArnParts(expected.reconcileRuleArn);
  if (rule === undefined) {
    return {
      reason:
        'the configured reconcile rule ARN is not an EventBridge rule ARN: no scheduled event is a tick',
    };
  }
  const check = checkScheduledEvent(event, rule);
  if (!check.ours) return { reason: `${check.problem}, not the reconcile rule's tick` };
  return { channel: 'reconcile' };
}

/** A notice's message text, cut to a bounded length on a character boundary. */
function clip(text: string | undefined): string | undefined {
  if (text === undefined || text.length <= NOTICE_MESSAGE_LIMIT) return text;
  const end = isHighSurrogate(text.charCodeAt(NOTICE_MESSAGE_LIMIT - 1))
    ? NOTICE_MESSAGE_LIMIT - 1
    : NOTICE_MESSAGE_LIMIT;
  return `${text.slice(0, end)}... (${text.length - end} more characters)`;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
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

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

/** An own data property, never a getter's result nor a prototype (JSON.parse makes `__proto__` an own key). */
function own(value: object, key: string): unknown {
  const descriptor = Object.getOwnPropertyDescriptor(value, key);
  return descriptor !== undefined && 'value' in descriptor ? descriptor.value : undefined;
}
