// The SNS adapter is the last step before an alert leaves: it must publish exactly the fitted alert to the
// configured topic (so an alert built anywhere, fitted or not, is never refused by SNS), carry its id as the
// `alertId` attribute subscribers de-duplicate on, and let a failed publish reach the caller.
import { AuthorizationErrorException, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { fitAlert, MESSAGE_LIMIT_BYTES } from '#shared/alerts/alerts';
import { ALERT_ID_ATTRIBUTE, SnsAlerts } from '#shared/alerts/sns-alerts';

const sns = mockClient(SNSClient);
const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:dms-scheduler-alerts';
const alerts = new SnsAlerts(new SNSClient({ region: 'us-east-1' }), TOPIC_ARN);

beforeEach(() => {
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
});

describe('SnsAlerts', () => {
  it('publishes the subject and message to the alerts topic, with no attributes when there is no id', async () => {
    await alerts.publish({ subject: 'dms-scheduler: nightly-refresh: the run failed', message: 'details' });
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(sns.commandCalls(PublishCommand)[0]?.args[0].input).toStrictEqual({
      TopicArn: TOPIC_ARN,
      Subject: 'dms-scheduler: nightly-refresh: the run failed',
      Message: 'details',
    });
  });

  it('sends the alert id as the String attribute alertId', async () => {
    await alerts.publish({ subject: 's', message: 'm', id: 'run-2026-11-23:start-failed' });
    expect(ALERT_ID_ATTRIBUTE).toBe('alertId');
    expect(sns).toHaveReceivedCommandExactlyOnceWith(PublishCommand, {
      TopicArn: TOPIC_ARN,
      Subject: 's',
      Message: 'm',
      MessageAttributes: { alertId: { DataType: 'String', StringValue: 'run-2026-11-23:start-failed' } },
    });
  });

  it('sends no attribute for an empty id, which SNS would refuse', async () => {
    await alerts.publish({ subject: 's', message: 'm', id: '' });
    expect(sns.commandCalls(PublishCommand)[0]?.args[0].input.MessageAttributes).toBeUndefined();
  });

  it('fits an alert nobody fitted before sending it', async () => {
    const raw = {
      subject: `the run failed\n${'é'.repeat(200)}`,
      message: `${'m'.repeat(MESSAGE_LIMIT_BYTES)}\ud800`,
      id: `${'i'.repeat(300)}`,
    };
    await alerts.publish(raw);
    const fitted = fitAlert(raw);
    const input = sns.commandCalls(PublishCommand)[0]?.args[0].input;
    expect(input?.Subject).toBe(fitted.subject);
    expect(input?.Subject).toHaveLength(99);
    expect(input?.Subject).toMatch(/^[\x21-\x7E][\x20-\x7E]*$/);
    expect(input?.Message).toBe(fitted.message);
    expect(Buffer.byteLength(input?.Message ?? '')).toBeLessThanOrEqual(MESSAGE_LIMIT_BYTES);
    expect(input?.MessageAttributes?.alertId?.StringValue).toBe(fitted.id);
    expect(input?.MessageAttributes?.alertId?.StringValue).toMatch(/^i{200}~[0-9a-f]{16}$/);
  });

  it('sends the same id for the same alert each time, so a repeated delivery can be recognised', async () => {
    const alert = { subject: 's', message: 'm', id: 'é-run:settle-failed' };
    await alerts.publish(alert);
    await alerts.publish(alert);
    const [first, second] = sns
      .commandCalls(PublishCommand)
      .map((call) => call.args[0].input.MessageAttributes);
    expect(first).toEqual(second);
    expect(first?.alertId?.StringValue).toMatch(/^\?-run:settle-failed~[0-9a-f]{16}$/);
  });

  it('lets a refused publish reach the caller', async () => {
    const fault = new AuthorizationErrorException({ message: 'not allowed to publish', $metadata: {} });
    sns.on(PublishCommand).rejects(fault);
    await expect(alerts.publish({ subject: 's', message: 'm' })).rejects.toBe(fault);
  });
});
