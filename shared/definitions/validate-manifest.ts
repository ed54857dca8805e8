// Why this file exists: the manifest ties a folder together (which endpoints and instance each task uses),
// and a typo in it would otherwise surface as a DMS error halfway through an import. Its shape, DMS's
// identifier rules, and every cross-reference (a task's source is a source endpoint that exists...) are
// checked here, all problems at once, each with the file and JSON path.
import { ENGINE_NAMES } from './engine-names.ts';
import { SETTINGS_BLOCKS, secretBlockOf } from './engines.ts';
import { type JsonObject, type JsonPath, Problems } from './json-path.ts';
import {
  ENDPOINT_PLAIN_FIELDS,
  ENDPOINT_TYPES,
  type EndpointAuth,
  type EndpointDefinition,
  INSTANCE_FIELDS,
  MANIFEST_FILE,
  MANIFEST_KIND,
  MANIFEST_VERSION,
  MIGRATION_TYPES,
  type MigrationType,
  PASSWORD_PLACEHOLDER,
  type Problem,
  type ReplicationInstanceDefinition,
} from './model.ts';
import { isSecretKey } from './secrets.ts';

/** DMS: a letter first; letters, digits and hyphens; no hyphen at the end, no two in a row. */
const IDENTIFIER = /^[A-Za-z](?:[A-Za-z0-9]|-(?!-))*$/;
export const IDENTIFIER_LIMITS = { endpoint: 255, replicationInstance: 63, task: 255 } as const;

export function identifierProblem(identifier: string, limit: number): string | undefined {
  if (!IDENTIFIER.test(identifier) || identifier.endsWith('-')) {
    return `${JSON.stringify(identifier)} is not a DMS identifier (a letter first, then letters, digits and single hyphens, not ending in a hyphen)`;
  }
  if (identifier.length > limit) return `${JSON.stringify(identifier)} is longer than ${limit} characters`;
  return undefined;
}

export interface ManifestTask {
  readonly migrationType: MigrationType;
  readonly sourceEndpoint: string;
  readonly targetEndpoint: string;
  readonly replicationInstance: string;
}

export interface Manifest {
  readonly endpoints: Record<string, EndpointDefinition>;
  readonly replicationInstances: Record<string, ReplicationInstanceDefinition>;
  readonly tasks: Record<string, ManifestTask>;
}

export function validateManifest(value: unknown): { manifest?: Manifest; problems: Problem[] } {
  const problems = new Problems(MANIFEST_FILE);
  const top = problems.object(value, []);
  if (top === undefined) return { problems: problems.found };
  problems.onlyKeys(top, [], ['kind', 'version', 'endpoints', 'replicationInstances', 'tasks']);
  if (top.kind !== MANIFEST_KIND) problems.add(['kind'], `expected ${JSON.stringify(MANIFEST_KIND)}`);
  if (top.version !== MANIFEST_VERSION)
    problems.add(
      ['version'],
      `expected ${MANIFEST_VERSION} (this version of dms-scheduler reads ${MANIFEST_VERSION})`,
    );
  const endpoints = entries(problems, top.endpoints, ['endpoints'], IDENTIFIER_LIMITS.endpoint);
  const instances = entries(
    problems,
    top.replicationInstances,
    ['replicationInstances'],
    IDENTIFIER_LIMITS.replicationInstance,
  );
  const tasks = entries(problems, top.tasks, ['tasks'], IDENTIFIER_LIMITS.task);
  for (const [id, endpoint] of endpoints) checkEndpoint(problems, endpoint, ['endpoints', id]);
  for (const [id, instance] of instances) checkInstance(problems, instance, ['replicationInstances', id]);
  for (const [id, task] of tasks) {
    const path: JsonPath = ['tasks', id];
    problems.onlyKeys(task, path, [
      'migrationType',
      'sourceEndpoint',
      'targetEndpoint',
      'replicationInstance',
    ]);
    problems.oneOf(task.migrationType, [...path, 'migrationType'], MIGRATION_TYPES);
    for (const [key, type] of [
      ['sourceEndpoint', 'source'],
      ['targetEndpoint', 'target'],
    ] as const) {
      const ref = problems.string(task[key], [...path, key]);
      if (ref === undefined) continue;
      const endpoint = endpoints.get(ref);
      if (endpoint === undefined)
        problems.add([...path, key], `no endpoint ${JSON.stringify(ref)} in endpoints`);
      else if (endpoint.type !== type)
        problems.add(
          [...path, key],
          `endpoint ${JSON.stringify(ref)} is a ${String(endpoint.type)} endpoint, not a ${type}`,
        );
    }
    const instance = problems.string(task.replicationInstance, [...path, 'replicationInstance']);
    if (instance !== undefined && !instances.has(instance)) {
      problems.add(
        [...path, 'replicationInstance'],
        `no replication instance ${JSON.stringify(instance)} in replicationInstances`,
      );
    }
  }
  if (problems.found.length > 0) return { problems: problems.found };
  return { manifest: top as unknown as Manifest, problems: [] };
}

function entries(problems: Problems, value: unknown, path: JsonPath, limit: number): Map<string, JsonObject> {
  const found = new Map<string, JsonObject>();
  const object = problems.object(value ?? {}, path);
  if (object === undefined) return found;
  for (const [id, entry] of Object.entries(object)) {
    const bad = identifierProblem(id, limit);
    if (bad !== undefined) problems.add([...path, id], bad);
    const inner = problems.object(entry, [...path, id]);
    if (inner !== undefined) found.set(id, inner);
  }
  return found;
}

const ENDPOINT_KEYS = [...ENDPOINT_PLAIN_FIELDS, 'auth', 'settings'];
const SSL_MODES = ['none', 'require', 'verify-ca', 'verify-full'] as const;

function checkEndpoint(problems: Problems, endpoint: JsonObject, path: JsonPath): void {
  problems.onlyKeys(endpoint, path, ENDPOINT_KEYS);
  problems.oneOf(endpoint.type, [...path, 'type'], ENDPOINT_TYPES);
  const engine = problems.oneOf(endpoint.engine, [...path, 'engine'], ENGINE_NAMES);
  problems.string(endpoint.server, [...path, 'server'], false);
  problems.string(endpoint.database, [...path, 'database'], false);
  problems.string(endpoint.username, [...path, 'username'], false);
  problems.oneOf(endpoint.sslMode, [...path, 'sslMode'], SSL_MODES, false);
  if (
    endpoint.port !== undefined &&
    !(Number.isInteger(endpoint.port) && (endpoint.port as number) >= 1 && (endpoint.port as number) <= 65535)
  ) {
    problems.add([...path, 'port'], 'expected a port number (1 to 65535)');
  }
  if (
    typeof endpoint.extraConnectionAttributes === 'string' &&
    /password\s*=/i.test(endpoint.extraConnectionAttributes)
  ) {
    problems.add(
      [...path, 'extraConnectionAttributes'],
      'must not hold a password: use auth (a secret, or the password at import)',
    );
  }
  checkAuth(problems, endpoint.auth, [...path, 'auth'], engine);
  if (endpoint.settings !== undefined) {
    const settings = problems.object(endpoint.settings, [...path, 'settings']);
    if (settings !== undefined) {
      problems.onlyKeys(settings, [...path, 'settings'], SETTINGS_BLOCKS);
      for (const [block, value] of Object.entries(settings)) {
        const inner = problems.object(value, [...path, 'settings', block]);
        if (inner === undefined) continue;
        for (const key of Object.keys(inner)) {
          // A flag named like a secret (`EncryptPassword: true`) is a setting; any other value is refused.
          if (isSecretKey(key) && typeof inner[key] !== 'boolean') {
            problems.add(
              [...path, 'settings', block, key],
              'must not hold a password or secret: the folder never does',
            );
          }
          if (key === 'SecretsManagerSecretId' || key === 'SecretsManagerAccessRoleArn') {
            problems.add(
              [...path, 'settings', block, key],
              'give the secret in auth ({ "kind": "secrets-manager", "secretArn": ... })',
            );
          }
        }
      }
    }
  }
}

function checkAuth(problems: Problems, value: unknown, path: JsonPath, engine: string | undefined): void {
  const auth = problems.object(value, path);
  if (auth === undefined) return;
  const kind = problems.oneOf(auth.kind, [...path, 'kind'], ['secrets-manager', 'password', 'none'] as const);
  if (kind === 'secrets-manager') {
    problems.onlyKeys(auth, path, ['kind', 'secretArn', 'accessRoleArn']);
    problems.string(auth.secretArn, [...path, 'secretArn']);
    problems.string(auth.accessRoleArn, [...path, 'accessRoleArn'], false);
    if (engine !== undefined && secretBlockOf(engine) === undefined) {
      problems.add([...path, 'kind'], `engine ${engine} takes no Secrets Manager secret`);
    }
  }
  if (kind === 'password') {
    problems.onlyKeys(auth, path, ['kind', 'password']);
    if (auth.password !== PASSWORD_PLACEHOLDER) {
      problems.add(
        [...path, 'password'],
        `must be the placeholder ${JSON.stringify(PASSWORD_PLACEHOLDER)}: a password is never kept in the folder`,
      );
    }
  }
  if (kind === 'none') problems.onlyKeys(auth, path, ['kind']);
}

function checkInstance(problems: Problems, instance: JsonObject, path: JsonPath): void {
  problems.onlyKeys(instance, path, INSTANCE_FIELDS);
  const instanceClass = problems.string(instance.class, [...path, 'class']);
  if (instanceClass !== undefined && !/^dms\.[a-z0-9]+\.[a-z0-9]+$/.test(instanceClass)) {
    problems.add(
      [...path, 'class'],
      `${JSON.stringify(instanceClass)} is not a replication instance class (dms.t3.medium, dms.r5.large...)`,
    );
  }
  const storage = instance.allocatedStorage;
  if (
    storage !== undefined &&
    !(Number.isInteger(storage) && (storage as number) >= 5 && (storage as number) <= 6144)
  ) {
    problems.add([...path, 'allocatedStorage'], 'expected GiB, an integer from 5 to 6144');
  }
  for (const key of ['multiAz', 'publiclyAccessible'] as const) {
    if (instance[key] !== undefined && typeof instance[key] !== 'boolean')
      problems.add([...path, key], 'expected true or false');
  }
  problems.string(instance.engineVersion, [...path, 'engineVersion'], false);
  problems.string(instance.subnetGroup, [...path, 'subnetGroup'], false);
}

export type { EndpointAuth };
