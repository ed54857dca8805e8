// Alerts published to the stack's alerts topic (email or any other SNS subscriber).
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { Alert, Alerts } from './alerts.ts';

export class SnsAlerts implements Alerts {
  constructor(
    private readonly client: SNSClient,
    private readonly topicArn: string,
  ) {}

  async publish(alert: Alert): Promise<void> {
    await this.client.send(
      new PublishCommand({ TopicArn: this.topicArn, Subject: alert.subject, Message: alert.message }),
    );
  }
}
