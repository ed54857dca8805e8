// The rest of the simulated control plane: the schedule rule (the run's lock), the alerts topic, and the DMS
// event subscription that turns task notices into SNS events shaped like DMS's own and delivers each of them
// twice, as SNS's at-least-once delivery may.
import type { Alert, Alerts } from '#shared/alerts/alerts';
import type { RuleState, RunLock } from '#shared/schedule/lock';
import type { Timeline } from './timeline.ts';

export class SimulatedScheduleRule implements RunLock {
  state: RuleState = 'ENABLED';

  constructor(
    readonly ruleName: string,
    private readonly timeline: Timeline,
  ) {}

  async disable(): Promise<RuleState> {
    if (this.state !== 'DISABLED') this.timeline.add('rule', `${this.ruleName} DISABLED (the run's lock)`);
    this.state = 'DISABLED';
    return this.state;
  }

  async enable(): Promise<RuleState> {
    if (this.state !== 'ENABLED') this.timeline.add('rule', `${this.ruleName} ENABLED`);
    this.state = 'ENABLED';
    return this.state;
  }
}

export class SimulatedAlerts implements Alerts {
  readonly published: Alert[] = [];

  constructor(private readonly timeline: Timeline) {}

  async publish(alert: Alert): Promise<void> {
    this.published.push(alert);
    this.timeline.add('alert', alert.subject);
  }
}

/** The SNS event a DMS event subscription delivers to Lambda (message shape A, see dms-facts.md §3). */
export function dmsSnsEvent(
  taskIdentifier: string,
  eventId: string,
  message: string,
  topicArn: string,
): unknown {
  const now = new Date();
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: `${topicArn}:local`,
        Sns: {
          Type: 'Notification',
          MessageId: crypto.randomUUID(),
          TopicArn: topicArn,
          Subject: 'DMS Notification Message',
          Message: JSON.stringify({
            'Event Source': 'replication-task',
            'Event Time': now.toISOString().replace('T', ' ').replace('Z', ''),
            'Identifier Link': `https://console.aws.amazon.com/dms/home?region=local#tasks:ids=${taskIdentifier}`,
            SourceId: taskIdentifier,
            'Event ID': `http://docs.aws.amazon.com/dms/latest/userguide/CHAP_Events.html#${eventId} `,
            'Event Message': message,
          }),
          Timestamp: now.toISOString(),
          SignatureVersion: '1',
          Signature: 'local',
          SigningCertUrl: 'https://sns.local.amazonaws.com/local.pem',
          UnsubscribeUrl: 'https://sns.local.amazonaws.com/?Action=Unsubscribe',
          MessageAttributes: {},
        },
      },
    ],
  };
}
