// The `lambda` hook kind: invokes a team's own function (any language) synchronously with the run summary as
// its payload. The hook fails when the function fails: Lambda's FunctionError (an unhandled exception or a
// crash), or a returned object carrying `errorMessage` (Lambda's own error shape) or a string `error`. A
// returned object with a string `changed` is reported as what the function changed.
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { Hook, HookResult, RunSummary } from '../contract.ts';

/** The team's function failed, or answered with an error. */
export class HookFunctionError extends Error {
  override readonly name = 'HookFunctionError';
}

export interface LambdaHookOptions {
  readonly name: string;
  readonly functionArn: string;
  readonly onFailure?: Hook['onFailure'];
  readonly timeoutSeconds?: number;
}

/** What the team's function receives: the run, with dates as ISO strings. */
export function invocationPayload(hookName: string, run: RunSummary): string {
  return JSON.stringify({ hook: hookName, run });
}

function parsePayload(bytes: Uint8Array | undefined): unknown {
  if (bytes === undefined || bytes.length === 0) return undefined;
  const text = new TextDecoder().decode(bytes);
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function field(value: unknown, key: string): string | undefined {
  if (typeof value !== 'object' || value === null || !Object.hasOwn(value, key)) return undefined;
  const found = (value as Record<string, unknown>)[key];
  return typeof found === 'string' ? found : undefined;
}

export function lambdaHook(client: LambdaClient, options: LambdaHookOptions): Hook {
  return {
    name: options.name,
    ...(options.onFailure && { onFailure: options.onFailure }),
    ...(options.timeoutSeconds !== undefined && { timeoutSeconds: options.timeoutSeconds }),
    async run({ run, signal, log }): Promise<HookResult> {
      // https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html
      const response = await client.send(
        new InvokeCommand({
          FunctionName: options.functionArn,
          InvocationType: 'RequestResponse',
          Payload: new TextEncoder().encode(invocationPayload(options.name, run)),
        }),
        { abortSignal: signal },
      );
      const payload = parsePayload(response.Payload);
      if (response.FunctionError !== undefined) {
        const message = field(payload, 'errorMessage') ?? (typeof payload === 'string' ? payload : undefined);
        const type = field(payload, 'errorType');
        throw new HookFunctionError(
          `${options.functionArn} failed (${response.FunctionError}${type ? `, ${type}` : ''}): ${message ?? 'no error message'}`,
        );
      }
      const returnedError = field(payload, 'errorMessage') ?? field(payload, 'error');
      if (returnedError !== undefined) {
        throw new HookFunctionError(`${options.functionArn} answered with an error: ${returnedError}`);
      }
      log.info('lambda hook answered', { hook: options.name, functionArn: options.functionArn });
      return { changed: field(payload, 'changed') ?? `invoked ${options.functionArn}` };
    },
  };
}
