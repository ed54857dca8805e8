// The task-starter's handler body, given its ports: parse the trigger strictly (only its own rule's
// scheduled events and explicit manual requests start anything), start the run, log and return the result.
// The Lambda entry point (handler.ts) and the local run both build it, with AWS or simulated ports.
import type { Context } from 'aws-lambda';
import type { StarterConfig } from '#shared/config';
import { describeError } from '#shared/errors';
import { invocationIdOf } from '#shared/runs/run';
import { type StarterDeps, type StartResult, startRun } from '#shared/runs/start-run';
import { parseTrigger } from '#shared/runs/trigger';

export type StarterHandler = (event: unknown, context?: Context) => Promise<StartResult>;

/** `invocationId` is built per invocation (from the request id), so leases name who holds them. */
export type StarterHandlerDeps = Omit<StarterDeps, 'invocationId' | 'remainingTimeMs'>;

export function createStarterHandler(deps: StarterHandlerDeps, config: StarterConfig): StarterHandler {
  return async (event, context) => {
    const invocationDeps: StarterDeps = {
      ...deps,
      invocationId: invocationIdOf(context?.awsRequestId),
      remainingTimeMs: () => context?.getRemainingTimeInMillis() ?? 60_000,
    };
    try {
      const trigger = parseTrigger(event, { scheduleRuleArn: config.scheduleRule?.arn });
      const result = await startRun(invocationDeps, config, trigger);
      deps.log.info(`task-starter: ${result.outcome}`, { result });
      return result;
    } catch (error) {
      deps.log.error('task-starter failed', { error: describeError(error) });
      throw error;
    }
  };
}
