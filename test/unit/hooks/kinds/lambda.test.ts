// The `lambda` hook kind: the team's function is invoked synchronously with the run, and anything it reports
// as an error (Lambda's FunctionError, or an error in what it returns) must fail the hook with its message.
import { InvokeCommand, type InvokeCommandOutput, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { HookFunctionError, invocationPayload, lambdaHook } from '#shared/hooks/kinds/lambda';
import { hookContext, RUN } from '../../../support/hooks.ts';
import { rejection } from '../../../support/rejection.ts';

const lambda = mockClient(LambdaClient);
const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:reindex-search';
const hook = lambdaHook(new LambdaClient({ region: 'us-east-1' }), {
  name: 'reindex',
  functionArn: FUNCTION_ARN,
});
/** A response payload as the SDK hands it over: bytes that can also decode themselves. */
const text = (body: string): InvokeCommandOutput['Payload'] =>
  Object.assign(new TextEncoder().encode(body), { transformToString: () => body });
const bytes = (value: unknown) => text(JSON.stringify(value));

beforeEach(() => {
  lambda.reset();
});

describe('lambdaHook', () => {
  it('invokes the function synchronously with the run summary and reports what it changed', async () => {
    lambda
      .on(InvokeCommand)
      .resolves({ StatusCode: 200, Payload: bytes({ changed: 'reindexed 3 indexes' }) });

    const result = await hook.run(hookContext());

    expect(result).toEqual({ changed: 'reindexed 3 indexes' });
    expect(lambda).toHaveReceivedCommandTimes(InvokeCommand, 1);
    const input = lambda.commandCalls(InvokeCommand)[0]?.args[0].input;
    expect(input?.FunctionName).toBe(FUNCTION_ARN);
    expect(input?.InvocationType).toBe('RequestResponse');
    const payload = JSON.parse(new TextDecoder().decode(input?.Payload as Uint8Array));
    expect(payload).toEqual(JSON.parse(invocationPayload('reindex', RUN)));
    expect(payload.run.taskIdentifier).toBe('nightly-refresh');
  });

  it('reports the invoke when the function returns nothing', async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 200 });
    expect(await hook.run(hookContext())).toEqual({ changed: `invoked ${FUNCTION_ARN}` });
  });

  it('fails with the function error message when Lambda reports a FunctionError', async () => {
    lambda.on(InvokeCommand).resolves({
      StatusCode: 200,
      FunctionError: 'Unhandled',
      Payload: bytes({ errorType: 'IndexMissing', errorMessage: 'index customers_v2 not found', trace: [] }),
    });
    const error = await rejection(hook.run(hookContext()));
    expect(error).toBeInstanceOf(HookFunctionError);
    expect((error as Error).message).toBe(
      `${FUNCTION_ARN} failed (Unhandled, IndexMissing): index customers_v2 not found`,
    );
  });

  it('fails on a FunctionError whose payload is not JSON', async () => {
    lambda.on(InvokeCommand).resolves({
      StatusCode: 200,
      FunctionError: 'Unhandled',
      Payload: text('Runtime exited with error: signal: killed'),
    });
    expect(String(await rejection(hook.run(hookContext())))).toContain(
      'Runtime exited with error: signal: killed',
    );
  });

  it.each([
    [{ errorMessage: 'smoke check failed: 0 orders' }, 'smoke check failed: 0 orders'],
    [{ error: 'search cluster red' }, 'search cluster red'],
  ])('fails when the function answers with an error payload %j', async (payload, message) => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: bytes(payload) });
    const error = await rejection(hook.run(hookContext()));
    expect(error).toBeInstanceOf(HookFunctionError);
    expect((error as Error).message).toBe(`${FUNCTION_ARN} answered with an error: ${message}`);
  });

  it('fails when the invoke itself fails (not allowed, throttled, missing)', async () => {
    lambda
      .on(InvokeCommand)
      .rejects(new Error('AccessDeniedException: not authorized to perform lambda:InvokeFunction'));
    expect(String(await rejection(hook.run(hookContext())))).toContain('AccessDeniedException');
  });

  it('passes the hook signal to the SDK, so a timed-out hook stops waiting for the function', async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 200 });
    const controller = new AbortController();
    await hook.run(hookContext({ signal: controller.signal }));
    const [, options] = lambda.commandCalls(InvokeCommand)[0]?.args as unknown as [unknown, unknown];
    expect(options).toEqual({ abortSignal: controller.signal });
  });
});
