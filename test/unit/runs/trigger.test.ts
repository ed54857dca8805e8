// What invoked the task-starter decides whether the rule is the run's lock and which start type may be asked
// for: a scheduled event from our own rule, any other scheduled event (ignored by the starter), or a manual
// event whose optional fields are checked before anything changes.
import { describe, expect, it } from 'vitest';
import { InvalidEventError } from '#shared/errors';
import { isFromRule, parseTrigger, type Trigger } from '#shared/runs/trigger';
import { sampleEvent } from '../../support/events.ts';

const OUR_RULE = 'dms-scheduler-schedule';
const RULE_ARN = (path: string) => `arn:aws:events:us-east-1:123456789012:rule/${path}`;

/** The InvalidEventError a parse throws (fails the test if it throws anything else or nothing). */
function invalidEvent(event: unknown): InvalidEventError {
  try {
    parseTrigger(event);
  } catch (error) {
    if (error instanceof InvalidEventError) return error;
    throw error;
  }
  throw new Error('expected an InvalidEventError, but the event parsed');
}

describe('parseTrigger over the sample events', () => {
  it.each([
    ['schedule.json', { kind: 'schedule', ruleArn: RULE_ARN(OUR_RULE) }],
    ['schedule-other-rule.json', { kind: 'schedule', ruleArn: RULE_ARN('someone-elses-rule') }],
    ['console-test.json', { kind: 'manual' }],
    ['override-reload-target.json', { kind: 'manual', startType: 'reload-target' }],
    [
      'cdc-start-position.json',
      { kind: 'manual', startType: 'start-replication', cdcStartPosition: 'mysql-bin-changelog.000024:373' },
    ],
  ] satisfies [string, Trigger][])('%s', (file, expected) => {
    expect(parseTrigger(sampleEvent(file))).toStrictEqual(expected);
  });

  it('override-invalid.json is refused, naming startType and the value it must take', () => {
    const error = invalidEvent(sampleEvent('override-invalid.json'));
    expect(error.message).toContain('startType');
    expect(error.message).toContain('reload-target');
  });
});

describe('parseTrigger on manual events', () => {
  it.each([
    ['null', null],
    ['a string', 'go'],
    ['an empty object', {}],
  ])('%s is a plain manual trigger', (_, event) => {
    expect(parseTrigger(event)).toStrictEqual({ kind: 'manual' });
  });

  it('parses cdcStartTime into a Date', () => {
    expect(parseTrigger({ cdcStartTime: '2026-11-23T01:00:00+01:00' })).toStrictEqual({
      kind: 'manual',
      cdcStartTime: new Date('2026-11-23T00:00:00Z'),
    });
  });

  it('refuses cdcStartTime and cdcStartPosition together', () => {
    const error = invalidEvent({
      cdcStartTime: '2026-11-23T00:00:00Z',
      cdcStartPosition: 'mysql-bin-changelog.000024:373',
    });
    expect(error.message).toContain('give cdcStartTime or cdcStartPosition, not both');
  });

  it.each([
    ['startType', { startType: 'START_REPLICATION' }],
    ['startType', { startType: 42 }],
    ['cdcStartTime', { cdcStartTime: 'tonight' }],
    ['cdcStartTime', { cdcStartTime: '2026-11-23T00:00:00' }],
    ['cdcStartPosition', { cdcStartPosition: '' }],
    ['cdcStartPosition', { cdcStartPosition: 'x'.repeat(1025) }],
  ])('refuses a malformed %s, naming it', (field, event) => {
    expect(invalidEvent(event).message).toContain(`${field}:`);
  });

  it('a scheduled event with no resources is not a schedule trigger', () => {
    const event = { source: 'aws.events', 'detail-type': 'Scheduled Event', resources: [] };
    expect(parseTrigger(event)).toStrictEqual({ kind: 'manual' });
  });
});

describe('isFromRule', () => {
  const schedule = (ruleArn: string): Trigger => ({ kind: 'schedule', ruleArn });

  it.each([
    ['our rule on the default bus', schedule(RULE_ARN(OUR_RULE)), OUR_RULE, true],
    ['our rule on a custom bus', schedule(RULE_ARN(`bus-name/${OUR_RULE}`)), OUR_RULE, true],
    ['another rule', schedule(RULE_ARN('someone-elses-rule')), OUR_RULE, false],
    ['another rule on a custom bus', schedule(RULE_ARN('bus-name/someone-elses-rule')), OUR_RULE, false],
    ['a bus named like our rule', schedule(RULE_ARN(`${OUR_RULE}/other-rule`)), OUR_RULE, false],
    ['a rule whose name ends in ours', schedule(RULE_ARN(`x-${OUR_RULE}`)), OUR_RULE, false],
    [
      'an EventBridge Scheduler schedule of the same name',
      schedule(`arn:aws:scheduler:us-east-1:123456789012:schedule/default/${OUR_RULE}`),
      OUR_RULE,
      false,
    ],
    ['any rule when no rule is configured', schedule(RULE_ARN(OUR_RULE)), undefined, false],
    ['a manual trigger', { kind: 'manual' }, OUR_RULE, false],
  ] satisfies [string, Trigger, string | undefined, boolean][])('%s', (_, trigger, ruleName, expected) => {
    expect(isFromRule(trigger, ruleName)).toBe(expected);
  });
});
