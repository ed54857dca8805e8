// Why this file exists: what DMS describes (an endpoint, a replication instance, a task) is full of what is
// true only in one account: ARNs, timestamps, status, KMS keys, VPC security groups, availability zones,
// the CloudWatch log group and stream in task settings. These functions keep what makes a task what it is,
// in the folder's account-neutral shape, and remove every password. Export writes what they return; import
// compares the target account through the same functions, so "equal" means the same thing on both sides.
import type {
  Endpoint,
  ReplicationInstance,
  ReplicationTask,
} from '@aws-sdk/client-database-migration-service';
import { SETTINGS_BLOCKS, secretBlockOf } from './engines.ts';
import {
  type EndpointAuth,
  type EndpointDefinition,
  type EndpointType,
  MIGRATION_TYPES,
  type MigrationType,
  PASSWORD_PLACEHOLDER,
  passwordVariable,
  type ReplicationInstanceDefinition,
} from './model.ts';
import { scrubExtraConnectionAttributes, scrubSettings } from './secrets.ts';

/** Keys engine settings repeat from the endpoint itself: kept once, at the top. */
const REPEATED_IN_SETTINGS: Readonly<Record<string, keyof EndpointDefinition>> = {
  ServerName: 'server',
  Port: 'port',
  DatabaseName: 'database',
  Username: 'username',
};

export interface Normalised<T> {
  readonly value: T;
  /** What was left out that a person should know of (a password, a certificate ARN): names, never values. */
  readonly warnings: readonly string[];
}

/** `folderId`: the endpoint's name in the folder (the identifier without an environment's prefix). */
export function normaliseEndpoint(
  endpoint: Endpoint,
  folderId = endpoint.EndpointIdentifier ?? '?',
): Normalised<EndpointDefinition> {
  const id = endpoint.EndpointIdentifier ?? '?';
  const warnings: string[] = [];
  const top = {
    server: endpoint.ServerName || undefined,
    port: endpoint.Port || undefined,
    database: endpoint.DatabaseName || undefined,
    username: endpoint.Username || undefined,
  };
  const engine = endpoint.EngineName ?? '';
  const settings: Record<string, Record<string, unknown>> = {};
  let auth: EndpointAuth | undefined;
  for (const blockName of SETTINGS_BLOCKS) {
    const raw = (endpoint as Record<string, unknown>)[blockName];
    if (typeof raw !== 'object' || raw === null) continue;
    const { value: block, removed } = scrubSettings(raw as Record<string, unknown>, blockName);
    if (removed.length > 0)
      warnings.push(`endpoint ${id}: left out ${removed.join(', ')} (secret values are never written)`);
    if (blockName === secretBlockOf(engine) && typeof block.SecretsManagerSecretId === 'string') {
      auth = {
        kind: 'secrets-manager',
        secretArn: block.SecretsManagerSecretId,
        ...(typeof block.SecretsManagerAccessRoleArn === 'string' && {
          accessRoleArn: block.SecretsManagerAccessRoleArn,
        }),
      };
      delete block.SecretsManagerSecretId;
      delete block.SecretsManagerAccessRoleArn;
    }
    for (const [key, field] of Object.entries(REPEATED_IN_SETTINGS)) {
      if (
        key in block &&
        (block[key] === top[field as keyof typeof top] || block[key] === '' || block[key] == null)
      ) {
        delete block[key];
      }
    }
    const kept = withoutEmpty(block);
    if (Object.keys(kept).length > 0) settings[blockName] = kept;
  }
  if (auth === undefined) {
    if (secretBlockOf(engine) !== undefined && top.username !== undefined) {
      auth = { kind: 'password', password: PASSWORD_PLACEHOLDER };
      warnings.push(
        `endpoint ${id}: uses an inline password; exported with a placeholder (give it a secretArn in the overrides, or set ${passwordVariable(folderId)} at import)`,
      );
    } else {
      auth = { kind: 'none' };
    }
  }
  if (endpoint.CertificateArn)
    warnings.push(`endpoint ${id}: left out CertificateArn (it belongs to the source account)`);
  if (endpoint.ServiceAccessRoleArn) {
    warnings.push(`endpoint ${id}: left out ServiceAccessRoleArn (it belongs to the source account)`);
  }
  let extraConnectionAttributes = endpoint.ExtraConnectionAttributes || undefined;
  if (extraConnectionAttributes !== undefined) {
    const scrubbed = scrubExtraConnectionAttributes(extraConnectionAttributes);
    if (scrubbed.removed.length > 0) {
      warnings.push(
        `endpoint ${id}: left out ${scrubbed.removed.join(', ')} (secret values are never written)`,
      );
    }
    extraConnectionAttributes = scrubbed.value || undefined;
  }
  // With a secret, DMS takes the server, port and user from it: they are the secret's, not the endpoint's.
  const connection = auth.kind === 'secrets-manager' ? { database: top.database } : top;
  const value: EndpointDefinition = withoutEmpty({
    type: (endpoint.EndpointType?.toLowerCase() ?? 'source') as EndpointType,
    engine,
    ...connection,
    sslMode: endpoint.SslMode && endpoint.SslMode !== 'none' ? endpoint.SslMode : undefined,
    extraConnectionAttributes,
    auth,
    settings: Object.keys(settings).length > 0 ? settings : undefined,
  }) as unknown as EndpointDefinition;
  return { value, warnings };
}

export function normaliseInstance(instance: ReplicationInstance): ReplicationInstanceDefinition {
  return withoutEmpty({
    class: instance.ReplicationInstanceClass ?? '',
    allocatedStorage: instance.AllocatedStorage,
    engineVersion: instance.EngineVersion,
    multiAz: instance.MultiAZ,
    publiclyAccessible: instance.PubliclyAccessible,
    subnetGroup: ownSubnetGroup(instance.ReplicationSubnetGroup?.ReplicationSubnetGroupIdentifier),
  }) as unknown as ReplicationInstanceDefinition;
}

/**
 * DMS names the subnet group it makes for a VPC `default-vpc-<id>` (or `default`): that name exists only in
 * that account, and every account has its own. Left out, the target uses its default too.
 */
function ownSubnetGroup(name: string | undefined): string | undefined {
  return name === undefined || /^default(-vpc-[0-9a-f]+)?$/i.test(name) ? undefined : name;
}

export interface NormalisedTask {
  readonly migrationType: MigrationType;
  readonly tableMappings: unknown;
  readonly settings?: Record<string, unknown>;
}

export function normaliseTask(task: ReplicationTask): NormalisedTask {
  const migrationType = (MIGRATION_TYPES as readonly string[]).includes(task.MigrationType ?? '')
    ? (task.MigrationType as MigrationType)
    : 'full-load';
  const tableMappings = parseJson(task.TableMappings) ?? { rules: [] };
  const settings = parseJson(task.ReplicationTaskSettings);
  return {
    migrationType,
    tableMappings,
    ...(isRecord(settings) && { settings: normaliseTaskSettings(settings) }),
  };
}

/**
 * Task settings without what DMS fills in per account: Logging's CloudWatchLogGroup and CloudWatchLogStream
 * (named after the task's internal resource id). Anything else is the task's own and kept.
 */
export function normaliseTaskSettings(settings: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...settings };
  if (isRecord(copy.Logging)) {
    const { CloudWatchLogGroup: _group, CloudWatchLogStream: _stream, ...logging } = copy.Logging;
    copy.Logging = logging;
  }
  return copy;
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined || text === null || text.trim() === '') return undefined;
  return JSON.parse(text);
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The object without undefined, null, empty strings and empty arrays: absent and empty mean the same. */
function withoutEmpty<T extends Record<string, unknown>>(object: T): T {
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(object)) {
    if (value === undefined || value === null || value === '') continue;
    if (Array.isArray(value) && value.length === 0) continue;
    kept[key] = value;
  }
  return kept as T;
}
