// The task-starter's handler body, given its ports: parse the trigger, start the run, log and return the
// result. The Lambda entry point (handler.ts) and the local run both build it, with AWS or simulated ports.
import type { Context } from 'aws-lambda';
import type { StarterConfig } from '#shared/config';
import { describeError } from '#shared/errors';
import { type StarterDeps, type StartResult, startRun } from '#shared/runs/start-run';
import { parseTrigger } from '#shared/runs/trigger';

export type StarterHandler = (event: unknown, context?: Context) => Promise<StartResult>;

export function createStarterHandler(deps: StarterDeps, config: StarterConfig): StarterHandler {
  return async (event) => {
    try {
      const trigger = parseTrigger(event);
      const result = await startRun(deps, config, trigger);
      deps.log.info(`task-starter: ${result.outcome}`, { result });
      return result;
    } catch (error) {
      deps.log.error('task-starter failed', { error: describeError(error) });
      throw error;
    }
  };
}
