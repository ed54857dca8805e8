// Why this file exists: one folder, many environments. What differs per environment (host names, secret
// ARNs, instance class, subnet group, security groups, a name prefix) lives in an overrides file, one section
// per environment (desired-state.ts applies it to the folder). The file is JSON or YAML; it is read and
// validated here like the folder (file and JSON path, before any call), and may never hold a password.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { type JsonObject, type JsonPath, Problems } from './json-path.ts';
import {
  type Definitions,
  DefinitionsError,
  INSTANCE_FIELDS,
  type ReplicationInstanceDefinition,
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
const INSTANCE_OVERRIDE_KEYS = INSTANCE_FIELDS;

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
