// Why this file exists: what the target account already has, in the folder's terms, for the plan to compare
// against: every endpoint, replication instance and task by identifier, normalised exactly as an export
// would write it, with its ARN and the import tag's value (which environment's import created it, if any).
import { type EndpointDefinition, IMPORT_TAG, type ReplicationInstanceDefinition } from './model.ts';
import { type NormalisedTask, normaliseEndpoint, normaliseInstance, normaliseTask } from './normalise.ts';
import type { DmsReader } from './ports.ts';

export interface Existing<T> {
  readonly arn: string;
  readonly definition: T;
  /** The IMPORT_TAG value: the environment whose import created it; undefined for anything else. */
  readonly importEnv?: string;
}

export interface ExistingTask extends Existing<NormalisedTask> {
  readonly status: string;
  readonly sourceEndpoint: string;
  readonly targetEndpoint: string;
  readonly replicationInstance: string;
}

export interface AccountState {
  readonly endpoints: ReadonlyMap<string, Existing<EndpointDefinition>>;
  readonly replicationInstances: ReadonlyMap<string, Existing<ReplicationInstanceDefinition>>;
  readonly tasks: ReadonlyMap<string, ExistingTask>;
}

export async function readAccount(reader: DmsReader): Promise<AccountState> {
  const [endpoints, instances, tasks] = await Promise.all([
    reader.endpoints(),
    reader.replicationInstances(),
    reader.tasks(),
  ]);
  const arns = [
    ...endpoints.map((endpoint) => endpoint.EndpointArn),
    ...instances.map((instance) => instance.ReplicationInstanceArn),
    ...tasks.map((task) => task.ReplicationTaskArn),
  ].filter((arn): arn is string => arn !== undefined);
  const tags = await reader.tags(arns);
  const envOf = (arn: string) => tags.get(arn)?.[IMPORT_TAG];
  const idOfArn = new Map<string, string>();
  const endpointState = new Map<string, Existing<EndpointDefinition>>();
  for (const endpoint of endpoints) {
    if (!endpoint.EndpointArn || !endpoint.EndpointIdentifier) continue;
    idOfArn.set(endpoint.EndpointArn, endpoint.EndpointIdentifier);
    endpointState.set(
      endpoint.EndpointIdentifier,
      existing(endpoint.EndpointArn, normaliseEndpoint(endpoint).value, envOf(endpoint.EndpointArn)),
    );
  }
  const instanceState = new Map<string, Existing<ReplicationInstanceDefinition>>();
  for (const instance of instances) {
    if (!instance.ReplicationInstanceArn || !instance.ReplicationInstanceIdentifier) continue;
    idOfArn.set(instance.ReplicationInstanceArn, instance.ReplicationInstanceIdentifier);
    instanceState.set(
      instance.ReplicationInstanceIdentifier,
      existing(
        instance.ReplicationInstanceArn,
        normaliseInstance(instance),
        envOf(instance.ReplicationInstanceArn),
      ),
    );
  }
  const taskState = new Map<string, ExistingTask>();
  for (const task of tasks) {
    if (!task.ReplicationTaskArn || !task.ReplicationTaskIdentifier) continue;
    const env = envOf(task.ReplicationTaskArn);
    taskState.set(task.ReplicationTaskIdentifier, {
      ...existing(task.ReplicationTaskArn, normaliseTask(task), env),
      status: task.Status ?? 'unknown',
      sourceEndpoint: idOfArn.get(task.SourceEndpointArn ?? '') ?? task.SourceEndpointArn ?? '',
      targetEndpoint: idOfArn.get(task.TargetEndpointArn ?? '') ?? task.TargetEndpointArn ?? '',
      replicationInstance:
        idOfArn.get(task.ReplicationInstanceArn ?? '') ?? task.ReplicationInstanceArn ?? '',
    });
  }
  return { endpoints: endpointState, replicationInstances: instanceState, tasks: taskState };
}

function existing<T>(arn: string, definition: T, importEnv: string | undefined): Existing<T> {
  return { arn, definition, ...(importEnv !== undefined && { importEnv }) };
}
