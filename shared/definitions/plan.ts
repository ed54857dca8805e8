// Why this file exists: every change an import makes is planned first, by this pure function, from the
// folder's desired state and what the account has; `--plan` prints the plan, a real import carries out the
// same items in the same order (apply.ts), so what was shown is what is done. Resources are matched by
// identifier. The import owns only what carries its tag with this environment's value: anything else with a
// wanted name is a conflict (never taken over), and `--prune` deletes only what it owns.
import type { AccountState, Existing } from './account.ts';
import type { DesiredState } from './desired-state.ts';
import { endpointChanges, instanceChanges, taskChanges } from './diff.ts';
import type { EndpointDefinition, ReplicationInstanceDefinition, TaskDefinition } from './model.ts';

export type ResourceKind = 'endpoint' | 'replication-instance' | 'task';

/** What each kind of resource is desired as. */
interface DesiredOf {
  readonly endpoint: EndpointDefinition;
  readonly 'replication-instance': ReplicationInstanceDefinition;
  readonly task: TaskDefinition;
}

interface Create<K extends ResourceKind> {
  readonly action: 'create';
  readonly kind: K;
  readonly id: string;
  readonly desired: DesiredOf[K];
}

interface Change<A extends 'update' | 'replace', K extends ResourceKind> {
  readonly action: A;
  readonly kind: K;
  readonly id: string;
  readonly arn: string;
  /** The fields that differ, e.g. `tableMappings`, `settings.PostgreSQLSettings`. */
  readonly changes: readonly string[];
  readonly desired: DesiredOf[K];
}

/** An item about a resource that exists: left as it is, or deleted. */
interface OnExisting<A extends 'delete' | 'no-op'> {
  readonly action: A;
  readonly kind: ResourceKind;
  readonly id: string;
  readonly arn: string;
}

export type PlanItem =
  | Create<'endpoint'>
  | Create<'replication-instance'>
  | Create<'task'>
  | Change<'update', 'endpoint'>
  | Change<'update', 'replication-instance'>
  | Change<'update', 'task'>
  /** A task's endpoints and instance cannot be modified: it is deleted and created again. */
  | Change<'replace', 'task'>
  | OnExisting<'delete'>
  | OnExisting<'no-op'>;

export interface Conflict {
  readonly kind: ResourceKind;
  readonly id: string;
  readonly reason: string;
}

export interface Plan {
  readonly env: string;
  readonly items: readonly PlanItem[];
  /** Any conflict refuses the whole import before a change is made. */
  readonly conflicts: readonly Conflict[];
}

export interface PlanOptions {
  readonly prune: boolean;
}

const A_KIND: Record<ResourceKind, string> = {
  endpoint: 'an endpoint',
  'replication-instance': 'a replication instance',
  task: 'a task',
};

export const changesSomething = (item: PlanItem) => item.action !== 'no-op';

export function plan(desired: DesiredState, actual: AccountState, options: PlanOptions): Plan {
  const items: PlanItem[] = [];
  const conflicts: Conflict[] = [];
  const owned = (existing: Existing<unknown>) => existing.importEnv === desired.env;
  const notOwned = (kind: ResourceKind, id: string, existing: Existing<unknown>) =>
    conflicts.push({
      kind,
      id,
      reason:
        existing.importEnv === undefined
          ? `${A_KIND[kind]} named ${id} exists and was not created by an import: it is never taken over (choose another namePrefix, or rename or delete it)`
          : `${A_KIND[kind]} named ${id} belongs to the import of environment ${existing.importEnv}, not ${desired.env}`,
    });

  for (const [id, wanted] of Object.entries(desired.endpoints)) {
    const existing = actual.endpoints.get(id);
    if (existing === undefined) items.push({ action: 'create', kind: 'endpoint', id, desired: wanted });
    else if (!owned(existing)) notOwned('endpoint', id, existing);
    else {
      const changes = endpointChanges(wanted, existing.definition);
      items.push(
        changes.length === 0
          ? { action: 'no-op', kind: 'endpoint', id, arn: existing.arn }
          : { action: 'update', kind: 'endpoint', id, arn: existing.arn, changes, desired: wanted },
      );
    }
  }
  for (const [id, wanted] of Object.entries(desired.replicationInstances)) {
    const existing = actual.replicationInstances.get(id);
    if (existing === undefined)
      items.push({ action: 'create', kind: 'replication-instance', id, desired: wanted });
    else if (!owned(existing)) notOwned('replication-instance', id, existing);
    else if (wanted.subnetGroup !== undefined && wanted.subnetGroup !== existing.definition.subnetGroup) {
      conflicts.push({
        kind: 'replication-instance',
        id,
        reason: `its subnet group is ${existing.definition.subnetGroup ?? 'the default'}, the folder wants ${wanted.subnetGroup}: DMS cannot move an instance to another subnet group (prune it and import again)`,
      });
    } else {
      const changes = instanceChanges(wanted, existing.definition);
      items.push(
        changes.length === 0
          ? { action: 'no-op', kind: 'replication-instance', id, arn: existing.arn }
          : {
              action: 'update',
              kind: 'replication-instance',
              id,
              arn: existing.arn,
              changes,
              desired: wanted,
            },
      );
    }
  }
  for (const [id, wanted] of Object.entries(desired.tasks)) {
    const existing = actual.tasks.get(id);
    if (existing === undefined) {
      items.push({ action: 'create', kind: 'task', id, desired: wanted });
      continue;
    }
    if (!owned(existing)) {
      notOwned('task', id, existing);
      continue;
    }
    const moved = (['sourceEndpoint', 'targetEndpoint', 'replicationInstance'] as const).filter(
      (field) => wanted[field] !== existing[field],
    );
    const changes = [...moved, ...taskChanges(wanted, existing.definition)];
    if (changes.length > 0 && ['running', 'starting', 'stopping', 'modifying'].includes(existing.status)) {
      conflicts.push({
        kind: 'task',
        id,
        reason: `it is ${existing.status}: stop it before an import changes it (${changes.join(', ')})`,
      });
    } else if (moved.length > 0) {
      items.push({ action: 'replace', kind: 'task', id, arn: existing.arn, changes, desired: wanted });
    } else {
      items.push(
        changes.length === 0
          ? { action: 'no-op', kind: 'task', id, arn: existing.arn }
          : { action: 'update', kind: 'task', id, arn: existing.arn, changes, desired: wanted },
      );
    }
  }
  if (options.prune) prunable(desired, actual, items, conflicts);
  return { env: desired.env, items, conflicts };
}

/** Deletes, tasks first (DMS refuses to delete an endpoint or instance a task still uses). */
function prunable(
  desired: DesiredState,
  actual: AccountState,
  items: PlanItem[],
  conflicts: Conflict[],
): void {
  const mine = (importEnv: string | undefined) => importEnv === desired.env;
  const remainingTasks = [...actual.tasks].filter(
    ([id, task]) => !(mine(task.importEnv) && !(id in desired.tasks)),
  );
  for (const [id, task] of actual.tasks) {
    if (mine(task.importEnv) && !(id in desired.tasks)) {
      if (['running', 'starting'].includes(task.status)) {
        conflicts.push({
          kind: 'task',
          id,
          reason: `it is ${task.status}: stop it before --prune deletes it`,
        });
      } else items.push({ action: 'delete', kind: 'task', id, arn: task.arn });
    }
  }
  const deleteUnused = (
    kind: 'endpoint' | 'replication-instance',
    state: AccountState['endpoints'] | AccountState['replicationInstances'],
    wanted: Readonly<Record<string, unknown>>,
  ) => {
    for (const [id, existing] of state) {
      if (!mine(existing.importEnv) || id in wanted) continue;
      const users = remainingTasks
        .filter(([, task]) =>
          kind === 'endpoint'
            ? task.sourceEndpoint === id || task.targetEndpoint === id
            : task.replicationInstance === id,
        )
        .map(([taskId]) => taskId);
      if (users.length > 0) {
        conflicts.push({
          kind,
          id,
          reason: `--prune would delete it, but task ${users.join(', ')} still uses it`,
        });
      } else items.push({ action: 'delete', kind, id, arn: existing.arn });
    }
  };
  deleteUnused('endpoint', actual.endpoints, desired.endpoints);
  deleteUnused('replication-instance', actual.replicationInstances, desired.replicationInstances);
}
