// Starting the task disables the schedule and launches a load that may overwrite a database, so the
// task-starter accepts exactly two things: a Scheduled Event of the stack's own schedule rule (same ARN,
// account and region) and a manual start in an explicit shape. These tests pin both accepted shapes and
// refuse every other one by name: each refusal must be an InvalidEventError whose message says what the
// event was, since that message is all a person sees in the invocation result.
import { describe, expect, it } from 'vitest';
import { ConfigurationError, InvalidEventError } from '#shared/errors';
import {
  ECHO_LIMIT,
  echoForLog,
  parseTrigger,
  ruleArnParts,
  TRIGGER_EVENT_LIMIT_BYTES,
  type Trigger,
  type TriggerExpectations,
} from '#shared/runs/trigger';
import { sampleEvent, sampleEventNames } from '../../support/events.ts';

const RULE_ARN = 'arn:aws:events:us-east-1:123456789012:rule/dms-scheduler-schedule';
const SCHEDULED: TriggerExpectations = { scheduleRuleArn: RULE_ARN };
const ONE_TIME: TriggerExpectations = { scheduleRuleArn: undefined };

/** The sample schedule event with some fields replaced (or removed, when the value is undefined). */
function scheduleEvent(changes: Record<string, unknown> = {}): Record<string, unknown> {
  const event = sampleEvent('schedule.json');
  if (typeof event !== 'object' || event === null) throw new Error('schedule.json is not an object');
  const copy: Record<string, unknown> = { ...event, ...changes };
  for (const [key, value] of Object.entries(changes)) if (value === undefined) delete copy[key];
  return copy;
}

/** The InvalidEventError a parse throws (fails the test if it throws anything else or nothing). */
function refusal(event: unknown, expected: TriggerExpectations = SCHEDULED): InvalidEventError {
  try {
    parseTrigger(event, expected);
  } catch (error) {
    if (error instanceof InvalidEventError) return error;
    throw error;
  }
  throw new Error('expected an InvalidEventError, but the event parsed');
}

const SCHEDULE_TRIGGER: Trigger = {
  kind: 'schedule',
  ruleArn: RULE_ARN,
  eventId: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa',
  time: new Date('2026-11-23T00:00:00Z'),
};

// One row per file in events/, so a new sample event must say what the task-starter makes of it.
const SAMPLES: Readonly<Record<string, Trigger | { readonly refused: string }>> = {
  'schedule.json': SCHEDULE_TRIGGER,
  'console-test.json': { kind: 'manual' },
  'override-reload-target.json': { kind: 'manual', startType: 'reload-target' },
  'cdc-start-position.json': {
    kind: 'manual',
    startType: 'start-replication',
    cdcStartPosition: 'mysql-bin-changelog.000024:373',
  },
  'override-invalid.json': { refused: 'startType: Invalid option' },
  'manual-unknown-field.json': { refused: 'unknown field "force"' },
  'schedule-other-rule.json': {
    refused: 'another rule ("arn:aws:events:us-east-1:123456789012:rule/someone-elses-rule")',
  },
  'schedule-same-name-other-account.json': {
    refused: 'another rule ("arn:aws:events:us-east-1:210987654321:rule/dms-scheduler-schedule")',
  },
  'reconcile.json': {
    refused: 'another rule ("arn:aws:events:us-east-1:123456789012:rule/dms-scheduler-reconcile")',
  },
  'milestone-tick.json': {
    refused: 'another rule ("arn:aws:events:us-east-1:123456789012:rule/dms-scheduler-milestone-tick")',
  },
  'sns-started.json': { refused: 'an SNS notification is not a start request' },
  'sns-started-shape-b.json': { refused: 'an SNS notification is not a start request' },
  'sns-stopped-full-load-finished.json': { refused: 'an SNS notification is not a start request' },
  'sns-stopped-full-load-finished-shape-b.json': { refused: 'an SNS notification is not a start request' },
  'sns-failed.json': { refused: 'an SNS notification is not a start request' },
  'sns-failed-shape-b.json': { refused: 'an SNS notification is not a start request' },
  'sns-foreign-task.json': { refused: 'an SNS notification is not a start request' },
  'sns-replication-instance.json': { refused: 'an SNS notification is not a start request' },
  'sns-garbage-message.json': { refused: 'an SNS notification is not a start request' },
  'eventbridge-started-documented.json': {
    refused: 'an aws.dms event ("DMS Replication Task State Change")',
  },
  'eventbridge-stopped.json': { refused: 'an aws.dms event ("DMS Replication Task State Change")' },
  'eventbridge-failed.json': { refused: 'an aws.dms event ("DMS Replication Task State Change")' },
  'eventbridge-foreign-task.json': { refused: 'an aws.dms event' },
  'eventbridge-instance-state-change.json': {
    refused: 'an aws.dms event ("DMS Replication Instance State Change") is not a start request',
  },
  'eventbridge-serverless-failed.json': {
    refused: 'an aws.dms event ("DMS Replication State Change") is not a start request',
  },
  'garbage.json': { refused: 'an event with Records' },
};

describe('parseTrigger over the sample events', () => {
  it('each file in events/ has an expectation here', () => {
    expect(sampleEventNames().sort()).toEqual(Object.keys(SAMPLES).sort());
  });

  it.each(Object.entries(SAMPLES))('%s', (file, expected) => {
    if ('refused' in expected) expect(refusal(sampleEvent(file)).message).toContain(expected.refused);
    else expect(parseTrigger(sampleEvent(file), SCHEDULED)).toStrictEqual(expected);
  });
});

describe('the schedule rule', () => {
  it('accepts its scheduled event on a custom bus too, by exact ARN', () => {
    const arn = 'arn:aws:events:us-east-1:123456789012:rule/ops-bus/dms-scheduler-schedule';
    const event = scheduleEvent({ resources: [arn] });
    expect(parseTrigger(event, { scheduleRuleArn: arn })).toMatchObject({ kind: 'schedule', ruleArn: arn });
  });

  it('accepts an event without id and time, returning neither', () => {
    expect(parseTrigger(scheduleEvent({ id: undefined, time: undefined }), SCHEDULED)).toStrictEqual({
      kind: 'schedule',
      ruleArn: RULE_ARN,
    });
  });

  const otherRule = (arn: string) => ({ resources: [arn] });
  it.each([
    [
      'another rule',
      otherRule(RULE_ARN.replace('dms-scheduler-schedule', 'someone-elses-rule')),
      'another rule',
    ],
    ['a look-alike rule name', otherRule(`${RULE_ARN}-2`), 'another rule'],
    ['a rule whose name ends in ours', otherRule(RULE_ARN.replace('rule/', 'rule/x')), 'another rule'],
    ['our name on a custom bus', otherRule(RULE_ARN.replace('rule/', 'rule/bus/')), 'another rule'],
    [
      'the same rule name in another account',
      otherRule(RULE_ARN.replace('123456789012', '999999999999')),
      'another rule',
    ],
    [
      'the same rule name in another region',
      otherRule(RULE_ARN.replace('us-east-1', 'eu-west-1')),
      'another rule',
    ],
    ['another partition', otherRule(RULE_ARN.replace('aws:', 'aws-cn:')), 'another rule'],
    [
      'an EventBridge Scheduler schedule of the same name',
      otherRule('arn:aws:scheduler:us-east-1:123456789012:schedule/default/dms-scheduler-schedule'),
      'another rule',
    ],
    ['our ARN with different case', otherRule(RULE_ARN.toUpperCase()), 'another rule'],
    [
      'two resources, ours first',
      { resources: [RULE_ARN, RULE_ARN] },
      'naming 2 resources, not exactly one rule',
    ],
    [
      'two resources, ours second',
      { resources: ['x', RULE_ARN] },
      'naming 2 resources, not exactly one rule',
    ],
    ['no resources', { resources: [] }, 'naming 0 resources, not exactly one rule'],
    ['resources missing', { resources: undefined }, 'without a list of resources'],
    ['resources as a string', { resources: RULE_ARN }, 'without a list of resources'],
    ['a resource that is not a string', { resources: [42] }, 'another rule (number 42)'],
    [
      'our rule ARN from another account',
      { account: '999999999999' },
      'from account "999999999999", not the rule\'s 123456789012',
    ],
    ['our rule ARN with no account', { account: undefined }, 'from account nothing'],
    [
      'our rule ARN from another region',
      { region: 'eu-west-1' },
      'from region "eu-west-1", not the rule\'s us-east-1',
    ],
    ['a malformed time', { time: 'midnight' }, 'malformed time ("midnight")'],
    ['a time without a zone', { time: '2026-11-23T00:00:00' }, 'malformed time'],
    ['a numeric time', { time: 1764000000 }, 'malformed time (number 1764000000)'],
    ['an empty id', { id: '' }, 'malformed id'],
    ['an object id', { id: {} }, 'malformed id (an object)'],
  ])('refuses %s, saying so', (_, changes, problem) => {
    const message = refusal(scheduleEvent(changes)).message;
    expect(message).toContain(problem);
    expect(message).toContain(`only scheduled events of ${RULE_ARN} start the task`);
  });

  it('in one-time mode refuses even the real schedule event, naming its rule', () => {
    const message = refusal(sampleEvent('schedule.json'), ONE_TIME).message;
    expect(message).toContain('this stack runs one-time: no scheduled event starts the task');
    expect(message).toContain(`"${RULE_ARN}"`);
  });

  it('in one-time mode still accepts a manual start', () => {
    expect(parseTrigger({}, ONE_TIME)).toStrictEqual({ kind: 'manual' });
  });

  it('fails as a configuration error, not an event error, when the configured ARN is not a rule ARN', () => {
    const expected = { scheduleRuleArn: 'dms-scheduler-schedule' };
    expect(() => parseTrigger(sampleEvent('schedule.json'), expected)).toThrow(ConfigurationError);
    expect(() => parseTrigger({}, expected)).toThrow(/is not an EventBridge rule ARN/);
  });
});

describe('manual starts', () => {
  it.each([
    ['an empty object', {}],
    ['the console test event', { key1: 'value1', key2: 'value2', key3: 'value3' }],
    ['the console test event with other strings', { key3: '', key1: 'a', key2: 'é' }],
    ['a null-prototype empty object', Object.create(null)],
  ])('%s is a plain manual trigger', (_, event) => {
    expect(parseTrigger(event, SCHEDULED)).toStrictEqual({ kind: 'manual' });
  });

  it('reads a key whose value is undefined as absent, as JSON would', () => {
    expect(parseTrigger({ startType: undefined, other: undefined }, SCHEDULED)).toStrictEqual({
      kind: 'manual',
    });
    expect(parseTrigger({ startType: 'reload-target', cdcStartTime: undefined }, SCHEDULED)).toStrictEqual({
      kind: 'manual',
      startType: 'reload-target',
    });
    expect(refusal({ startType: [undefined] }).message).toContain('startType: Invalid option');
  });

  it('parses cdcStartTime into a Date', () => {
    expect(parseTrigger({ cdcStartTime: '2026-11-23T01:00:00+01:00' }, SCHEDULED)).toStrictEqual({
      kind: 'manual',
      cdcStartTime: new Date('2026-11-23T00:00:00Z'),
    });
  });

  it('accepts every start type', () => {
    for (const startType of ['start-replication', 'reload-target', 'resume-processing'] as const) {
      expect(parseTrigger({ startType }, ONE_TIME)).toStrictEqual({ kind: 'manual', startType });
    }
  });

  it('refuses cdcStartTime and cdcStartPosition together', () => {
    const error = refusal({
      cdcStartTime: '2026-11-23T00:00:00Z',
      cdcStartPosition: 'mysql-bin-changelog.000024:373',
    });
    expect(error.message).toContain('give cdcStartTime or cdcStartPosition, not both');
  });

  it.each([
    ['startType', 'in upper case', { startType: 'START_REPLICATION' }, 'reload-target'],
    ['startType', 'a number', { startType: 42 }, 'expected one of'],
    ['startType', 'null', { startType: null }, 'expected one of'],
    ['cdcStartTime', 'a word', { cdcStartTime: 'tonight' }, 'Invalid ISO datetime'],
    ['cdcStartTime', 'without a zone', { cdcStartTime: '2026-11-23T00:00:00' }, 'Invalid ISO datetime'],
    [
      'cdcStartTime',
      'a day that does not exist',
      { cdcStartTime: '2026-02-30T00:00:00Z' },
      'Invalid ISO datetime',
    ],
    ['cdcStartTime', 'too long', { cdcStartTime: `2026-11-23T00:00:00.${'1'.repeat(100)}Z` }, 'Too big'],
    ['cdcStartPosition', 'empty', { cdcStartPosition: '' }, 'Too small'],
    ['cdcStartPosition', 'too long', { cdcStartPosition: 'x'.repeat(1025) }, 'Too big'],
  ])('refuses a malformed %s (%s), naming it', (field, _, event, problem) => {
    const message = refusal(event).message;
    expect(message).toContain(`Invalid manual event: ${field}:`);
    expect(message).toContain(problem);
  });

  it('refuses the console test event holding a non-string', () => {
    expect(refusal({ key1: 'value1', key2: 2, key3: 'value3' }).message).toContain(
      'the console test event (key1, key2, key3) must hold strings only',
    );
  });
});

describe('everything else is refused, by name', () => {
  const snsEnvelope = sampleEvent('sns-started.json');
  it.each([
    ['an SNS envelope', snsEnvelope, 'an SNS notification is not a start request'],
    ['an aws.dms event', sampleEvent('eventbridge-stopped.json'), 'an aws.dms event'],
    ['an SQS batch', { Records: [{ eventSource: 'aws:sqs', body: '{}' }] }, 'an event with Records'],
    ['Records that is not a list', { Records: 'x' }, 'an event with Records'],
    [
      'an EC2 event',
      { source: 'aws.ec2', 'detail-type': 'EC2 Instance State-change Notification' },
      'source "aws.ec2"',
    ],
    ['a source alone', { source: 'my.app' }, 'source "my.app" and detail-type nothing'],
    [
      'a Scheduled Event of another source',
      { ...scheduleEvent(), source: 'aws.scheduler' },
      'source "aws.scheduler"',
    ],
    [
      'a Scheduled Event without its detail-type',
      scheduleEvent({ 'detail-type': undefined }),
      'source "aws.events" and detail-type nothing',
    ],
    [
      'a Scheduled Event without its source',
      scheduleEvent({ source: undefined }),
      'source nothing and detail-type "Scheduled Event"',
    ],
    [
      'the rest of a Scheduled Event',
      scheduleEvent({ source: undefined, 'detail-type': undefined }),
      'shaped like an AWS service event (it has resources, detail, account, region, version, id)',
    ],
    [
      'an event with only resources',
      { resources: [RULE_ARN] },
      'shaped like an AWS service event (it has resources)',
    ],
    ['an event with version and id', { version: '0', id: 'x' }, 'it has version, id'],
    ['a bare string', 'go', 'a bare string is not a start request'],
    ['an empty string', '', 'a bare string is not a start request'],
    ['a number', 42, 'a bare number is not a start request'],
    ['a boolean', true, 'a bare boolean is not a start request'],
    ['null', null, 'a null event is not a start request'],
    ['undefined', undefined, 'an empty event is not a start request'],
    ['an array', [], 'an array is not a start request'],
    ['an array holding a start request', [{ startType: 'reload-target' }], 'an array is not a start request'],
    ['a Date', new Date(0), 'an object that is not plain JSON'],
    ['a Map', new Map(), 'an object that is not plain JSON'],
    ['a function', () => ({}), 'a bare function'],
    [
      'an unknown key',
      { go: true },
      'unknown field "go": a manual event may hold only startType, cdcStartTime',
    ],
    [
      'an unknown key next to startType',
      { startType: 'reload-target', dryRun: true },
      'unknown field "dryRun"',
    ],
    [
      'the console keys plus one',
      { key1: 'a', key2: 'b', key3: 'c', key4: 'd' },
      'unknown fields "key1", "key2", "key3" and 1 more',
    ],
    ['two of the console keys', { key1: 'a', key2: 'b' }, 'unknown fields "key1", "key2":'],
    [
      'a __proto__ key',
      JSON.parse('{"__proto__": {"startType": "reload-target"}}'),
      'unknown field "__proto__"',
    ],
    [
      'a constructor key',
      JSON.parse('{"constructor": {"prototype": {"polluted": true}}}'),
      'unknown field "constructor"',
    ],
    [
      'a __proto__ key beside startType',
      JSON.parse('{"startType":"reload-target","__proto__":{"x":1}}'),
      'unknown field "__proto__"',
    ],
    ['a bigint inside', { startType: 10n }, 'an event holding a bigint is not JSON'],
    ['a Date inside', { cdcStartTime: new Date(0) }, 'an event holding an object is not JSON'],
  ])('%s', (_, event, problem) => {
    expect(refusal(event).message).toContain(problem);
  });

  it('names at most three unknown keys, each cut short', () => {
    const keys = Array.from({ length: 50 }, (_, index) => `${'k'.repeat(100)}${index}`);
    const message = refusal(Object.fromEntries(keys.map((key) => [key, 1]))).message;
    expect(message).toContain('and 47 more');
    expect(message).not.toContain(keys[3]);
    expect(message).not.toContain('k'.repeat(41));
    expect(message.length).toBeLessThan(500);
  });

  it('refuses an accessor property without calling it', () => {
    let called = false;
    const event = {};
    Object.defineProperty(event, 'startType', {
      enumerable: true,
      get: () => {
        called = true;
        return 'reload-target';
      },
    });
    expect(refusal(event).message).toContain('accessor property');
    expect(called).toBe(false);
  });

  it('refuses an object whose reading throws (a hostile Proxy) as an InvalidEventError', () => {
    const hostile = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('boom');
        },
      },
    );
    const error = refusal(hostile);
    expect(error.message).toBe('Refused: the event could not be read as JSON');
    expect(error.cause).toEqual(new Error('boom'));
  });

  it('never lets a __proto__ key change a prototype', () => {
    const event = JSON.parse(
      '{"__proto__": {"polluted": "yes"}, "constructor": {"prototype": {"polluted": "yes"}}}',
    );
    refusal(event);
    expect(Object.hasOwn(Object.prototype, 'polluted')).toBe(false);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('the size bound', () => {
  /** A console test event whose compact JSON is exactly `bytes` long (key1 padded with `fill`). */
  function consoleEventOf(bytes: number, fill: string, fillBytes: number): Record<string, string> {
    const base = JSON.stringify({ key1: '', key2: 'value2', key3: 'value3' }).length;
    const count = (bytes - base) / fillBytes;
    if (!Number.isInteger(count)) throw new Error('the fill does not divide the size');
    const event = { key1: fill.repeat(count), key2: 'value2', key3: 'value3' };
    expect(Buffer.byteLength(JSON.stringify(event))).toBe(bytes);
    return event;
  }

  it.each([
    ['ASCII', 'x', 1],
    ['escaped quotes', '"', 2],
    ['escaped control characters', '\u0001', 6],
    ['two-byte characters', 'é', 2],
    ['surrogate pairs', '🔥', 4],
  ])('measures %s exactly as JSON.stringify and UTF-8 do: 16 KiB is accepted', (_, fill, fillBytes) => {
    const limit = TRIGGER_EVENT_LIMIT_BYTES;
    const slack = (limit - JSON.stringify({ key1: '', key2: 'value2', key3: 'value3' }).length) % fillBytes;
    expect(parseTrigger(consoleEventOf(limit - slack, fill, fillBytes), SCHEDULED)).toStrictEqual({
      kind: 'manual',
    });
  });

  it('refuses one byte more, saying so', () => {
    const event = consoleEventOf(TRIGGER_EVENT_LIMIT_BYTES + 1, 'x', 1);
    expect(refusal(event).message).toBe(
      'Refused: an event larger than 16 KiB of JSON is not a start request',
    );
  });

  it.each([
    ['a huge string value', { key1: 'x'.repeat(10_000_000), key2: '', key3: '' }],
    ['a huge key', { ['k'.repeat(1_000_000)]: 1 }],
    ['many keys', Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, i]))],
    ['a long sparse array', { startType: new Array(4_000_000_000) }],
    ['deep nesting', JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`)],
    ['deep nesting in an object', JSON.parse(`{"a":${'{"a":'.repeat(50_000)}1${'}'.repeat(50_001)}`)],
  ])('refuses %s as too large, without a stack overflow', (_, event) => {
    const message = refusal(event).message;
    // An array at the top is refused as such before its size matters.
    expect(message).toMatch(/larger than 16 KiB|an array is not a start request/);
  });

  it('refuses a cyclic object as too large instead of looping', () => {
    const event: Record<string, unknown> = {};
    event.self = event;
    expect(refusal(event).message).toContain('larger than 16 KiB');
  });

  it('refuses an oversize SNS envelope by its size, before reading it', () => {
    const envelope = { Records: [{ EventSource: 'aws:sns', Sns: { Message: 'x'.repeat(20_000) } }] };
    expect(refusal(envelope).message).toContain('larger than 16 KiB');
  });
});

describe('ruleArnParts', () => {
  it.each([
    [
      RULE_ARN,
      { partition: 'aws', region: 'us-east-1', account: '123456789012', name: 'dms-scheduler-schedule' },
    ],
    [
      'arn:aws-cn:events:cn-north-1:123456789012:rule/bus/name',
      { partition: 'aws-cn', region: 'cn-north-1', account: '123456789012', name: 'bus/name' },
    ],
  ])('reads %s', (arn, parts) => {
    expect(ruleArnParts(arn)).toStrictEqual({ arn, ...parts });
  });

  it.each([
    ['a name', 'dms-scheduler-schedule'],
    ['another service', 'arn:aws:scheduler:us-east-1:123456789012:schedule/default/x'],
    ['a short account', 'arn:aws:events:us-east-1:12345:rule/x'],
    ['no region', 'arn:aws:events::123456789012:rule/x'],
    ['no rule name', 'arn:aws:events:us-east-1:123456789012:rule/'],
    ['a colon in the name', 'arn:aws:events:us-east-1:123456789012:rule/a:b'],
    ['an event bus', 'arn:aws:events:us-east-1:123456789012:event-bus/default'],
    ['not an ARN', 'urn:aws:events:us-east-1:123456789012:rule/x'],
  ])('refuses %s', (_, arn) => {
    expect(ruleArnParts(arn)).toBeUndefined();
  });
});

describe('echoForLog', () => {
  it.each([
    ['a plain string', 'abc', '"abc"'],
    ['quotes and backslashes', 'a"b\\c', '"a\\"b\\\\c"'],
    ['line breaks and controls', 'a\nb\u0007\u2028', '"a\\u000ab\\u0007\\u2028"'],
    ['a lone surrogate', 'a\ud800b', '"a\\ud800b"'],
    ['a surrogate pair, kept', 'a🔥b', '"a🔥b"'],
    ['a number', 42, 'number 42'],
    ['null', null, 'null'],
    ['an array', [1], 'an array'],
    ['an object', {}, 'an object'],
    ['undefined', undefined, 'nothing'],
  ])('shows %s', (_, value, shown) => {
    expect(echoForLog(value)).toBe(shown);
  });

  it('cuts a long string, saying how long it was', () => {
    const shown = echoForLog('x'.repeat(1_000_000));
    expect(shown).toBe(`"${'x'.repeat(ECHO_LIMIT)}"... (1000000 characters)`);
  });

  it('never splits a surrogate pair at the cut', () => {
    const shown = echoForLog('🔥'.repeat(300), 3);
    expect(shown).toBe('"🔥🔥🔥"... (600 characters)');
  });
});
