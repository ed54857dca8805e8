// Why this file exists: what an import makes real is the folder as one environment should have it: the
// overrides applied (hosts, secrets, instance class...), every identifier and reference given the
// environment's name prefix. This pure step sits between reading the folder and planning.
import type {
  Definitions,
  EndpointAuth,
  EndpointDefinition,
  ReplicationInstanceDefinition,
  TaskDefinition,
} from './model.ts';
import type { EndpointOverride, EnvironmentOverrides } from './overrides.ts';

/** The desired state of one environment: target identifiers (prefix applied) and every reference renamed. */
export interface DesiredState extends Definitions {
  readonly env: string;
  readonly namePrefix: string;
  /** Target identifier to the folder's identifier (for messages and the password variable's name). */
  readonly folderIdOf: ReadonlyMap<string, string>;
}

/** The folder as `env` should have it: overrides applied, every identifier and reference prefixed. */
export function desiredState(
  definitions: Definitions,
  env: string,
  overrides: EnvironmentOverrides,
): DesiredState {
  const prefix = overrides.namePrefix ?? '';
  const named = (id: string) => `${prefix}${id}`;
  const folderIdOf = new Map<string, string>();
  const rename = <T>(record: Readonly<Record<string, T>>, change: (id: string, value: T) => T) =>
    Object.fromEntries(
      Object.entries(record).map(([id, value]) => {
        folderIdOf.set(named(id), id);
        return [named(id), change(id, value)];
      }),
    );
  const endpoints = rename(definitions.endpoints, (id, endpoint) =>
    withEndpointOverride(endpoint, overrides.endpoints?.[id]),
  );
  const replicationInstances = rename(
    definitions.replicationInstances,
    (id, instance) =>
      ({ ...instance, ...overrides.replicationInstances?.[id] }) as ReplicationInstanceDefinition,
  );
  const tasks = rename(
    definitions.tasks,
    (_id, task): TaskDefinition => ({
      ...task,
      sourceEndpoint: named(task.sourceEndpoint),
      targetEndpoint: named(task.targetEndpoint),
      replicationInstance: named(task.replicationInstance),
    }),
  );
  return { env, namePrefix: prefix, folderIdOf, endpoints, replicationInstances, tasks };
}

function withEndpointOverride(
  endpoint: EndpointDefinition,
  override: EndpointOverride | undefined,
): EndpointDefinition {
  if (override === undefined) return endpoint;
  const { secretArn, secretAccessRoleArn, settings, ...plain } = override;
  const mergedSettings: Record<string, Record<string, unknown>> = { ...endpoint.settings };
  for (const [block, values] of Object.entries(settings ?? {}))
    mergedSettings[block] = { ...mergedSettings[block], ...values };
  const current = endpoint.auth.kind === 'secrets-manager' ? endpoint.auth : undefined;
  const roleArn = secretAccessRoleArn ?? current?.accessRoleArn;
  const secret = secretArn ?? current?.secretArn;
  const auth: EndpointAuth =
    secret === undefined
      ? endpoint.auth
      : {
          kind: 'secrets-manager',
          secretArn: secret,
          ...(roleArn !== undefined && { accessRoleArn: roleArn }),
        };
  return {
    ...endpoint,
    ...plain,
    auth,
    ...(Object.keys(mergedSettings).length > 0 && { settings: mergedSettings }),
  };
}
