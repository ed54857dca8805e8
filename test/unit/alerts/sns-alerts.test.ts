// Alerts are how a person learns that a run needs them, so an alert SNS would refuse is an alert lost:
// the subject must stay within SNS's limits (ASCII, one line, at most 100 characters) whatever it names,
// and the adapter must publish exactly the alert it was given to the configured topic, or fail loudly.
import { AuthorizationErrorException, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { buildAlert } from '#shared/alerts/alerts';
import { SnsAlerts } from '#shared/alerts/sns-alerts';

const sns = mockClient(SNSClient);
const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:dms-scheduler-alerts';
const alerts = new SnsAlerts(new SNSClient({ region: 'us-east-1' }), TOPIC_ARN);

beforeEach(() => {
  sns.reset();
});

describe('buildAlert', () => {
  it('names the scheduler and the task in the subject, and starts the message with the headline', () => {
    const alert = buildAlert({
      taskIdentifier: 'nightly-refresh',
      headline: 'the run failed',
      lines: ['Task: nightly-refresh', 'DMS stop reason: Stop Reason FATAL_ERROR'],
    });
    expect(alert).toEqual({
      subject: 'dms-scheduler: nightly-refresh: the run failed',
      message: 'the run failed.\n\nTask: nightly-refresh\nDMS stop reason: Stop Reason FATAL_ERROR',
    });
  });

  it('keeps a subject of exactly 100 characters whole', () => {
    const prefix = 'dms-scheduler: nightly-refresh: ';
    const headline = 'h'.repeat(100 - prefix.length);
    expect(buildAlert({ taskIdentifier: 'nightly-refresh', headline, lines: [] }).subject).toBe(
      prefix + headline,
    );
  });

  it.each([
    ['a long headline', 'nightly-refresh', `hook ${'mask-'.repeat(30)}failed`],
    ['a long task identifier', `t${'x'.repeat(254)}`, 'the run failed'],
  ])('truncates %s to 100 characters, marked with an ellipsis', (_, taskIdentifier, headline) => {
    const { subject, message } = buildAlert({ taskIdentifier, headline, lines: ['details'] });
    expect(subject).toHaveLength(100);
    expect(subject.endsWith('...')).toBe(true);
    expect(subject.startsWith('dms-scheduler: ')).toBe(true);
    // The message is not shortened: the full headline is still there.
    expect(message.startsWith(`${headline}.`)).toBe(true);
  });

  it.each([
    ['accents', 'hook masque-données failed', 'hook masque-donn?es failed'],
    ['an em dash', 'the run failed — tables in error', 'the run failed ? tables in error'],
    ['a line break', 'the run failed\nsee the log', 'the run failed see the log'],
    ['a tab and a control character', 'the run\tfailed\u0007', 'the run failed?'],
    ['an emoji', 'the run failed 🔥', 'the run failed ??'],
  ])('makes a subject with %s plain one-line ASCII', (_, headline, expected) => {
    const { subject } = buildAlert({ taskIdentifier: 'nightly-refresh', headline, lines: [] });
    expect(subject).toBe(`dms-scheduler: nightly-refresh: ${expected}`);
    expect(subject).toMatch(/^[\x20-\x7E]+$/);
  });

  it('truncates after making the subject ASCII, so it still fits', () => {
    const { subject } = buildAlert({
      taskIdentifier: 'nightly-refresh',
      headline: 'é'.repeat(120),
      lines: [],
    });
    expect(subject).toHaveLength(100);
    expect(subject).toMatch(/^[\x20-\x7E]+$/);
  });

  it('keeps the message body as written (SNS messages may be any UTF-8)', () => {
    const { message } = buildAlert({
      taskIdentifier: 'nightly-refresh',
      headline: 'hook masque-données failed',
      lines: ['é'],
    });
    expect(message).toBe('hook masque-données failed.\n\né');
  });
});

describe('SnsAlerts', () => {
  it('publishes the subject and message to the alerts topic', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    await alerts.publish({ subject: 'dms-scheduler: nightly-refresh: the run failed', message: 'details' });
    expect(sns).toHaveReceivedCommandExactlyOnceWith(PublishCommand, {
      TopicArn: TOPIC_ARN,
      Subject: 'dms-scheduler: nightly-refresh: the run failed',
      Message: 'details',
    });
  });

  it('lets a refused publish reach the caller', async () => {
    const fault = new AuthorizationErrorException({ message: 'not allowed to publish', $metadata: {} });
    sns.on(PublishCommand).rejects(fault);
    await expect(alerts.publish({ subject: 's', message: 'm' })).rejects.toBe(fault);
  });
});
