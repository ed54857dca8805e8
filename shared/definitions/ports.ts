// Why this file exists: the narrow ports the definitions domain talks to an account through. Reading is four
// listings (everything an export or a plan needs, in four paginated calls and one tag lookup); writing is one
// method per DMS call an import makes, each already waiting where DMS needs it (an instance must be
// available before a task is created on it; a deleted task must be gone before its endpoints go). The SDK
// adapter is dms-account.ts; tests use aws-sdk-client-mock on it, or moto_server.
import type {
  CreateEndpointMessage,
  CreateReplicationInstanceMessage,
  CreateReplicationTaskMessage,
  Endpoint,
  ModifyEndpointMessage,
  ModifyReplicationInstanceMessage,
  ModifyReplicationTaskMessage,
  ReplicationInstance,
  ReplicationTask,
} from '@aws-sdk/client-database-migration-service';

export type Tags = Readonly<Record<string, string>>;

export interface DmsReader {
  tasks(): Promise<ReplicationTask[]>;
  endpoints(): Promise<Endpoint[]>;
  replicationInstances(): Promise<ReplicationInstance[]>;
  /** Each ARN's tags (an ARN without tags maps to {}). */
  tags(arns: readonly string[]): Promise<Map<string, Tags>>;
}

export type ConnectionResult = { readonly ok: true } | { readonly ok: false; readonly message: string };

export interface DmsWriter {
  createEndpoint(input: CreateEndpointMessage): Promise<string>;
  modifyEndpoint(input: ModifyEndpointMessage): Promise<void>;
  deleteEndpoint(arn: string): Promise<void>;
  /** Creates the instance and returns its ARN once it is available (tasks can only be created on one that is). */
  createReplicationInstance(input: CreateReplicationInstanceMessage): Promise<string>;
  modifyReplicationInstance(input: ModifyReplicationInstanceMessage): Promise<void>;
  deleteReplicationInstance(arn: string): Promise<void>;
  createTask(input: CreateReplicationTaskMessage): Promise<string>;
  modifyTask(input: ModifyReplicationTaskMessage): Promise<void>;
  /** Deletes the task and returns once DMS no longer lists it: its endpoints and instance can then go. */
  deleteTask(arn: string): Promise<void>;
  /** Tests the connection from the instance to the endpoint and waits for DMS's verdict. */
  testConnection(instanceArn: string, endpointArn: string): Promise<ConnectionResult>;
}
