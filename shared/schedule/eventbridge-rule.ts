// The ScheduleRule over an EventBridge rule. DescribeRule comes first because AWS does not document whether
// enabling an enabled rule (or disabling a disabled one) is a no-op, nor what EnableRule does to a rule in
// ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS: reading first means neither question can do harm.
import {
  DescribeRuleCommand,
  DisableRuleCommand,
  EnableRuleCommand,
  type EventBridgeClient,
} from '@aws-sdk/client-eventbridge';
import type { RuleState, ScheduleRule } from './rule.ts';

export class EventBridgeScheduleRule implements ScheduleRule {
  constructor(
    private readonly client: EventBridgeClient,
    readonly name: string,
  ) {}

  async state(): Promise<RuleState> {
    const rule = await this.client.send(new DescribeRuleCommand({ Name: this.name }));
    return rule.State === 'DISABLED' ? 'DISABLED' : 'ENABLED';
  }

  async disable(): Promise<void> {
    if ((await this.state()) !== 'DISABLED') {
      await this.client.send(new DisableRuleCommand({ Name: this.name }));
    }
  }

  async enable(): Promise<void> {
    if ((await this.state()) === 'DISABLED') {
      await this.client.send(new EnableRuleCommand({ Name: this.name }));
    }
  }
}
