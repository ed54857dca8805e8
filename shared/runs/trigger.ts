// What invoked the task-starter: its own schedule rule, or a person (a console test event, `aws lambda
// invoke`, the local run). Any event that is not a scheduled event is a manual trigger; the console's
// "hello world" event works as it is. A manual event may ask for a start type and a CDC start point.
import { z } from 'zod';
import { START_TYPES, type StartType } from '../dms/task.ts';
import { InvalidEventError } from '../errors.ts';

export type Trigger =
  | { readonly kind: 'schedule'; readonly ruleArn: string }
  | {
      readonly kind: 'manual';
      readonly startType?: StartType;
      readonly cdcStartTime?: Date;
      readonly cdcStartPosition?: string;
    };

const scheduledEventSchema = z.object({
  source: z.literal('aws.events'),
  'detail-type': z.literal('Scheduled Event'),
  resources: z.array(z.string()).min(1),
});

const manualEventSchema = z
  .object({
    startType: z.enum(START_TYPES).optional(),
    cdcStartTime: z.iso.datetime({ offset: true }).optional(),
    cdcStartPosition: z.string().min(1).max(1024).optional(),
  })
  .refine((event) => !(event.cdcStartTime && event.cdcStartPosition), {
    message: 'give cdcStartTime or cdcStartPosition, not both',
  });

/** Throws `InvalidEventError` naming the field when a manual event asks for something malformed. */
export function parseTrigger(event: unknown): Trigger {
  const scheduled = scheduledEventSchema.safeParse(event);
  if (scheduled.success) return { kind: 'schedule', ruleArn: scheduled.data.resources[0] as string };
  const manual = manualEventSchema.safeParse(typeof event === 'object' && event !== null ? event : {});
  if (!manual.success) {
    const problems = manual.error.issues.map(
      (issue) => `${issue.path.join('.') || 'event'}: ${issue.message}`,
    );
    throw new InvalidEventError(`Invalid manual event: ${problems.join('; ')}`);
  }
  const { startType, cdcStartTime, cdcStartPosition } = manual.data;
  return {
    kind: 'manual',
    ...(startType && { startType }),
    ...(cdcStartTime && { cdcStartTime: new Date(cdcStartTime) }),
    ...(cdcStartPosition && { cdcStartPosition }),
  };
}

/** A scheduled event is ours when it comes from the configured rule (ARN ends in rule/[bus/]NAME). */
export function isFromRule(trigger: Trigger, ruleName: string | undefined): boolean {
  if (trigger.kind !== 'schedule' || ruleName === undefined) return false;
  return trigger.ruleArn.split('/').at(-1) === ruleName && trigger.ruleArn.includes(':rule/');
}
