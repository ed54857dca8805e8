// Why this file exists: a stack schedules either a replication task (`…:task:ID`) or a DMS Serverless
// replication config (`…:replication-config:ID`), and which one it is decides the API the functions call,
// the events they read and the IAM the template grants. The kind is read from the ARN here, once, with no
// regular expression that could backtrack on untrusted input (notices carry ARNs too).

/** What the scheduled resource is: a task on a replication instance, or a Serverless replication config. */
export type DmsResourceKind = 'task' | 'replication-config';

export interface DmsArnParts {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
  readonly kind: DmsResourceKind;
  readonly id: string;
}

/** The configuration's and the template's pattern for a scheduled resource's ARN (both kinds). */
export const SCHEDULED_RESOURCE_ARN =
  /^arn:aws[a-z-]*:dms:[a-z0-9-]+:\d{12}:(?:task|replication-config):[A-Za-z0-9-]+$/;

const KINDS: readonly string[] = ['task', 'replication-config'] satisfies readonly DmsResourceKind[];

/** `arn:PARTITION:dms:REGION:ACCOUNT:KIND:ID` for a task or a replication config; undefined otherwise. */
export function dmsArnParts(arn: string): DmsArnParts | undefined {
  const parts = arn.split(':');
  if (parts.length !== 7) return undefined;
  const [prefix, partition, service, region, account, kind, id] = parts;
  if (prefix !== 'arn' || !partition?.startsWith('aws') || service !== 'dms') return undefined;
  if (!region || !account || !/^\d{12}$/.test(account) || !id || !KINDS.includes(kind ?? '')) {
    return undefined;
  }
  return { partition, region, account, kind: kind as DmsResourceKind, id };
}

/** The kind of a scheduled resource's ARN; the configuration has checked the ARN before this is asked. */
export function resourceKindOf(arn: string): DmsResourceKind {
  const parts = dmsArnParts(arn);
  if (parts === undefined) throw new Error(`${arn} is neither a DMS task ARN nor a replication config ARN`);
  return parts.kind;
}
