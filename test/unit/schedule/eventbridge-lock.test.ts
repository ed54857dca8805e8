// The schedule rule is the run's lock (invariant 1: never stuck). The adapter reads the rule first, because
// AWS does not document whether re-disabling or re-enabling is a no-op: it must flip the rule only when it
// needs flipping, treat every enabled variant as enabled, and let every error reach the caller.
import {
  ConcurrentModificationException,
  DescribeRuleCommand,
  DisableRuleCommand,
  EnableRuleCommand,
  EventBridgeClient,
  ResourceNotFoundException,
  type RuleState,
} from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { EventBridgeRunLock } from '#shared/schedule/eventbridge-lock';
import { rejection } from '../../support/rejection.ts';

const eventBridge = mockClient(EventBridgeClient);
const RULE = 'dms-scheduler-schedule';
const lock = new EventBridgeRunLock(new EventBridgeClient({ region: 'us-east-1' }), RULE);

const ruleIn = (State: RuleState) => eventBridge.on(DescribeRuleCommand).resolves({ Name: RULE, State });

beforeEach(() => {
  eventBridge.reset();
  eventBridge.on(DisableRuleCommand).resolves({});
  eventBridge.on(EnableRuleCommand).resolves({});
});

it('exposes the rule it locks', () => {
  expect(lock.ruleName).toBe(RULE);
});

describe('disable', () => {
  it.each([
    'ENABLED',
    'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS',
  ] as const)('disables a rule that is %s', async (state) => {
    ruleIn(state);
    expect(await lock.disable()).toBe('DISABLED');
    expect(eventBridge).toHaveReceivedCommandWith(DescribeRuleCommand, { Name: RULE });
    expect(eventBridge).toHaveReceivedCommandExactlyOnceWith(DisableRuleCommand, { Name: RULE });
    expect(eventBridge).not.toHaveReceivedCommand(EnableRuleCommand);
  });

  it('leaves a DISABLED rule alone', async () => {
    ruleIn('DISABLED');
    expect(await lock.disable()).toBe('DISABLED');
    expect(eventBridge).toHaveReceivedCommandTimes(DescribeRuleCommand, 1);
    expect(eventBridge).not.toHaveReceivedCommand(DisableRuleCommand);
    expect(eventBridge).not.toHaveReceivedCommand(EnableRuleCommand);
  });
});

describe('enable', () => {
  it('enables a DISABLED rule', async () => {
    ruleIn('DISABLED');
    expect(await lock.enable()).toBe('ENABLED');
    expect(eventBridge).toHaveReceivedCommandExactlyOnceWith(EnableRuleCommand, { Name: RULE });
    expect(eventBridge).not.toHaveReceivedCommand(DisableRuleCommand);
  });

  it.each([
    'ENABLED',
    'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS',
  ] as const)('leaves a rule that is %s alone', async (state) => {
    ruleIn(state);
    expect(await lock.enable()).toBe('ENABLED');
    expect(eventBridge).toHaveReceivedCommandTimes(DescribeRuleCommand, 1);
    expect(eventBridge).not.toHaveReceivedCommand(EnableRuleCommand);
    expect(eventBridge).not.toHaveReceivedCommand(DisableRuleCommand);
  });
});

describe('errors reach the caller unchanged', () => {
  const notFound = () =>
    new ResourceNotFoundException({ message: `Rule ${RULE} does not exist.`, $metadata: {} });
  const concurrent = () => new ConcurrentModificationException({ message: 'try again', $metadata: {} });

  it.each([
    'disable',
    'enable',
  ] as const)('%s when DescribeRule fails, and nothing is flipped', async (call) => {
    const fault = notFound();
    eventBridge.on(DescribeRuleCommand).rejects(fault);
    expect(await rejection(lock[call]())).toBe(fault);
    expect(eventBridge).not.toHaveReceivedCommand(DisableRuleCommand);
    expect(eventBridge).not.toHaveReceivedCommand(EnableRuleCommand);
  });

  it('disable when DisableRule fails', async () => {
    const fault = concurrent();
    ruleIn('ENABLED');
    eventBridge.on(DisableRuleCommand).rejects(fault);
    expect(await rejection(lock.disable())).toBe(fault);
  });

  it('enable when EnableRule fails', async () => {
    const fault = concurrent();
    ruleIn('DISABLED');
    eventBridge.on(EnableRuleCommand).rejects(fault);
    expect(await rejection(lock.enable())).toBe(fault);
  });
});
