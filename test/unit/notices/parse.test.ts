// The post-processor's front door (invariant 5): every sample event is parsed as it arrives, both SNS message
// shapes and both EventBridge detail shapes yield the task and event id, other tasks' notices are recognised
// as foreign, a scheduled event is the reconcile tick, and anything else is rejected with a reason.
// parseNotices must never throw.
import type { SNSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { TaskRef } from '#shared/config';
import { concernsTask, type ParsedNotices, type TaskNotice } from '#shared/notices/notice';
import { parseNotices } from '#shared/notices/parse';
import { sampleEvent, sampleEventNames } from '../../support/events.ts';

const OUR_TASK: TaskRef = {
  arn: 'arn:aws:dms:us-east-1:123456789012:task:ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  identifier: 'nightly-refresh',
};

type Expected =
  | { readonly notice: TaskNotice; readonly ours: boolean }
  | { readonly rejected: string | RegExp };

const sns = (eventId: string, taskIdentifier = 'nightly-refresh', ours = true): Expected => ({
  notice: { channel: 'sns', taskIdentifier, eventId, message: expect.any(String) },
  ours,
});
const eventBridge = (eventId: string, taskArn = OUR_TASK.arn, ours = true): Expected => ({
  notice: { channel: 'eventbridge', taskArn, eventId, message: expect.any(String) },
  ours,
});
const notDms = { rejected: 'neither an SNS notification nor an EventBridge event' };
const reconcile: Expected = { notice: { channel: 'reconcile' }, ours: true };

// One row per file in events/: a new sample event without a row here fails the completeness test.
const EXPECTED: Readonly<Record<string, Expected>> = {
  'sns-started.json': sns('DMS-EVENT-0069'),
  'sns-started-shape-b.json': sns('DMS-EVENT-0069'),
  'sns-stopped-full-load-finished.json': sns('DMS-EVENT-0079'),
  'sns-stopped-full-load-finished-shape-b.json': sns('DMS-EVENT-0079'),
  'sns-failed.json': sns('DMS-EVENT-0078'),
  'sns-failed-shape-b.json': sns('DMS-EVENT-0078'),
  'sns-foreign-task.json': sns('DMS-EVENT-0079', 'someone-elses-task', false),
  'sns-replication-instance.json': {
    rejected: 'a DMS notice about a replication-instance, not a replication task',
  },
  'sns-garbage-message.json': { rejected: 'an SNS message that is not JSON' },
  'eventbridge-started-documented.json': eventBridge('DMS-EVENT-0069'),
  'eventbridge-stopped.json': eventBridge('DMS-EVENT-0079'),
  'eventbridge-failed.json': eventBridge('DMS-EVENT-0078'),
  'eventbridge-foreign-task.json': eventBridge(
    'DMS-EVENT-0079',
    'arn:aws:dms:us-east-1:123456789012:task:SOMEONEELSESTASK0000000000',
    false,
  ),
  'eventbridge-instance-state-change.json': {
    rejected: /DMS Replication Instance State Change, not a DMS task/,
  },
  // Any scheduled event is the reconcile tick: it names no task and asks whether a run ended unnoticed.
  'reconcile.json': reconcile,
  'schedule.json': reconcile,
  'schedule-other-rule.json': reconcile,
  'garbage.json': notDms,
  'console-test.json': notDms,
  'override-invalid.json': notDms,
  'override-reload-target.json': notDms,
  'cdc-start-position.json': notDms,
};

describe('the sample events', () => {
  it('each file in events/ has an expectation here', () => {
    expect(sampleEventNames().sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.entries(EXPECTED))('%s', (file, expected) => {
    const parsed = parseNotices(sampleEvent(file));
    if ('rejected' in expected) {
      expect(parsed.notices).toEqual([]);
      expect(parsed.rejected).toHaveLength(1);
      if (typeof expected.rejected === 'string') expect(parsed.rejected[0]?.reason).toBe(expected.rejected);
      else expect(parsed.rejected[0]?.reason).toMatch(expected.rejected);
      return;
    }
    expect(parsed).toEqual({ notices: [expected.notice], rejected: [] });
    const [notice] = parsed.notices;
    if (!notice) throw new Error('no notice parsed');
    expect(concernsTask(notice, OUR_TASK)).toBe(expected.ours);
  });

  it('keeps the message text of a notice (as a hint, for the logs)', () => {
    expect(parseNotices(sampleEvent('eventbridge-stopped.json')).notices[0]?.message).toBe(
      'Stop Reason FULL_LOAD_ONLY_FINISHED',
    );
    expect(parseNotices(sampleEvent('sns-failed.json')).notices[0]?.message).toBe(
      'Replication task has failed.',
    );
  });
});

/** An SNS event around one DMS event-subscription message (any JSON value, or raw text as it is). */
function snsEvent(message: unknown): SNSEvent {
  const topic = 'arn:aws:sns:us-east-1:123456789012:dms-scheduler-dms-events';
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: `${topic}:2c1e9a4e-7f0d-4c55-8e8a-6f1b2d3c4e5f`,
        Sns: {
          Type: 'Notification',
          MessageId: '95df01b4-ee98-5cb9-9903-4c221d41eb5e',
          TopicArn: topic,
          Subject: 'DMS Notification Message',
          Message: typeof message === 'string' ? message : JSON.stringify(message),
          Timestamp: '2026-11-23T00:41:07.091Z',
          SignatureVersion: '1',
          Signature: 'EXAMPLE',
          SigningCertUrl: 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0.pem',
          UnsubscribeUrl: `https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${topic}`,
          MessageAttributes: {},
        },
      },
    ],
  };
}

/** An EventBridge event like the stopped sample, with some fields replaced. */
function eventBridgeEvent(changes: Record<string, unknown>): unknown {
  const event = sampleEvent('eventbridge-stopped.json');
  return typeof event === 'object' && event !== null ? { ...event, ...changes } : event;
}

describe('input that is not a usable notice', () => {
  it.each([
    ['null', null],
    ['undefined', undefined],
    ['a number', 42],
    ['a string', 'string'],
    ['an array', []],
    ['an empty object', {}],
    ['Records that is not a list', { Records: 'nope' }],
  ])('%s is rejected as neither SNS nor EventBridge', (_, input) => {
    expect(parseNotices(input)).toEqual({ notices: [], rejected: [{ reason: notDms.rejected }] });
  });

  it('an SNS event without records is rejected', () => {
    expect(parseNotices({ Records: [] })).toEqual({
      notices: [],
      rejected: [{ reason: 'an SNS event with no records' }],
    });
  });

  it.each([
    ['a record without its Sns field', { EventSource: 'aws:sns', EventVersion: '1.0' }],
    ['a null record', null],
    ['a string record', 'record'],
  ])('%s is rejected', (_, record) => {
    expect(parseNotices({ Records: [record] })).toEqual({
      notices: [],
      rejected: [{ reason: 'an SNS record that is not a notification' }],
    });
  });

  it.each([
    ['JSON null', null],
    ['a JSON number', 7],
    ['an object without "Event Source"', { 'Event ID': 'DMS-EVENT-0079', SourceId: 'nightly-refresh' }],
  ])('an SNS message holding %s is rejected', (_, message) => {
    expect(parseNotices(snsEvent(message)).rejected).toEqual([
      { reason: 'an SNS message that is not a DMS event-subscription message' },
    ]);
  });

  it('a replication-task message that names no task is rejected', () => {
    const message = {
      'Event Source': 'replication-task',
      'Identifier Link': 'https://console.aws.amazon.com/dms/home?region=us-east-1#tasks:ids=nightly-refresh',
      'Event ID': 'DMS-EVENT-0079',
    };
    expect(parseNotices(snsEvent(message)).rejected).toEqual([
      { reason: 'a DMS replication-task message that names no task' },
    ]);
  });

  it('reads each record of an SNS batch on its own: one bad record does not hide a good one', () => {
    const good = snsEvent({ 'Event Source': 'replication-task', SourceId: 'nightly-refresh' });
    const records = [...good.Records, ...snsEvent('this is not JSON {').Records];
    const parsed: ParsedNotices = parseNotices({ Records: records });
    expect(parsed.notices).toEqual([expect.objectContaining({ taskIdentifier: 'nightly-refresh' })]);
    expect(parsed.rejected).toEqual([{ reason: 'an SNS message that is not JSON' }]);
  });

  it.each([
    ['no resources', { resources: [] }, 'a DMS task state change that names no task'],
    [
      'a detail with a non-string eventId',
      { detail: { eventId: 79 } },
      'a DMS task state change with a malformed detail',
    ],
    ['no time', { time: undefined }, 'a malformed EventBridge event'],
    [
      'a detail that is not an object',
      { detail: 'stopped' },
      'a DMS task state change with a malformed detail',
    ],
    ['another source', { source: 'aws.rds' }, /aws\.rds \/ DMS Replication Task State Change/],
  ])('an EventBridge event with %s is rejected', (_, changes, reason) => {
    const parsed = parseNotices(eventBridgeEvent(changes));
    expect(parsed.notices).toEqual([]);
    expect(parsed.rejected).toHaveLength(1);
    expect(parsed.rejected[0]?.reason).toMatch(reason);
  });

  it('an EventBridge task event without an event id still names the task', () => {
    const parsed = parseNotices(eventBridgeEvent({ detail: { detailMessage: 'Replication task stopped' } }));
    expect(parsed.notices).toEqual([
      {
        channel: 'eventbridge',
        taskArn: OUR_TASK.arn,
        eventId: undefined,
        message: 'Replication task stopped',
      },
    ]);
  });
});

describe('concernsTask', () => {
  it.each([
    ['our identifier', { channel: 'sns', taskIdentifier: 'nightly-refresh' }, true],
    ['our ARN', { channel: 'eventbridge', taskArn: OUR_TASK.arn }, true],
    ['another identifier', { channel: 'sns', taskIdentifier: 'nightly-refresh-2' }, false],
    ['another ARN', { channel: 'eventbridge', taskArn: `${OUR_TASK.arn}0` }, false],
    ['our ARN in the identifier field', { channel: 'sns', taskIdentifier: OUR_TASK.arn }, false],
    ['neither', { channel: 'sns' }, false],
    ['no task, as the reconcile tick', { channel: 'reconcile' }, true],
  ] satisfies [string, TaskNotice, boolean][])('a notice naming %s: %s', (_, notice, expected) => {
    expect(concernsTask(notice, OUR_TASK)).toBe(expected);
  });
});
