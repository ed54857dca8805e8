// The plan is the one place that decides what an import changes: these cases pin each decision. Matching
// state is a no-op (settings DMS filled in do not count as a difference), a changed field is an update
// naming it, a moved task is a replace, a resource the import does not own is never touched (a conflict),
// a running task is not changed under DMS's feet, and --prune deletes only what this environment's import
// created, tasks before the endpoints and instances they use.
import { describe, expect, it } from 'vitest';
import type { AccountState, Existing, ExistingTask } from '#shared/definitions/account';
import { desiredState } from '#shared/definitions/desired-state';
import type { EndpointDefinition, ReplicationInstanceDefinition } from '#shared/definitions/model';
import { plan } from '#shared/definitions/plan';

const mappings = {
  rules: [
    {
      'rule-type': 'selection',
      'rule-id': '1',
      'rule-name': 'a',
      'object-locator': { 'schema-name': 'a', 'table-name': '%' },
      'rule-action': 'include',
    },
  ],
};
const source: EndpointDefinition = {
  type: 'source',
  engine: 'postgres',
  server: 'db',
  port: 5432,
  database: 'app',
  username: 'dms',
  auth: { kind: 'password', password: 'p' },
};
const target: EndpointDefinition = {
  type: 'target',
  engine: 'postgres',
  database: 'app',
  auth: { kind: 'secrets-manager', secretArn: 'arn:secret' },
};
const instance: ReplicationInstanceDefinition = { class: 'dms.t3.medium' };
const folder = {
  endpoints: { src: source, dst: target },
  replicationInstances: { main: instance },
  tasks: {
    orders: {
      migrationType: 'full-load' as const,
      sourceEndpoint: 'src',
      targetEndpoint: 'dst',
      replicationInstance: 'main',
      tableMappings: mappings,
      settings: { FullLoadSettings: { TargetTablePrepMode: 'DROP_AND_CREATE' } },
    },
  },
};
const desired = desiredState(folder, 'stg', { namePrefix: 'stg-' });

/** An existing resource; `importEnv` null: not created by any import. */
const own = <T>(arn: string, definition: T, importEnv: string | null = 'stg'): Existing<T> => ({
  arn,
  definition,
  ...(importEnv !== null && { importEnv }),
});
function matching(): {
  endpoints: Map<string, Existing<EndpointDefinition>>;
  replicationInstances: Map<string, Existing<ReplicationInstanceDefinition>>;
  tasks: Map<string, ExistingTask>;
} {
  return {
    endpoints: new Map([
      ['stg-src', own('arn:src', { ...source, auth: { kind: 'password', password: 'unreadable' } })],
      ['stg-dst', own('arn:dst', target)],
    ]),
    replicationInstances: new Map([
      ['stg-main', own('arn:main', { ...instance, allocatedStorage: 50, multiAz: false })],
    ]),
    tasks: new Map([
      [
        'stg-orders',
        {
          ...own('arn:orders', {
            migrationType: 'full-load' as const,
            tableMappings: mappings,
            // DMS answers with every setting, defaults included: the folder's are a subset.
            settings: {
              FullLoadSettings: { TargetTablePrepMode: 'DROP_AND_CREATE', MaxFullLoadSubTasks: 8 },
              Logging: { EnableLogging: false },
            },
          }),
          status: 'stopped',
          sourceEndpoint: 'stg-src',
          targetEndpoint: 'stg-dst',
          replicationInstance: 'stg-main',
        },
      ],
    ]),
  };
}
const summary = (state: AccountState, prune = false) => {
  const result = plan(desired, state, { prune });
  return {
    items: result.items.map(
      (item) =>
        `${item.action} ${item.kind} ${item.id}${'changes' in item ? ` (${item.changes.join(', ')})` : ''}`,
    ),
    conflicts: result.conflicts.map((c) => `${c.kind} ${c.id}: ${c.reason}`),
  };
};

describe('plan', () => {
  it('an empty account: everything created, endpoints and instances before the tasks', () => {
    expect(
      summary({ endpoints: new Map(), replicationInstances: new Map(), tasks: new Map() }).items,
    ).toEqual([
      'create endpoint stg-src',
      'create endpoint stg-dst',
      'create replication-instance stg-main',
      'create task stg-orders',
    ]);
  });

  it('an account that matches: all no-op (passwords are not compared; DMS defaults are not differences)', () => {
    expect(summary(matching())).toEqual({
      items: [
        'no-op endpoint stg-src',
        'no-op endpoint stg-dst',
        'no-op replication-instance stg-main',
        'no-op task stg-orders',
      ],
      conflicts: [],
    });
  });

  it('changed fields are updates naming each field', () => {
    const state = matching();
    state.endpoints.set('stg-src', own('arn:src', { ...source, server: 'old-db' }));
    state.endpoints.set(
      'stg-dst',
      own('arn:dst', { ...target, auth: { kind: 'secrets-manager', secretArn: 'arn:old' } }),
    );
    state.replicationInstances.set('stg-main', own('arn:main', { class: 'dms.t3.small' }));
    const task = state.tasks.get('stg-orders') as ExistingTask;
    state.tasks.set('stg-orders', {
      ...task,
      definition: {
        ...task.definition,
        settings: { FullLoadSettings: { TargetTablePrepMode: 'DO_NOTHING' } },
      },
    });
    expect(summary(state).items).toEqual([
      'update endpoint stg-src (server)',
      'update endpoint stg-dst (auth.secretArn)',
      'update replication-instance stg-main (class)',
      'update task stg-orders (settings)',
    ]);
  });

  it("an instance DMS upgraded past the folder's engine version is not downgraded; an older one is upgraded", () => {
    const pinned = desiredState(
      { ...folder, replicationInstances: { main: { ...instance, engineVersion: '3.5.3' } } },
      'stg',
      { namePrefix: 'stg-' },
    );
    const at = (version: string) => {
      const state = matching();
      state.replicationInstances.set('stg-main', own('arn:main', { ...instance, engineVersion: version }));
      return plan(pinned, state, { prune: false }).items.find((item) => item.kind === 'replication-instance');
    };
    expect(at('3.5.4')?.action).toBe('no-op');
    expect(at('3.5.10')?.action).toBe('no-op');
    expect(at('3.4.7')).toMatchObject({ action: 'update', changes: ['engineVersion'] });
  });

  it('a task moved to another endpoint is replaced (DMS cannot modify that)', () => {
    const state = matching();
    const task = state.tasks.get('stg-orders') as ExistingTask;
    state.tasks.set('stg-orders', { ...task, sourceEndpoint: 'stg-other' });
    expect(summary(state).items).toContain('replace task stg-orders (sourceEndpoint)');
  });

  it('never takes over what it does not own, and never changes a running task', () => {
    const state = matching();
    state.endpoints.set('stg-src', own('arn:src', source, null));
    state.replicationInstances.set('stg-main', own('arn:main', instance, 'qa'));
    const task = state.tasks.get('stg-orders') as ExistingTask;
    state.tasks.set('stg-orders', {
      ...task,
      status: 'running',
      definition: { ...task.definition, tableMappings: { rules: [] } },
    });
    expect(summary(state).conflicts).toEqual([
      'endpoint stg-src: an endpoint named stg-src exists and was not created by an import: it is never taken over (choose another namePrefix, or rename or delete it)',
      'replication-instance stg-main: a replication instance named stg-main belongs to the import of environment qa, not stg',
      'task stg-orders: it is running: stop it before an import changes it (tableMappings)',
    ]);
  });

  it('refuses to move an instance to another subnet group', () => {
    const state = matching();
    const withSubnets = desiredState(
      { ...folder, replicationInstances: { main: { ...instance, subnetGroup: 'private' } } },
      'stg',
      { namePrefix: 'stg-' },
    );
    expect(plan(withSubnets, state, { prune: false }).conflicts[0]?.reason).toMatch(
      /DMS cannot move an instance to another subnet group/,
    );
  });

  it('--prune deletes what this environment imported and the folder lacks, tasks first; nothing else', () => {
    const state = matching();
    state.tasks.set('stg-old', {
      ...own('arn:old-task', { migrationType: 'cdc' as const, tableMappings: mappings }),
      status: 'stopped',
      sourceEndpoint: 'stg-old-src',
      targetEndpoint: 'stg-dst',
      replicationInstance: 'stg-main',
    });
    state.endpoints.set('stg-old-src', own('arn:old-src', source));
    state.endpoints.set('stg-by-hand', own('arn:hand', source, null));
    state.endpoints.set('qa-src', own('arn:qa', source, 'qa'));
    expect(summary(state, false).items.filter((item) => item.startsWith('delete'))).toEqual([]);
    expect(summary(state, true).items.filter((item) => item.startsWith('delete'))).toEqual([
      'delete task stg-old',
      'delete endpoint stg-old-src',
    ]);
  });

  it('--prune refuses to delete an endpoint a task it does not own still uses', () => {
    const state = matching();
    state.endpoints.set('stg-old-src', own('arn:old-src', source));
    state.tasks.set('hand-task', {
      ...own('arn:hand-task', { migrationType: 'cdc' as const, tableMappings: mappings }, null),
      status: 'stopped',
      sourceEndpoint: 'stg-old-src',
      targetEndpoint: 'stg-dst',
      replicationInstance: 'stg-main',
    });
    expect(summary(state, true).conflicts).toEqual([
      'endpoint stg-old-src: --prune would delete it, but task hand-task still uses it',
    ]);
  });
});
