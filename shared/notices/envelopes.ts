// The SNS record and EventBridge event envelopes the post-processor receives, as Powertools' parser defines
// them (@aws-lambda-powertools/parser 2.35, schemas/sns.js and schemas/eventbridge.js, same fields, same
// formats), written against zod/mini: Powertools' own import the whole of zod's chained API, which would be
// parsed at every cold start for two schemas.
// Both are safe on hostile strings: their formats are anchored regexes without nested quantifiers (ISO
// datetimes) and the WHATWG URL parser, both linear.
import * as z from '../schema.ts';

const SnsMessageAttributeSchema = z.object({ Type: z.string(), Value: z.string() });

const SnsNotificationSchema = z.object({
  Subject: z.nullish(z.string()),
  TopicArn: z.string(),
  UnsubscribeUrl: z.url(),
  UnsubscribeURL: z.optional(z.url()),
  SigningCertUrl: z.optional(z.url()),
  SigningCertURL: z.optional(z.url()),
  Type: z.literal('Notification'),
  MessageAttributes: z.optional(z.record(z.string(), SnsMessageAttributeSchema)),
  Message: z.string(),
  MessageId: z.string(),
  Signature: z.optional(z.string()),
  SignatureVersion: z.optional(z.string()),
  Timestamp: z.iso.datetime(),
});

/** One record of an SNS event. */
export const SnsRecordSchema = z.object({
  EventSource: z.literal('aws:sns'),
  EventVersion: z.string(),
  EventSubscriptionArn: z.string(),
  Sns: SnsNotificationSchema,
});

/** An EventBridge event, its detail not yet read. */
export const EventBridgeSchema = z.object({
  version: z.string(),
  id: z.string(),
  source: z.string(),
  account: z.string(),
  time: z.iso.datetime(),
  region: z.string(),
  resources: z.array(z.string()),
  'detail-type': z.string(),
  detail: z.unknown(),
  'replay-name': z.optional(z.string()),
});
