// Why this file exists: "does the account already match the folder?" decides whether an import changes
// anything, so it must neither miss a change nor see one that is not there. DMS fills in defaults (every task
// setting, engine settings, storage) that a folder need not spell out, so a value the folder gives must be
// equal in the account, and a value it leaves out is DMS's to choose. Passwords cannot be read back and are
// never compared. Each function names the fields that differ, for the plan to print.
import {
  ENDPOINT_PLAIN_FIELDS,
  type EndpointDefinition,
  type ReplicationInstanceDefinition,
  type TaskDefinition,
} from './model.ts';
import { type NormalisedTask, normaliseTaskSettings } from './normalise.ts';

/** True when every value `wanted` gives is equal in `actual` (objects recursively; arrays exactly). */
export function covers(actual: unknown, wanted: unknown): boolean {
  if (wanted === undefined) return true;
  if (Array.isArray(wanted)) {
    return (
      Array.isArray(actual) &&
      actual.length === wanted.length &&
      wanted.every((item, index) => sameJson(actual[index], item))
    );
  }
  if (typeof wanted === 'object' && wanted !== null) {
    if (typeof actual !== 'object' || actual === null || Array.isArray(actual)) return false;
    return Object.entries(wanted).every(([key, value]) =>
      covers((actual as Record<string, unknown>)[key], value),
    );
  }
  return actual === wanted;
}

/** Equal as JSON values, whatever the key order. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) &&
      Array.isArray(b) &&
      a.length === b.length &&
      a.every((item, index) => sameJson(item, b[index]))
    );
  }
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    const keysA = Object.keys(a);
    const keysB = Object.keys(b);
    return (
      keysA.length === keysB.length &&
      keysA.every(
        (key) =>
          key in b && sameJson((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]),
      )
    );
  }
  return a === b;
}

export function endpointChanges(wanted: EndpointDefinition, actual: EndpointDefinition): string[] {
  // With a secret, server, port and user are the secret's (requests.ts does not send them): not compared.
  const fromSecret = new Set<string>(
    wanted.auth.kind === 'secrets-manager' ? ['server', 'port', 'username'] : [],
  );
  const changes: string[] = ENDPOINT_PLAIN_FIELDS.filter(
    (field) => !fromSecret.has(field) && wanted[field] !== undefined && wanted[field] !== actual[field],
  );
  if (wanted.auth.kind === 'secrets-manager') {
    if (actual.auth.kind !== 'secrets-manager' || actual.auth.secretArn !== wanted.auth.secretArn)
      changes.push('auth.secretArn');
    else if (
      wanted.auth.accessRoleArn !== undefined &&
      actual.auth.accessRoleArn !== wanted.auth.accessRoleArn
    )
      changes.push('auth.accessRoleArn');
  } else if (wanted.auth.kind === 'password' && actual.auth.kind === 'secrets-manager') {
    changes.push('auth (from a secret to a password)');
  }
  for (const [block, values] of Object.entries(wanted.settings ?? {})) {
    if (!covers(actual.settings?.[block], values)) changes.push(`settings.${block}`);
  }
  return changes;
}

const INSTANCE_FIELDS = [
  'class',
  'allocatedStorage',
  'engineVersion',
  'multiAz',
  'publiclyAccessible',
] as const;

export function instanceChanges(
  wanted: ReplicationInstanceDefinition,
  actual: ReplicationInstanceDefinition,
): string[] {
  return INSTANCE_FIELDS.filter((field) => {
    if (wanted[field] === undefined || wanted[field] === actual[field]) return false;
    // DMS upgrades minor versions by itself (AutoMinorVersionUpgrade) and never downgrades: only a newer
    // version than the instance runs is a change to make.
    if (field === 'engineVersion')
      return compareVersions(String(wanted.engineVersion), String(actual.engineVersion ?? '')) > 0;
    return true;
  });
}

/** Negative, zero or positive as `a` is older than, the same as or newer than `b` ("3.5.10" > "3.5.9"). */
export function compareVersions(a: string, b: string): number {
  const parts = (version: string) => version.split('.').map((part) => Number.parseInt(part, 10) || 0);
  const [left, right] = [parts(a), parts(b)];
  for (let index = 0; index < Math.max(left.length, right.length); index += 1) {
    const difference = (left[index] ?? 0) - (right[index] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

export function taskChanges(wanted: TaskDefinition, actual: NormalisedTask): string[] {
  const changes: string[] = [];
  if (wanted.migrationType !== actual.migrationType) changes.push('migrationType');
  if (!sameJson(wanted.tableMappings, actual.tableMappings)) changes.push('tableMappings');
  if (wanted.settings !== undefined && !covers(actual.settings ?? {}, normaliseTaskSettings(wanted.settings)))
    changes.push('settings');
  return changes;
}
