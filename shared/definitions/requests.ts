// Why this file exists: the DMS requests an import sends, built from the desired definitions by pure
// functions, so their exact shapes are tested without a network (and the adapter stays one call per method).
// A Secrets Manager reference goes back into the engine's settings block; a password, when one is needed to
// create an endpoint, comes from the caller and goes only into the request, never anywhere else.
import type {
  CreateEndpointMessage,
  CreateReplicationInstanceMessage,
  CreateReplicationTaskMessage,
  ModifyEndpointMessage,
  ModifyReplicationInstanceMessage,
  ModifyReplicationTaskMessage,
  Tag,
} from '@aws-sdk/client-database-migration-service';
import { secretBlockOf } from './engines.ts';
import {
  type EndpointDefinition,
  IMPORT_TAG,
  type ReplicationInstanceDefinition,
  type TaskDefinition,
} from './model.ts';

export const importTags = (env: string): Tag[] => [{ Key: IMPORT_TAG, Value: env }];

function endpointFields(definition: EndpointDefinition) {
  const settings: Record<string, Record<string, unknown>> = {};
  for (const [block, values] of Object.entries(definition.settings ?? {})) settings[block] = { ...values };
  if (definition.auth.kind === 'secrets-manager') {
    const block = secretBlockOf(definition.engine);
    if (block !== undefined) {
      settings[block] = {
        ...settings[block],
        SecretsManagerSecretId: definition.auth.secretArn,
        ...(definition.auth.accessRoleArn !== undefined && {
          SecretsManagerAccessRoleArn: definition.auth.accessRoleArn,
        }),
      };
    }
  }
  // With a secret, DMS reads server, port and user from it: the top-level ones are sent only without one.
  const direct = definition.auth.kind !== 'secrets-manager';
  return {
    EndpointType: definition.type,
    EngineName: definition.engine,
    ...(direct && definition.server !== undefined && { ServerName: definition.server }),
    ...(direct && definition.port !== undefined && { Port: definition.port }),
    ...(definition.database !== undefined && { DatabaseName: definition.database }),
    ...(direct && definition.username !== undefined && { Username: definition.username }),
    ...(definition.sslMode !== undefined && { SslMode: definition.sslMode }),
    ...(definition.extraConnectionAttributes !== undefined && {
      ExtraConnectionAttributes: definition.extraConnectionAttributes,
    }),
    ...settings,
  } as Omit<CreateEndpointMessage, 'EndpointIdentifier'>;
}

export function createEndpointRequest(
  id: string,
  definition: EndpointDefinition,
  env: string,
  password: string | undefined,
): CreateEndpointMessage {
  return {
    EndpointIdentifier: id,
    ...endpointFields(definition),
    ...(definition.auth.kind === 'password' && password !== undefined && { Password: password }),
    Tags: importTags(env),
  };
}

/** Passwords are not sent on a modify: DMS keeps the one the endpoint has (it cannot be read to compare). */
export function modifyEndpointRequest(arn: string, definition: EndpointDefinition): ModifyEndpointMessage {
  return { EndpointArn: arn, ...endpointFields(definition) } as ModifyEndpointMessage;
}

function instanceFields(definition: ReplicationInstanceDefinition) {
  return {
    ReplicationInstanceClass: definition.class,
    ...(definition.allocatedStorage !== undefined && { AllocatedStorage: definition.allocatedStorage }),
    ...(definition.engineVersion !== undefined && { EngineVersion: definition.engineVersion }),
    ...(definition.multiAz !== undefined && { MultiAZ: definition.multiAz }),
  };
}

export function createInstanceRequest(
  id: string,
  definition: ReplicationInstanceDefinition,
  env: string,
): CreateReplicationInstanceMessage {
  return {
    ReplicationInstanceIdentifier: id,
    ...instanceFields(definition),
    ...(definition.publiclyAccessible !== undefined && { PubliclyAccessible: definition.publiclyAccessible }),
    ...(definition.subnetGroup !== undefined && { ReplicationSubnetGroupIdentifier: definition.subnetGroup }),
    ...(definition.securityGroupIds !== undefined && {
      VpcSecurityGroupIds: [...definition.securityGroupIds],
    }),
    Tags: importTags(env),
  };
}

export function modifyInstanceRequest(
  arn: string,
  definition: ReplicationInstanceDefinition,
): ModifyReplicationInstanceMessage {
  return {
    ReplicationInstanceArn: arn,
    ...instanceFields(definition),
    // Without it a class or storage change waits for the maintenance window: an import means now.
    ApplyImmediately: true,
    ...(definition.securityGroupIds !== undefined && {
      VpcSecurityGroupIds: [...definition.securityGroupIds],
    }),
  };
}

export interface TaskArns {
  readonly sourceEndpointArn: string;
  readonly targetEndpointArn: string;
  readonly replicationInstanceArn: string;
}

export function createTaskRequest(
  id: string,
  definition: TaskDefinition,
  arns: TaskArns,
  env: string,
): CreateReplicationTaskMessage {
  return {
    ReplicationTaskIdentifier: id,
    SourceEndpointArn: arns.sourceEndpointArn,
    TargetEndpointArn: arns.targetEndpointArn,
    ReplicationInstanceArn: arns.replicationInstanceArn,
    MigrationType: definition.migrationType,
    TableMappings: JSON.stringify(definition.tableMappings),
    ...(definition.settings !== undefined && {
      ReplicationTaskSettings: JSON.stringify(definition.settings),
    }),
    Tags: importTags(env),
  };
}

export function modifyTaskRequest(arn: string, definition: TaskDefinition): ModifyReplicationTaskMessage {
  return {
    ReplicationTaskArn: arn,
    MigrationType: definition.migrationType,
    TableMappings: JSON.stringify(definition.tableMappings),
    ...(definition.settings !== undefined && {
      ReplicationTaskSettings: JSON.stringify(definition.settings),
    }),
  };
}
