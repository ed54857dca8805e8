// Why this file exists: one folder, many environments. What differs per environment (host names, secret
// ARNs, instance class, subnet group, security groups, a name prefix) lives in an overrides file, one section
// per environment, and is applied here to the folder's definitions to give the state an import makes real.
// The file is JSON or YAML; it is validated like the folder (file and JSON path), and may never hold a password.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { type JsonObject, type JsonPath, Problems } from './json-path.ts';
import {
  type Definitions,
  DefinitionsError,
  type EndpointAuth,
  type EndpointDefinition,
  type ReplicationInstanceDefinition,
  type TaskDefinition,
} from './model.ts';
import { isSecretKey } from './secrets.ts';
import { IDENTIFIER_LIMITS, identifierProblem } from './validate-manifest.ts';

export interface EndpointOverride {
  readonly server?: string;
  readonly port?: number;
  readonly database?: string;
  readonly username?: string;
  readonly sslMode?: string;
  readonly extraConnectionAttributes?: string;
  /** Switches the endpoint to (or keeps it on) this Secrets Manager secret. */
  readonly secretArn?: string;
  readonly secretAccessRoleArn?: string;
  /** Merged into the endpoint's settings blocks, key by key. */
  readonly settings?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

export type InstanceOverride = Partial<ReplicationInstanceDefinition>;

export interface EnvironmentOverrides {
  readonly namePrefix?: string;
  readonly endpoints?: Readonly<Record<string, EndpointOverride>>;
  readonly replicationInstances?: Readonly<Record<string, InstanceOverride>>;
}

/** The desired state of one environment: target identifiers (prefix applied) and every reference renamed. */
export interface DesiredState extends Definitions {
  readonly env: string;
  readonly namePrefix: string;
  /** Target identifier to the folder's identifier (for messages and the password variable's name). */
  readonly folderIdOf: ReadonlyMap<string, string>;
}

const ENDPOINT_OVERRIDE_KEYS = [
  'server',
  'port',
  'database',
  'username',
  'sslMode',
  'extraConnectionAttributes',
  'secretArn',
  'secretAccessRoleArn',
  'settings',
];
const INSTANCE_OVERRIDE_KEYS = [
  'class',
  'allocatedStorage',
  'engineVersion',
  'multiAz',
  'publiclyAccessible',
  'subnetGroup',
  'securityGroupIds',
];

/** The overrides of `env` in `file` (undefined file: none). Throws DefinitionsError naming file and path. */
export function readOverrides(
  file: string | undefined,
  env: string,
  definitions: Definitions,
): EnvironmentOverrides {
  if (file === undefined) return {};
  const name = basename(file);
  let parsed: unknown;
  try {
    parsed = parseYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new DefinitionsError(`the overrides file ${file} cannot be read`, [
      {
        file: name,
        path: '$',
        message: error instanceof Error ? (error.message.split('\n', 1)[0] ?? '') : String(error),
      },
    ]);
  }
  const problems = new Problems(name);
  const top = problems.object(parsed, []);
  const section = top?.[env];
  if (top !== undefined && section === undefined) {
    problems.add(
      [],
      `has no environment ${JSON.stringify(env)} (it has: ${Object.keys(top).join(', ') || 'none'})`,
    );
  }
  const overrides = section === undefined ? undefined : problems.object(section, [env]);
  if (overrides !== undefined) checkOverrides(problems, overrides, [env], definitions);
  if (problems.found.length > 0) {
    throw new DefinitionsError(
      `the overrides in ${file} are not valid (nothing was changed)`,
      problems.found,
    );
  }
  return (overrides ?? {}) as EnvironmentOverrides;
}

function checkOverrides(
  problems: Problems,
  overrides: JsonObject,
  path: JsonPath,
  definitions: Definitions,
): void {
  problems.onlyKeys(overrides, path, ['namePrefix', 'endpoints', 'replicationInstances']);
  const prefix = overrides.namePrefix;
  if (
    prefix !== undefined &&
    (typeof prefix !== 'string' || !/^[A-Za-z](?:[A-Za-z0-9]|-(?!-))*$/.test(prefix))
  ) {
    problems.add(
      [...path, 'namePrefix'],
      'expected a letter, then letters, digits and single hyphens (e.g. "stg-")',
    );
  } else if (typeof prefix === 'string') {
    const kinds = [
      ['endpoint', definitions.endpoints, IDENTIFIER_LIMITS.endpoint],
      ['replication instance', definitions.replicationInstances, IDENTIFIER_LIMITS.replicationInstance],
      ['task', definitions.tasks, IDENTIFIER_LIMITS.task],
    ] as const;
    for (const [what, record, limit] of kinds) {
      for (const id of Object.keys(record)) {
        const bad = identifierProblem(`${prefix}${id}`, limit);
        if (bad !== undefined) problems.add([...path, 'namePrefix'], `${what} ${id} would be named ${bad}`);
      }
    }
  }
  const endpoints =
    overrides.endpoints === undefined
      ? {}
      : (problems.object(overrides.endpoints, [...path, 'endpoints']) ?? {});
  for (const [id, value] of Object.entries(endpoints)) {
    const at: JsonPath = [...path, 'endpoints', id];
    if (!(id in definitions.endpoints))
      problems.add(at, `no endpoint ${JSON.stringify(id)} in the folder's manifest`);
    const override = problems.object(value, at);
    if (override === undefined) continue;
    problems.onlyKeys(override, at, ENDPOINT_OVERRIDE_KEYS);
    for (const key of [
      'server',
      'database',
      'username',
      'sslMode',
      'extraConnectionAttributes',
      'secretArn',
      'secretAccessRoleArn',
    ]) {
      problems.string(override[key], [...at, key], false);
    }
    if (
      override.port !== undefined &&
      !(Number.isInteger(override.port) && (override.port as number) > 0 && (override.port as number) < 65536)
    ) {
      problems.add([...at, 'port'], 'expected a port number (1 to 65535)');
    }
    const usesSecret =
      override.secretArn !== undefined || definitions.endpoints[id]?.auth.kind === 'secrets-manager';
    for (const key of ['server', 'port', 'username']) {
      if (usesSecret && override[key] !== undefined) {
        problems.add(
          [...at, key],
          'the endpoint reads it from its secret (DMS does): set it in the secret instead',
        );
      }
    }
    if (typeof override.secretArn === 'string' && !override.secretArn.startsWith('arn:')) {
      problems.add(
        [...at, 'secretArn'],
        'expected a Secrets Manager secret ARN (arn:aws:secretsmanager:...)',
      );
    }
    if (override.settings !== undefined) {
      const settings = problems.object(override.settings, [...at, 'settings']);
      for (const [block, inner] of Object.entries(settings ?? {})) {
        const object = problems.object(inner, [...at, 'settings', block]);
        for (const key of Object.keys(object ?? {})) {
          if (isSecretKey(key) && typeof object?.[key] !== 'boolean') {
            problems.add(
              [...at, 'settings', block, key],
              'must not hold a password or secret: use secretArn',
            );
          }
        }
      }
    }
    if (/password\s*=/i.test(String(override.extraConnectionAttributes ?? ''))) {
      problems.add([...at, 'extraConnectionAttributes'], 'must not hold a password: use secretArn');
    }
  }
  const instances =
    overrides.replicationInstances === undefined
      ? {}
      : (problems.object(overrides.replicationInstances, [...path, 'replicationInstances']) ?? {});
  for (const [id, value] of Object.entries(instances)) {
    const at: JsonPath = [...path, 'replicationInstances', id];
    if (!(id in definitions.replicationInstances))
      problems.add(at, `no replication instance ${JSON.stringify(id)} in the folder's manifest`);
    const override = problems.object(value, at);
    if (override === undefined) continue;
    problems.onlyKeys(override, at, INSTANCE_OVERRIDE_KEYS);
    if (
      override.securityGroupIds !== undefined &&
      !(
        Array.isArray(override.securityGroupIds) &&
        override.securityGroupIds.every((id) => typeof id === 'string')
      )
    ) {
      problems.add([...at, 'securityGroupIds'], 'expected an array of security group ids');
    }
  }
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
