// Alerts published to the stack's alerts topic (email or any other SNS subscriber). The alert is fitted to
// SNS's limits here too, whoever built it: a refused Publish would lose the alert at the last step. A
// Publish whose response is lost gets retried and delivered twice, so the alert's stable id travels as the
// `alertId` message attribute for subscribers to de-duplicate on.
import { type MessageAttributeValue, PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { type Alert, type Alerts, fitAlert } from './alerts.ts';

export const ALERT_ID_ATTRIBUTE = 'alertId';

export class SnsAlerts implements Alerts {
  constructor(
    private readonly client: SNSClient,
    private readonly topicArn: string,
  ) {}

  async publish(alert: Alert): Promise<void> {
    const fitted = fitAlert(alert);
    const attributes: Record<string, MessageAttributeValue> | undefined =
      fitted.id === undefined
        ? undefined
        : { [ALERT_ID_ATTRIBUTE]: { DataType: 'String', StringValue: fitted.id } };
    await this.client.send(
      new PublishCommand({
        TopicArn: this.topicArn,
        Subject: fitted.subject,
        Message: fitted.message,
        ...(attributes && { MessageAttributes: attributes }),
      }),
    );
  }
}
