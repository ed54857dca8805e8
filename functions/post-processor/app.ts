// The post-processor's handler body, given its ports: turn the event into notices, settle each one, log
// and count what was ignored. Input that is not a notice for this task never fails the invocation.
import type { Context } from 'aws-lambda';
import type { PostProcessorConfig } from '#shared/config';
import { describeError } from '#shared/errors';
import { parseNotices } from '#shared/notices/parse';
import { handleNotice, type NoticeResult, type PostProcessorDeps } from '#shared/runs/settle-run';

/** Used when no Lambda context tells the deadline (local run, direct calls): Lambda's 15-minute maximum. */
const DEFAULT_REMAINING_MS = 900_000;

export interface PostProcessorResult {
  readonly results: readonly NoticeResult[];
  /** Inputs that were not DMS task notices at all (malformed, other sources). */
  readonly rejected: number;
}

export type PostProcessorHandler = (event: unknown, context?: Context) => Promise<PostProcessorResult>;

export function createPostProcessorHandler(
  deps: Omit<PostProcessorDeps, 'remainingTimeMs'>,
  config: PostProcessorConfig,
): PostProcessorHandler {
  return async (event, context) => {
    const remainingTimeMs = () => context?.getRemainingTimeInMillis() ?? DEFAULT_REMAINING_MS;
    const { notices, rejected } = parseNotices(event);
    for (const input of rejected) deps.log.warn('input ignored', { reason: input.reason });
    const results: NoticeResult[] = [];
    try {
      for (const notice of notices) {
        const result = await handleNotice({ ...deps, remainingTimeMs }, config, notice);
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
