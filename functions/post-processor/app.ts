// The post-processor's handler body, given its ports: turn the event into notices, let each one advance the
// task's run, log and count what was ignored. Input that is not a notice for this task never fails the
// invocation (it would only be retried, to the same end); a step the run still owes does, so it is retried.
import type { Context } from 'aws-lambda';
import type { Alerts } from '#shared/alerts/alerts';
import type { PostProcessorConfig } from '#shared/config';
import { describeError } from '#shared/errors';
import { parseNotices } from '#shared/notices/parse';
import type { RunDeps } from '#shared/runs/advance';
import { handleNotice, type NoticeResult } from '#shared/runs/reconcile';
import { invocationIdOf } from '#shared/runs/run';

/** Used when no Lambda context tells the deadline (local run, direct calls): Lambda's 15-minute maximum. */
const DEFAULT_REMAINING_MS = 900_000;

export interface PostProcessorResult {
  readonly results: readonly NoticeResult[];
  /** Inputs that were not DMS task notices at all (malformed, other sources). */
  readonly rejected: number;
}

export type PostProcessorHandler = (event: unknown, context?: Context) => Promise<PostProcessorResult>;

export type PostProcessorHandlerDeps = Omit<RunDeps, 'invocationId' | 'remainingTimeMs'>;

/**
 * The port a succeeded run's summary is published through: one publisher per topic, to the topic
 * NotifyOnSuccess names (the alerts topic or the success topic), or none when it is off, and then no run
 * queues a summary.
 */
export function successNoticesFor(
  config: PostProcessorConfig,
  publisherTo: (topicArn: string) => Alerts,
): Alerts | undefined {
  return config.successNoticeTopicArn === undefined ? undefined : publisherTo(config.successNoticeTopicArn);
}

export function createPostProcessorHandler(
  deps: PostProcessorHandlerDeps,
  config: PostProcessorConfig,
): PostProcessorHandler {
  return async (event, context) => {
    const invocationDeps: RunDeps = {
      ...deps,
      invocationId: invocationIdOf(context?.awsRequestId),
      remainingTimeMs: () => context?.getRemainingTimeInMillis() ?? DEFAULT_REMAINING_MS,
    };
    const { notices, rejected } = parseNotices(event, {
      reconcileRuleArn: config.reconcileRuleArn,
      // A group's members share one account and region (checked with the configuration).
      taskArn: config.members[0]?.arn ?? config.task.arn,
      milestoneRuleArn: config.milestoneRuleArn,
    });
    for (const input of rejected) deps.log.warn('input ignored', { reason: input.reason });
    if (rejected.length > 0) deps.metrics.add('InputsIgnored', rejected.length);
    const results: NoticeResult[] = [];
    try {
      for (const notice of notices) {
        const result = await handleNotice(invocationDeps, config, notice);
        deps.log.info(`post-processor: ${result.action}`, { notice, result });
        results.push(result);
      }
    } catch (error) {
      deps.log.error('post-processor failed', { error: describeError(error) });
      throw error;
    }
    return { results, rejected: rejected.length };
  };
}
