// Why this file exists: `dms-scheduler run` starts a run by invoking the deployed task-starter with a manual
// request, so the run takes the same lock, the same checks and the same compensation as any other start;
// the command line never calls StartReplicationTask itself. This is the port it asks through, the Lambda
// adapter behind it, and the reading of the function's answer (a StartResult, or a function error).
import { InvokeCommand, type InvokeCommandOutput, type LambdaClient } from '@aws-sdk/client-lambda';
import { z } from 'zod';
import { START_TYPES } from '#shared/dms/task';
import type { StartResult } from '#shared/runs/start-run';
import { explainAwsFailure } from './aws.ts';
import { AwsCallError } from './errors.ts';

/** The manual request the task-starter accepts (shared/runs/trigger.ts): only these fields, each optional. */
export interface ManualRunRequest {
  readonly startType?: (typeof START_TYPES)[number];
  readonly cdcStartTime?: string;
  readonly cdcStartPosition?: string;
}

export interface TaskStarterInvoker {
  /** The task-starter's StartResult; an AwsCallError when the call or the function failed. */
  invoke(request: ManualRunRequest): Promise<StartResult>;
}

const startResultSchema = z.object({
  outcome: z.enum(['started', 'skipped', 'start-failed', 'start-unknown', 'preflight-failed']),
  reason: z.string(),
  runId: z.string().optional(),
  startType: z.enum(START_TYPES).optional(),
  task: z.object({ identifier: z.string(), status: z.string().optional() }),
  rule: z.object({ name: z.string().optional(), state: z.enum(['ENABLED', 'DISABLED', 'untouched']) }),
});

const functionErrorSchema = z.object({
  errorType: z.string().optional(),
  errorMessage: z.string().optional(),
});

const WHAT = 'Lambda Invoke (task-starter)';
const ECHO = 300;

/**
 * The task-starter invoked synchronously (RequestResponse), once. The client makes one attempt only: a retry
 * after a lost answer would meet the first attempt's lock and report `skipped`, hiding the run that did start;
 * a failed invoke says instead that `status` tells whether it started.
 */
export class LambdaTaskStarter implements TaskStarterInvoker {
  constructor(
    private readonly client: LambdaClient,
    private readonly functionName: string,
  ) {}

  async invoke(request: ManualRunRequest): Promise<StartResult> {
    let response: InvokeCommandOutput;
    try {
      response = await this.client.send(
        new InvokeCommand({
          FunctionName: this.functionName,
          InvocationType: 'RequestResponse',
          Payload: new TextEncoder().encode(JSON.stringify(request)),
        }),
      );
    } catch (error) {
      throw new AwsCallError(
        WHAT,
        `${WHAT} of ${this.functionName} failed: ${explainAwsFailure(error)}; whether a run started is unknown: see dms-scheduler status`,
        { cause: error },
      );
    }
    return parseStarterAnswer(this.functionName, response.FunctionError, response.Payload);
  }
}

/** The function's answer as a StartResult, or an AwsCallError saying what it answered instead. Pure. */
export function parseStarterAnswer(
  functionName: string,
  functionError: string | undefined,
  payload: Uint8Array | undefined,
): StartResult {
  const text = payload === undefined ? '' : new TextDecoder().decode(payload);
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (functionError !== undefined) {
    const failure = functionErrorSchema.safeParse(json);
    const said = failure.success
      ? [failure.data.errorType, failure.data.errorMessage].filter(Boolean).join(': ')
      : text.slice(0, ECHO);
    throw new AwsCallError(
      WHAT,
      `the task-starter ${functionName} failed (${functionError}): ${said || 'no error message'}`,
    );
  }
  const result = startResultSchema.safeParse(json);
  if (!result.success) {
    throw new AwsCallError(
      WHAT,
      `the task-starter ${functionName} answered with something that is not a start result: ${text.slice(0, ECHO) || '(nothing)'}`,
    );
  }
  const data = result.data;
  return {
    outcome: data.outcome,
    reason: data.reason,
    ...(data.runId !== undefined && { runId: data.runId }),
    ...(data.startType !== undefined && { startType: data.startType }),
    task: {
      identifier: data.task.identifier,
      ...(data.task.status !== undefined && { status: data.task.status }),
    },
    rule: { name: data.rule.name, state: data.rule.state },
  };
}
