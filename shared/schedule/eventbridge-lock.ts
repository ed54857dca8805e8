// The RunLock over an EventBridge rule. DescribeRule comes first because AWS does not document whether
// enabling an enabled rule (or disabling a disabled one) is a no-op, nor what EnableRule does to a rule in
// ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS: reading first means neither question can do harm.
import {
  DescribeRuleCommand,
  DisableRuleCommand,
  EnableRuleCommand,
  type EventBridgeClient,
} from '@aws-sdk/client-eventbridge';
import type { RuleState, RunLock } from './lock.ts';

export class EventBridgeRunLock implements RunLock {
  constructor(
    private readonly client: EventBridgeClient,
    readonly ruleName: string,
  ) {}

  async disable(): Promise<RuleState> {
    if ((await this.currentState()) !== 'DISABLED') {
      await this.client.send(new DisableRuleCommand({ Name: this.ruleName }));
    }
    return 'DISABLED';
  }

  async enable(): Promise<RuleState> {
    if ((await this.currentState()) === 'DISABLED') {
      await this.client.send(new EnableRuleCommand({ Name: this.ruleName }));
    }
    return 'ENABLED';
  }

  /** Any enabled variant counts as enabled; only DISABLED means the schedule will not fire. */
  private async currentState(): Promise<RuleState> {
    const rule = await this.client.send(new DescribeRuleCommand({ Name: this.ruleName }));
    return rule.State === 'DISABLED' ? 'DISABLED' : 'ENABLED';
  }
}
