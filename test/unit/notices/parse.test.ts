// The post-processor's front door (invariant 5): every sample event is parsed as it arrives, both SNS message
// shapes and both EventBridge detail shapes yield the task and event id, other tasks' notices are recognised
// as foreign, only the reconcile rule's own Scheduled Event is the reconcile tick, aws.dms events count only
// from the task's account and region, and anything else is rejected with a bounded reason. parseNotices
// must never throw: a throw would fail the invocation into endless asynchronous retries.
import type { SNSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { TaskRef } from '#shared/config';
import { concernsTask, type ParsedNotices, type TaskNotice } from '#shared/notices/notice';
import {
  type NoticeExpectations,
  parseNotices as parseNoticesFor,
  RECORDS_READ_LIMIT,
  SNS_MESSAGE_LIMIT_BYTES,
  sourceIdOfIdentifierLink,
} from '#shared/notices/parse';
import { sampleEvent, sampleEventNames } from '../../support/events.ts';
import { TASK_ARN } from '../../support/ports.ts';

const OUR_TASK: TaskRef = { arn: TASK_ARN, identifier: 'nightly-refresh' };
const RECONCILE_RULE_ARN = 'arn:aws:events:us-east-1:123456789012:rule/dms-scheduler-reconcile';
const EXPECTATIONS: NoticeExpectations = { reconcileRuleArn: RECONCILE_RULE_ARN, taskArn: TASK_ARN };
/** Longest reason any rejection may give: reasons are logged. */
const REASON_LIMIT = 600;

/** The parse as the post-processor configures it for the test stack. */
const parseNotices = (event: unknown): ParsedNotices => parseNoticesFor(event, EXPECTATIONS);

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
    rejected: 'a DMS notice from Event Source "replication-instance", not a replication task',
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
    rejected: /"DMS Replication Instance State Change", not a DMS Replication Task State Change/,
  },
  // A Serverless replication's event is not read by a stack that schedules a task (see the Serverless block).
  'eventbridge-serverless-failed.json': {
    rejected: /"DMS Replication State Change", not a DMS Replication Task State Change/,
  },
  // Only the reconcile rule's scheduled event is the tick: it names no task and asks whether a run ended
  // unnoticed. Another rule's schedule (the task-starter's, or anyone's routed here) is not.
  'reconcile.json': reconcile,
  // A full-load-and-cdc stack's milestone tick, in a stack without that rule (the milestone tests read it as one).
  'milestone-tick.json': {
    rejected:
      'a scheduled event from another rule ("arn:aws:events:us-east-1:123456789012:rule/dms-scheduler-milestone-tick"), ' +
      "not the reconcile rule's tick",
  },
  'schedule.json': {
    rejected:
      'a scheduled event from another rule ("arn:aws:events:us-east-1:123456789012:rule/dms-scheduler-schedule"), ' +
      "not the reconcile rule's tick",
  },
  'schedule-other-rule.json': {
    rejected: /another rule \("arn:aws:events:us-east-1:123456789012:rule\/someone-elses-rule"\)/,
  },
  'schedule-same-name-other-account.json': {
    rejected: /another rule \("arn:aws:events:us-east-1:210987654321:rule\/dms-scheduler-schedule"\)/,
  },
  'garbage.json': notDms,
  'manual-unknown-field.json': notDms,
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
    ['another source', { source: 'aws.rds' }, /"aws\.rds" \/ "DMS Replication Task State Change"/],
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

/** The reconcile sample with some fields replaced (or removed, when the value is undefined). */
function tickEvent(changes: Record<string, unknown>): unknown {
  const event = sampleEvent('reconcile.json');
  if (typeof event !== 'object' || event === null) throw new Error('reconcile.json is not an object');
  const copy: Record<string, unknown> = { ...event, ...changes };
  for (const [key, value] of Object.entries(changes)) if (value === undefined) delete copy[key];
  return copy;
}

function onlyRejection(parsed: ParsedNotices): string {
  expect(parsed.notices).toEqual([]);
  expect(parsed.rejected).toHaveLength(1);
  const reason = parsed.rejected[0]?.reason ?? '';
  expect(reason.length).toBeLessThanOrEqual(REASON_LIMIT);
  return reason;
}

describe('the reconcile tick is the reconcile rule’s scheduled event, exactly', () => {
  const rule = (name: string) => RECONCILE_RULE_ARN.replace('dms-scheduler-reconcile', name);
  it.each([
    ['a look-alike rule name', { resources: [rule('dms-scheduler-reconcile-2')] }, 'from another rule'],
    [
      'a rule whose name ends in ours',
      { resources: [rule('xdms-scheduler-reconcile')] },
      'from another rule',
    ],
    ['our name on a custom bus', { resources: [rule('bus/dms-scheduler-reconcile')] }, 'from another rule'],
    [
      'the same rule name in another account',
      { resources: [RECONCILE_RULE_ARN.replace('123456789012', '999999999999')], account: '999999999999' },
      'from another rule',
    ],
    [
      'our ARN from another account',
      { account: '999999999999' },
      'from account "999999999999", not the rule\'s 123456789012',
    ],
    [
      'our ARN from another region',
      { region: 'eu-west-1' },
      'from region "eu-west-1", not the rule\'s us-east-1',
    ],
    ['two resources', { resources: [RECONCILE_RULE_ARN, RECONCILE_RULE_ARN] }, 'naming 2 resources'],
    ['no resources', { resources: [] }, 'naming 0 resources'],
  ])('rejects %s, naming the problem', (_, changes, problem) => {
    const reason = onlyRejection(parseNotices(tickEvent(changes)));
    expect(reason).toContain(problem);
    expect(reason).toContain("not the reconcile rule's tick");
  });

  it('names a foreign rule ARN in the reason only up to a bound', () => {
    const reason = onlyRejection(
      parseNotices(tickEvent({ resources: [`${RECONCILE_RULE_ARN}${'x'.repeat(100_000)}`] })),
    );
    expect(reason).toContain('"... (100066 characters)), not the reconcile');
  });

  it('accepts the tick of a reconcile rule on a custom bus, by its exact ARN', () => {
    const arn = rule('ops/dms-scheduler-reconcile');
    const parsed = parseNoticesFor(tickEvent({ resources: [arn] }), {
      ...EXPECTATIONS,
      reconcileRuleArn: arn,
    });
    expect(parsed).toEqual({ notices: [{ channel: 'reconcile' }], rejected: [] });
  });

  it('rejects every tick, without throwing, when the configured reconcile ARN is not a rule ARN', () => {
    const parsed = parseNoticesFor(sampleEvent('reconcile.json'), {
      ...EXPECTATIONS,
      reconcileRuleArn: 'reconcile',
    });
    expect(onlyRejection(parsed)).toBe(
      'the configured reconcile rule ARN is not an EventBridge rule ARN: no scheduled event is a tick',
    );
  });
});

describe('native aws.dms events count only from the task’s account and region', () => {
  it.each([
    [
      'another account',
      { account: '999999999999' },
      'an aws.dms event from account "999999999999", not the task\'s 123456789012',
    ],
    [
      'another region',
      { region: 'eu-west-1' },
      'an aws.dms event from region "eu-west-1", not the task\'s us-east-1',
    ],
    [
      'a padded account',
      { account: ' 123456789012' },
      'an aws.dms event from account " 123456789012", not the task\'s 123456789012',
    ],
  ])('rejects an event from %s', (_, changes, reason) => {
    expect(onlyRejection(parseNotices(eventBridgeEvent(changes)))).toBe(reason);
  });

  it('still reads a foreign task’s event from our account as a notice, which concernsTask then ignores', () => {
    const [notice] = parseNotices(sampleEvent('eventbridge-foreign-task.json')).notices;
    expect(notice && concernsTask(notice, OUR_TASK)).toBe(false);
  });

  it('rejects a resource longer than any ARN, with a bounded reason', () => {
    const reason = onlyRejection(
      parseNotices(eventBridgeEvent({ resources: [`${TASK_ARN}${'x'.repeat(5000)}`] })),
    );
    expect(reason).toContain('naming a resource longer than 2048 characters');
  });

  it('cuts a long detail message to a bounded hint', () => {
    const parsed = parseNotices(
      eventBridgeEvent({ detail: { eventId: 'DMS-EVENT-0079', detailMessage: 'm'.repeat(50_000) } }),
    );
    expect(parsed.notices[0]?.message).toBe(`${'m'.repeat(1000)}... (49000 more characters)`);
  });

  it('rejects every aws.dms event, without throwing, when the configured task ARN is not a task ARN', () => {
    const parsed = parseNoticesFor(sampleEvent('eventbridge-stopped.json'), {
      ...EXPECTATIONS,
      taskArn: 'nightly-refresh',
    });
    expect(onlyRejection(parsed)).toBe(
      'the configured task ARN is neither a DMS task nor a replication config ARN: no aws.dms event is read',
    );
  });

  it('bounds a foreign source and detail-type in the reason', () => {
    const reason = onlyRejection(
      parseNotices(eventBridgeEvent({ source: 's'.repeat(10_000), 'detail-type': '\n'.repeat(10_000) })),
    );
    expect(reason).not.toContain('\n');
    expect(reason).toContain('(10000 characters)');
  });
});

describe('a stack that schedules a DMS Serverless replication config', () => {
  const CONFIG_ARN = 'arn:aws:dms:us-east-1:123456789012:replication-config:NIGHTLYSERVERLESS0000000000';
  const SERVERLESS: NoticeExpectations = { ...EXPECTATIONS, taskArn: CONFIG_ARN };
  const serverlessEvent = (changes: Record<string, unknown> = {}) => ({
    ...(sampleEvent('eventbridge-serverless-failed.json') as Record<string, unknown>),
    ...changes,
  });

  it("reads the config's DMS Replication State Change as a notice about the config", () => {
    const parsed = parseNoticesFor(serverlessEvent(), SERVERLESS);
    expect(parsed).toEqual({
      notices: [{ channel: 'eventbridge', taskArn: CONFIG_ARN, message: 'DMS replication has failed.' }],
      rejected: [],
    });
    const [notice] = parsed.notices;
    expect(notice && concernsTask(notice, { arn: CONFIG_ARN, identifier: 'nightly-serverless' })).toBe(true);
  });

  it('rejects the task state changes a Serverless replication also emits for its internal task', () => {
    const internalTask = eventBridgeEvent({
      resources: ['arn:aws:dms:us-east-1:123456789012:task:serv-res-id-1700000000000-abc'],
    });
    expect(onlyRejection(parseNoticesFor(internalTask, SERVERLESS))).toMatch(
      /"DMS Replication Task State Change", not a DMS Replication State Change/,
    );
  });

  it.each([
    ['another account', { account: '999999999999' }, 'from account "999999999999", not the task\'s'],
    ['another region', { region: 'eu-west-1' }, 'from region "eu-west-1", not the task\'s'],
  ])('rejects a Serverless event from %s', (_, changes, reason) => {
    expect(onlyRejection(parseNoticesFor(serverlessEvent(changes), SERVERLESS))).toContain(reason);
  });

  it("reads another config's event as a notice that concernsTask then ignores", () => {
    const other = 'arn:aws:dms:us-east-1:123456789012:replication-config:SOMEONEELSE';
    const [notice] = parseNoticesFor(serverlessEvent({ resources: [other] }), SERVERLESS).notices;
    expect(notice?.taskArn).toBe(other);
    expect(notice && concernsTask(notice, { arn: CONFIG_ARN, identifier: 'nightly-serverless' })).toBe(false);
  });
});

describe('SNS messages, bounded', () => {
  const taskMessage = (fields: Record<string, string>) => ({ 'Event Source': 'replication-task', ...fields });

  /** A valid task message padded (in its Event Message) to exactly `bytes` of UTF-8 with `fill`. */
  function messageOf(bytes: number, fill: string, fillBytes: number): string {
    const base = JSON.stringify(taskMessage({ SourceId: 'nightly-refresh', 'Event Message': '' }));
    const count = (bytes - Buffer.byteLength(base)) / fillBytes;
    const text = JSON.stringify(
      taskMessage({ SourceId: 'nightly-refresh', 'Event Message': fill.repeat(Math.floor(count)) }),
    );
    return text + ' '.repeat(bytes - Buffer.byteLength(text));
  }

  it('reads a message of exactly 256 KiB', () => {
    const text = messageOf(SNS_MESSAGE_LIMIT_BYTES, 'x', 1);
    expect(Buffer.byteLength(text)).toBe(SNS_MESSAGE_LIMIT_BYTES);
    expect(parseNotices(snsEvent(text)).notices).toEqual([
      expect.objectContaining({ taskIdentifier: 'nightly-refresh' }),
    ]);
  });

  it.each([
    ['one ASCII byte more', 'x', 1],
    ['fewer characters than the limit, but more bytes', 'é', 2],
  ])('rejects a message of %s without parsing it', (_, fill, fillBytes) => {
    const text = messageOf(SNS_MESSAGE_LIMIT_BYTES + 1, fill, fillBytes);
    expect(Buffer.byteLength(text)).toBe(SNS_MESSAGE_LIMIT_BYTES + 1);
    expect(onlyRejection(parseNotices(snsEvent(text)))).toBe(
      "an SNS message larger than SNS's limit of 256 KiB (not read)",
    );
  });

  it(`reads at most ${RECORDS_READ_LIMIT} records and says how many it left`, () => {
    const record = snsEvent(taskMessage({ SourceId: 'nightly-refresh' })).Records[0];
    const parsed = parseNotices({ Records: Array.from({ length: 150 }, () => record) });
    expect(parsed.notices).toHaveLength(RECORDS_READ_LIMIT);
    expect(parsed.rejected).toEqual([
      { reason: '50 more records not read: at most 100 are read from one event' },
    ]);
  });

  it('rejects an identifier longer than any DMS task identifier, with a bounded reason', () => {
    const reason = onlyRejection(parseNotices(snsEvent(taskMessage({ SourceId: 'n'.repeat(256) }))));
    expect(reason).toContain('a DMS message naming a task identifier longer than 255 characters');
  });

  it('accepts an identifier of 255 characters', () => {
    const parsed = parseNotices(snsEvent(taskMessage({ SourceId: 'n'.repeat(255) })));
    expect(parsed.notices[0]?.taskIdentifier).toBe('n'.repeat(255));
  });

  it('bounds a foreign Event Source in the reason', () => {
    const reason = onlyRejection(parseNotices(snsEvent({ 'Event Source': 'r'.repeat(100_000) })));
    expect(reason).toContain('(100000 characters), not a replication task');
  });

  it('cuts a long Event Message on a character boundary', () => {
    const parsed = parseNotices(
      snsEvent(taskMessage({ SourceId: 'nightly-refresh', 'Event Message': `${'m'.repeat(999)}🔥tail` })),
    );
    expect(parsed.notices[0]?.message).toBe(`${'m'.repeat(999)}... (6 more characters)`);
  });

  it('takes SourceId over the Identifier Link when both are there', () => {
    const message = taskMessage({ SourceId: ' nightly-refresh ', 'Identifier Link': 'x\nSourceId: other' });
    expect(parseNotices(snsEvent(message)).notices[0]?.taskIdentifier).toBe('nightly-refresh');
  });

  it('reads a hostile __proto__ key in the message as nothing, and pollutes nothing', () => {
    const text =
      '{"Event Source":"replication-task","SourceId":"nightly-refresh","__proto__":{"polluted":true}}';
    expect(parseNotices(snsEvent(text)).notices[0]?.taskIdentifier).toBe('nightly-refresh');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('sourceIdOfIdentifierLink', () => {
  const LINK = 'https://console.aws.amazon.com/dms/home?region=us-east-1#tasks:ids=nightly-refresh';
  it.each([
    ['shape B', `${LINK}\nSourceId: nightly-refresh `, 'nightly-refresh'],
    ['no space after the label', `${LINK}\nSourceId:nightly-refresh`, 'nightly-refresh'],
    ['leading whitespace on the line', `${LINK}\n \t SourceId: nightly-refresh`, 'nightly-refresh'],
    ['CRLF line ends', `${LINK}\r\nSourceId: nightly-refresh\r\n`, 'nightly-refresh'],
    ['blank lines before it', `${LINK}\n\n\n  \nSourceId: nightly-refresh`, 'nightly-refresh'],
    ['the label on the first line', 'SourceId: nightly-refresh', 'nightly-refresh'],
    ['a word after the id', 'SourceId: nightly-refresh and more', 'nightly-refresh'],
    ['an empty label, then a real one', 'SourceId:\nSourceId: nightly-refresh', 'nightly-refresh'],
    ['two labels: the first wins', 'SourceId: first\nSourceId: second', 'first'],
  ])('finds the id with %s', (_, link, id) => {
    expect(sourceIdOfIdentifierLink(link)).toBe(id);
  });

  it.each([
    ['no label', LINK],
    ['the label mid-line', `${LINK} SourceId: nightly-refresh`],
    ['a label with nothing after it', `${LINK}\nSourceId:   `],
    ['the id on the next line only', `${LINK}\nSourceId:\nnightly-refresh`],
    ['a lower-case label', `${LINK}\nsourceid: nightly-refresh`],
    ['an empty link', ''],
  ])('finds nothing with %s', (_, link) => {
    expect(sourceIdOfIdentifierLink(link)).toBeUndefined();
  });
});

describe('input whose reading throws', () => {
  const hostile = new Proxy(
    {},
    {
      getOwnPropertyDescriptor() {
        throw new Error('boom');
      },
    },
  );

  it('is rejected, not thrown', () => {
    expect(parseNotices(hostile)).toEqual({
      notices: [],
      rejected: [{ reason: 'an event that could not be read' }],
    });
  });

  it('in a batch, costs only its own record', () => {
    const good = snsEvent({ 'Event Source': 'replication-task', SourceId: 'nightly-refresh' }).Records[0];
    const parsed = parseNotices({ Records: [hostile, good] });
    expect(parsed.notices).toEqual([expect.objectContaining({ taskIdentifier: 'nightly-refresh' })]);
    expect(parsed.rejected).toHaveLength(1);
  });
});
