// Why this file exists: the command line talks to AWS as an operator, not as a function: the region and
// profile come from its options (or the SDK's default chain when none is given), and any failure of a call
// must end as one readable line and exit code 3, whatever the SDK threw. `askAws` is that one place.
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { DatabaseMigrationServiceClient } from '@aws-sdk/client-database-migration-service';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import {
  type ClientLocation,
  createDmsClient,
  createDynamoDbClient,
  createEventBridgeClient,
  createLambdaClient,
} from '#shared/aws/clients';
import { AwsCallError, DeploymentError } from './errors.ts';

export interface AwsClients {
  readonly cloudFormation: CloudFormationClient;
  readonly dms: DatabaseMigrationServiceClient;
  readonly eventBridge: EventBridgeClient;
  readonly dynamoDb: DynamoDBClient;
  /** One attempt only, as for hook functions: see TaskStarterInvoker for why `run` never invokes twice. */
  readonly lambda: LambdaClient;
  destroy(): void;
}

/** The clients a command needs, built once, for `--region` / `--profile` (each undefined: the default chain). */
export function createAwsClients(location: ClientLocation): AwsClients {
  const cloudFormation = new CloudFormationClient({ maxAttempts: 3, retryMode: 'standard', ...location });
  const dms = createDmsClient(location);
  const eventBridge = createEventBridgeClient(location);
  const dynamoDb = createDynamoDbClient(location);
  const lambda = createLambdaClient(location);
  return {
    cloudFormation,
    dms,
    eventBridge,
    dynamoDb,
    lambda,
    destroy: () => {
      for (const client of [cloudFormation, dms, eventBridge, dynamoDb, lambda]) client.destroy();
    },
  };
}

/** Runs one AWS call; any failure becomes an AwsCallError naming the call, with a hint where one helps. */
export async function askAws<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    // Already said in the caller's words (e.g. "stack X not found", "the task does not exist"): not wrapped.
    if (error instanceof AwsCallError || error instanceof DeploymentError) throw error;
    throw new AwsCallError(what, `${what} failed: ${explainAwsFailure(error)}`, { cause: error });
  }
}

/** One line: the service's error name and message, or what the SDK could not even begin (credentials, region). */
export function explainAwsFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const message = firstLine(error.message);
  if (error.name === 'CredentialsProviderError') {
    return `no AWS credentials found (${message}): check the profile (--profile, AWS_PROFILE) has credentials, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`;
  }
  if (/region is missing/i.test(message)) {
    return 'no AWS region: give --region REGION, or set AWS_REGION (or a region in the profile)';
  }
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code))
    return `cannot reach AWS (${code}${message ? `: ${message}` : ''})`;
  return message ? `${error.name}: ${message}` : error.name;
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0]?.trim() ?? '';
}
