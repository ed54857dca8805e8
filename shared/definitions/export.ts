// Why this file exists: `export` chooses tasks (by tag, or by identifier), then describes each with the
// endpoints and replication instance it uses, in the folder's account-neutral terms. It reads only: the
// folder is written by the caller, from what this returns, and nothing here can reach a password.
import type {
  Definitions,
  EndpointDefinition,
  ReplicationInstanceDefinition,
  TaskDefinition,
} from './model.ts';
import { normaliseEndpoint, normaliseInstance, normaliseTask } from './normalise.ts';
import type { DmsReader, Tags } from './ports.ts';

export type Selection =
  | { readonly by: 'tags'; readonly tags: Tags }
  | { readonly by: 'identifiers'; readonly identifiers: readonly string[] };

export interface ExportOptions {
  /** Removed from the start of every identifier (an environment's name prefix), so the folder is neutral. */
  readonly stripPrefix?: string;
}

export interface ExportResult {
  readonly definitions: Definitions;
  readonly warnings: readonly string[];
}

/** The selection matched nothing, or named a task the account does not have. Nothing was written. */
export class SelectionError extends Error {
  override readonly name = 'SelectionError';
}

export async function exportDefinitions(
  reader: DmsReader,
  selection: Selection,
  options: ExportOptions = {},
): Promise<ExportResult> {
  const allTasks = await reader.tasks();
  let chosen = allTasks;
  if (selection.by === 'identifiers') {
    const missing = selection.identifiers.filter(
      (id) => !allTasks.some((task) => task.ReplicationTaskIdentifier === id),
    );
    if (missing.length > 0)
      throw new SelectionError(`no replication task ${missing.join(', ')} in this account and region`);
    chosen = allTasks.filter((task) => selection.identifiers.includes(task.ReplicationTaskIdentifier ?? ''));
  } else {
    const tags = await reader.tags(
      allTasks.flatMap((task) => (task.ReplicationTaskArn ? [task.ReplicationTaskArn] : [])),
    );
    chosen = allTasks.filter((task) => {
      const own = tags.get(task.ReplicationTaskArn ?? '') ?? {};
      return Object.entries(selection.tags).every(([key, value]) => own[key] === value);
    });
    if (chosen.length === 0) {
      const wanted = Object.entries(selection.tags)
        .map(([key, value]) => `${key}=${value}`)
        .join(', ');
      throw new SelectionError(`no replication task has the tags ${wanted}`);
    }
  }
  const [endpoints, instances] = await Promise.all([reader.endpoints(), reader.replicationInstances()]);
  const rename = (id: string) =>
    options.stripPrefix && id.startsWith(options.stripPrefix) ? id.slice(options.stripPrefix.length) : id;
  const warnings: string[] = [];
  const endpointDefinitions: Record<string, EndpointDefinition> = {};
  const instanceDefinitions: Record<string, ReplicationInstanceDefinition> = {};
  const tasks: Record<string, TaskDefinition> = {};
  const claim = <T>(into: Record<string, T>, id: string, value: T, what: string) => {
    if (id in into && JSON.stringify(into[id]) !== JSON.stringify(value)) {
      throw new SelectionError(
        `two ${what}s are both named ${id} once the prefix is removed: export them separately`,
      );
    }
    into[id] = value;
  };
  for (const task of chosen) {
    const id = rename(task.ReplicationTaskIdentifier ?? '');
    const source = endpoints.find((endpoint) => endpoint.EndpointArn === task.SourceEndpointArn);
    const target = endpoints.find((endpoint) => endpoint.EndpointArn === task.TargetEndpointArn);
    const instance = instances.find((each) => each.ReplicationInstanceArn === task.ReplicationInstanceArn);
    if (!source || !target || !instance) {
      throw new SelectionError(
        `task ${task.ReplicationTaskIdentifier}: its endpoints or replication instance could not be read`,
      );
    }
    for (const endpoint of [source, target]) {
      const normalised = normaliseEndpoint(endpoint, rename(endpoint.EndpointIdentifier ?? ''));
      warnings.push(...normalised.warnings);
      claim(endpointDefinitions, rename(endpoint.EndpointIdentifier ?? ''), normalised.value, 'endpoint');
    }
    claim(
      instanceDefinitions,
      rename(instance.ReplicationInstanceIdentifier ?? ''),
      normaliseInstance(instance),
      'replication instance',
    );
    if ((instance.VpcSecurityGroups ?? []).length > 0) {
      warnings.push(
        `replication instance ${instance.ReplicationInstanceIdentifier}: left out its VPC security groups (give securityGroupIds per environment in the overrides)`,
      );
    }
    const { migrationType, tableMappings, settings } = normaliseTask(task);
    tasks[id] = {
      migrationType,
      sourceEndpoint: rename(source.EndpointIdentifier ?? ''),
      targetEndpoint: rename(target.EndpointIdentifier ?? ''),
      replicationInstance: rename(instance.ReplicationInstanceIdentifier ?? ''),
      tableMappings,
      ...(settings !== undefined && { settings }),
    };
  }
  return {
    definitions: { endpoints: endpointDefinitions, replicationInstances: instanceDefinitions, tasks },
    warnings: [...new Set(warnings)],
  };
}
