// The post-processor's wiring of NotifyOnSuccess, down to the SNS call: a succeeded run's summary is
// published to exactly the topic the setting names (the alerts topic, or the success topic), with its stable
// id as the `alertId` attribute subscribers de-duplicate on; `off` builds no publisher at all.
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { SnsAlerts } from '#shared/alerts/sns-alerts';
import { successNotice } from '#shared/runs/success-notice';
import { successNoticesFor } from '../../../functions/post-processor/app.ts';
import { BASE_ENV, postProcessorConfig, runFixture } from '../../support/ports.ts';

const sns = mockClient(SNSClient);
const client = new SNSClient({ region: 'us-east-1' });
const SUCCESS_TOPIC = 'arn:aws:sns:us-east-1:123456789012:dms-scheduler-success';

beforeEach(() => {
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
});

const run = runFixture({
  phase: 'hooks-done',
  outcome: { kind: 'succeeded', explanation: 'The full load finished' },
  hooks: [],
});

describe('successNoticesFor', () => {
  it.each([
    ['alerts-topic', {}, BASE_ENV.ALERTS_TOPIC_ARN],
    ['success-topic', { SUCCESS_TOPIC_ARN: SUCCESS_TOPIC }, SUCCESS_TOPIC],
  ])('with %s, publishes the summary to %s, with its id as alertId', async (setting, extra, topic) => {
    const config = postProcessorConfig({ NOTIFY_ON_SUCCESS: setting, ...extra });
    const publisher = successNoticesFor(config, (topicArn) => new SnsAlerts(client, topicArn));
    const notice = successNotice(config, run, 'enable', new Date('2026-11-23T00:45:00Z'));
    await publisher?.publish(notice);
    expect(sns).toHaveReceivedCommandExactlyOnceWith(PublishCommand, {
      TopicArn: topic,
      Subject: 'dms-scheduler: nightly-refresh: refresh succeeded (45m 00s)',
      Message: notice.message,
      MessageAttributes: { alertId: { DataType: 'String', StringValue: `${run.id}:succeeded` } },
    });
  });

  it('builds no publisher when NotifyOnSuccess is off, even with a success topic passed', () => {
    const built: string[] = [];
    const config = postProcessorConfig({ NOTIFY_ON_SUCCESS: 'off', SUCCESS_TOPIC_ARN: SUCCESS_TOPIC });
    expect(
      successNoticesFor(config, (topicArn) => {
        built.push(topicArn);
        return new SnsAlerts(client, topicArn);
      }),
    ).toBeUndefined();
    expect(built).toEqual([]);
  });
});
