// The rest of the simulated control plane: the schedule rule (the schedule's on/off switch; the lock is the
// run's record in the store), the scheduled events EventBridge sends from it, the alerts and success topics,
// CloudWatch metrics, and the DMS event subscription that turns task notices into SNS events shaped like DMS's own.
import type { Alert, Alerts } from '#shared/alerts/alerts';
import type { MetricKind, MetricName, Metrics } from '#shared/metrics';
import type { RuleState, ScheduleRule } from '#shared/schedule/rule';
import type { Timeline, TimelineStep } from './timeline.ts';

export class SimulatedScheduleRule implements ScheduleRule {
  current: RuleState = 'ENABLED';

  constructor(
    readonly name: string,
    private readonly timeline: Timeline,
  ) {}

  async state(): Promise<RuleState> {
    return this.current;
  }

  async disable(): Promise<void> {
    if (this.current !== 'DISABLED') {
      this.timeline.add('rule', `${this.name} DISABLED (the schedule is off while the run is active)`);
    }
    this.current = 'DISABLED';
  }

  async enable(): Promise<void> {
    if (this.current !== 'ENABLED') this.timeline.add('rule', `${this.name} ENABLED`);
    this.current = 'ENABLED';
  }
}

/**
 * The Scheduled Event EventBridge sends when `ruleArn` fires: its only resource is the rule, with the rule's
 * account and region, as the task-starter's strict parser requires. Each firing has its own id; a repeated
 * delivery (EventBridge is at least once) is the same event again.
 */
export function scheduledEvent(ruleArn: string, time: Date): Record<string, unknown> {
  const [, , , region, account] = ruleArn.split(':');
  return {
    version: '0',
    id: crypto.randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account,
    time: `${time.toISOString().slice(0, 19)}Z`,
    region,
    resources: [ruleArn],
    detail: {},
  };
}

/** A topic: what is published to it is kept, and shown (the subject; with `showMessage`, every line). */
export class SimulatedAlerts implements Alerts {
  readonly published: Alert[] = [];

  constructor(
    private readonly timeline: Timeline,
    private readonly step: TimelineStep = 'alert',
    private readonly showMessage = false,
  ) {}

  async publish(alert: Alert): Promise<void> {
    this.published.push(alert);
    this.timeline.add(this.step, alert.subject);
    if (!this.showMessage) return;
    for (const line of alert.message.split('\n')) this.timeline.add(this.step, `  ${line}`);
  }
}

/** CloudWatch's stand-in: what the runs emitted, summed per metric. */
export class SimulatedMetrics implements Metrics {
  private readonly totals = new Map<MetricName, { value: number; kind: MetricKind; samples: number }>();

  add(name: MetricName, value: number, kind: MetricKind = 'count'): void {
    const total = this.totals.get(name) ?? { value: 0, kind, samples: 0 };
    this.totals.set(name, { value: total.value + value, kind, samples: total.samples + 1 });
  }

  total(name: MetricName): number {
    return this.totals.get(name)?.value ?? 0;
  }

  describe(): string {
    return [...this.totals.entries()]
      .map(([name, total]) =>
        total.kind === 'count' ? `${name} ${total.value}` : `${name} ${total.samples}× (${total.value} ms)`,
      )
      .join(', ');
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
