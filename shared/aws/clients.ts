// SDK clients, built once per cold start and shared by the adapters. Retries use the SDK's own standard
// strategy (exponential backoff with jitter); the attempt count is raised a little because a failed
// EnableRule is exactly the call that must not give up early. AWS_ENDPOINT_URL (honoured by the SDK) points
// them at moto_server in integration tests. The command line (cli/) builds the same clients with the region
// and profile an operator chose; the functions take the defaults of their Lambda environment.
import { DatabaseMigrationServiceClient } from '@aws-sdk/client-database-migration-service';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';

const clientConfig = { maxAttempts: 5, retryMode: 'standard' } as const;

/**
 * Where a client looks when not in Lambda: `profile` makes the SDK's default chain read that profile's
 * credentials and region (~/.aws/credentials and config) instead of the environment's keys.
 */
export interface ClientLocation {
  readonly region?: string;
  readonly profile?: string;
}

export const createDmsClient = (location: ClientLocation = {}) =>
  new DatabaseMigrationServiceClient({ ...clientConfig, ...location });
export const createEventBridgeClient = (location: ClientLocation = {}) =>
  new EventBridgeClient({ ...clientConfig, ...location });
export const createSnsClient = () => new SNSClient(clientConfig);
export const createDynamoDbClient = (location: ClientLocation = {}) =>
  new DynamoDBClient({ ...clientConfig, ...location });
export const createSecretsManagerClient = () => new SecretsManagerClient(clientConfig);
/**
 * One attempt only: Invoke is not idempotent, and an SDK retry after a dropped connection would run a team's
 * hook function a second time for the same run (invariant 2). A failed invoke fails the hook instead.
 */
export const createLambdaClient = (location: ClientLocation = {}) =>
  new LambdaClient({ maxAttempts: 1, ...location });
