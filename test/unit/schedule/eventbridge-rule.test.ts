// The EventBridge schedule rule reads before it writes: whether a rule is on decides whether a run owns it,
// so every variant of "enabled" must read as ENABLED, and EnableRule / DisableRule must never be sent to a
// rule already in that state (AWS documents neither as a no-op, least of all for the CloudTrail variant).
import {
  DescribeRuleCommand,
  DisableRuleCommand,
  EnableRuleCommand,
  EventBridgeClient,
  ResourceNotFoundException,
  type RuleState,
} from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { EventBridgeScheduleRule } from '#shared/schedule/eventbridge-rule';
import { RULE_NAME } from '../../support/ports.ts';
import { rejection } from '../../support/rejection.ts';

const eventBridge = mockClient(EventBridgeClient);
const rule = new EventBridgeScheduleRule(new EventBridgeClient({ region: 'us-east-1' }), RULE_NAME);

const ruleIs = (state: RuleState) => {
  eventBridge.on(DescribeRuleCommand).resolves({ Name: RULE_NAME, State: state });
};

/** The commands sent, by name, in order. */
const sent = () => eventBridge.calls().map((call) => call.args[0].constructor.name);

beforeEach(() => {
  eventBridge.reset();
  eventBridge.on(EnableRuleCommand).resolves({});
  eventBridge.on(DisableRuleCommand).resolves({});
});

describe('state', () => {
  it.each([
    ['ENABLED', 'ENABLED'],
    ['ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS', 'ENABLED'],
    ['DISABLED', 'DISABLED'],
  ] as const)('reads %s as %s, asking DescribeRule for the rule by name', async (state, expected) => {
    ruleIs(state);
    expect(await rule.state()).toBe(expected);
    expect(eventBridge).toHaveReceivedCommandExactlyOnceWith(DescribeRuleCommand, { Name: RULE_NAME });
    expect(sent()).toEqual(['DescribeRuleCommand']);
  });

  it('keeps its name for messages and the run record', () => {
    expect(rule.name).toBe(RULE_NAME);
  });
});

describe('disable', () => {
  it.each([
    'ENABLED',
    'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS',
  ] as const)('reads first, then disables a rule that is %s', async (state) => {
    ruleIs(state);
    await rule.disable();
    expect(sent()).toEqual(['DescribeRuleCommand', 'DisableRuleCommand']);
    expect(eventBridge).toHaveReceivedCommandExactlyOnceWith(DisableRuleCommand, { Name: RULE_NAME });
  });

  it('sends no DisableRule to a rule that is already disabled', async () => {
    ruleIs('DISABLED');
    await rule.disable();
    expect(sent()).toEqual(['DescribeRuleCommand']);
  });
});

describe('enable', () => {
  it('reads first, then enables a disabled rule', async () => {
    ruleIs('DISABLED');
    await rule.enable();
    expect(sent()).toEqual(['DescribeRuleCommand', 'EnableRuleCommand']);
    expect(eventBridge).toHaveReceivedCommandExactlyOnceWith(EnableRuleCommand, { Name: RULE_NAME });
  });

  it.each([
    'ENABLED',
    'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS',
  ] as const)('sends no EnableRule to a rule that is %s', async (state) => {
    ruleIs(state);
    await rule.enable();
    expect(sent()).toEqual(['DescribeRuleCommand']);
  });
});

describe('failures', () => {
  it.each([
    'state',
    'enable',
    'disable',
  ] as const)('%s lets a DescribeRule error out and writes nothing', async (call) => {
    const fault = new ResourceNotFoundException({ message: 'Rule does not exist', $metadata: {} });
    eventBridge.on(DescribeRuleCommand).rejects(fault);
    expect(await rejection(rule[call]())).toBe(fault);
    expect(sent()).toEqual(['DescribeRuleCommand']);
  });

  it.each([
    ['enable', 'DISABLED', EnableRuleCommand],
    ['disable', 'ENABLED', DisableRuleCommand],
  ] as const)('%s lets the write error out unchanged', async (call, state, command) => {
    ruleIs(state);
    const fault = new Error('ConcurrentModificationException: try again');
    eventBridge.on(command).rejects(fault);
    expect(await rejection(rule[call]())).toBe(fault);
  });
});
