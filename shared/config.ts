// Environment → typed, validated configuration, read once at cold start. A missing or malformed value fails
// the cold start with the variable's name in the message, before any AWS call is made.

import type { TlsMode } from './database/postgres.ts';
import { DATABASE_ENGINES, type DatabaseSettings } from './database/secret.ts';
import { resourceKindOf, SCHEDULED_RESOURCE_ARN } from './dms/arn.ts';
import type { TaskConnections } from './dms/connections.ts';
import { type FolderTemplate, folderTemplateProblems } from './dms/folder-template.ts';
import { START_TYPES, type StartType } from './dms/task.ts';
import { ConfigurationError } from './errors.ts';
import { CADENCES, MIGRATION_TYPES, type Mode, REFRESH_INDICATORS, validateMode } from './modes.ts';
import * as z from './schema.ts';

type Env = Readonly<Record<string, string | undefined>>;

/** What happens to the schedule rule when a run fails or is stopped by hand. */
export const RULE_AFTER_FAILURE = ['re-enable', 'keep-disabled'] as const;
export type RuleAfterFailure = (typeof RULE_AFTER_FAILURE)[number];

/**
 * Whether a succeeded run sends a short summary ("staging is ready"), and where: `off`, the alerts topic, or
 * the stack's own success topic (so that a team can hear of successes without hearing of failures, or the
 * other way round).
 */
export const NOTIFY_ON_SUCCESS = ['off', 'alerts-topic', 'success-topic'] as const;
export type NotifyOnSuccess = (typeof NOTIFY_ON_SUCCESS)[number];

export interface TaskRef {
  /**
   * Used for API calls, IAM and native EventBridge events. A replication task's ARN, or a DMS Serverless
   * replication config's (dms/arn.ts tells which), which the run treats the same way.
   */
  readonly arn: string;
  /** The task's name (ReplicationTaskIdentifier): what event subscriptions and SNS messages speak of. */
  readonly identifier: string;
}

export interface CdcStart {
  readonly time?: Date;
  readonly position?: string;
}

/**
 * A run group: several tasks one run starts, waits for and masks after, as one (see shared/runs/group.ts).
 * Its name keys the ledger record and the history, as a task's ARN does for one task.
 */
export interface RunGroup {
  readonly name: string;
  /** How many members may be starting or running at once: the member count when unlimited. */
  readonly maxConcurrency: number;
}

export interface BaseConfig {
  /**
   * What the run's ledger record, history and alerts are about: the one task, or for a group
   * `{ arn: groupKeyOf(name), identifier: name }`, which is no DMS resource (DMS is only asked about members).
   */
  readonly task: TaskRef;
  /** The tasks a run starts, in the order they are started: `[task]` for one task. */
  readonly members: readonly TaskRef[];
  /** Set when the stack schedules more than one task. */
  readonly group: RunGroup | undefined;
  readonly mode: Mode;
  /**
   * The schedule rule, the schedule's on/off switch (disabled while a run is active); undefined in one-time
   * mode, which never touches a rule. Its exact ARN is what a scheduled event must come from.
   */
  readonly scheduleRule: { readonly arn: string; readonly name: string } | undefined;
  /** The rule's name, for messages and API calls; undefined in one-time mode. */
  readonly scheduleRuleName: string | undefined;
  readonly alertsTopicArn: string;
  /** The run ledger: the per-task lock and the durable record of its run. */
  readonly runLedgerTable: string;
  /** What happens to the schedule rule after a run that did not succeed (a refused start included). */
  readonly ruleAfterFailure: RuleAfterFailure;
}

export interface StarterConfig extends BaseConfig {
  readonly startTypeOverride: StartType | undefined;
  readonly cdcStart: CdcStart;
  /**
   * The pre-flight (PREFLIGHT_CONNECTIONS=on): the replication instance and endpoints whose connections are
   * tested before the lock is taken, the ones the task must use; undefined when the pre-flight is off.
   */
  readonly preflight: TaskConnections | undefined;
  /**
   * The S3 target folder set before each start (S3_TARGET_FOLDER_TEMPLATE), with the replication instance and
   * target endpoint it is set on and tested from; undefined when no template is configured.
   */
  readonly targetFolder: TargetFolderPreparation | undefined;
}

export interface TargetFolderPreparation extends FolderTemplate {
  readonly instanceArn: string;
  readonly endpointArn: string;
}

export interface PostProcessorConfig extends BaseConfig {
  /** Exact ARN of the stack's reconcile rule: only its scheduled events are ticks. */
  readonly reconcileRuleArn: string;
  /** Exact ARN of the milestone-tick rule; set only for a full-load-and-cdc stack (runs/milestone.ts). */
  readonly milestoneRuleArn?: string | undefined;
  /** A run still active after this long is reported on the StuckRuns metric (its alarm tells a person). */
  readonly staleRunMs: number;
  /** The RDS-format secret hooks connect to the target database with; unset when no hook needs it. */
  readonly targetDatabaseSecretArn: string | undefined;
  /**
   * Engine, host, port and database name for what that secret lacks (an RDS-managed master secret holds
   * only username and password); each unset unless given. A key in both must agree (checked at first use).
   */
  readonly targetDatabase: DatabaseSettings;
  /** The secret holding the salt of deterministic masking; unset when no mask hook is configured. */
  readonly maskingSaltSecretArn: string | undefined;
  readonly targetDatabaseTls: TlsMode;
  readonly notifyOnSuccess: NotifyOnSuccess;
  /** The topic a succeeded run's summary is published to; undefined exactly when notifyOnSuccess is off. */
  readonly successNoticeTopicArn: string | undefined;
}

// DMS identifiers: 1–255 letters, digits or hyphens; first a letter; no trailing or double hyphen.
const TASK_IDENTIFIER = /^[A-Za-z](?:[A-Za-z0-9]|-(?!-)){0,254}(?<!-)$/;
// arn:PARTITION:events:REGION:ACCOUNT:rule/NAME (default bus: the schedule and reconcile rules live there).
const RULE_ARN = /^arn:aws[a-z-]*:events:[a-z0-9-]+:\d{12}:rule\/[.\-_A-Za-z0-9]{1,64}$/;
const RULE_ARN_MESSAGE = 'must be an EventBridge rule ARN (arn:aws:events:REGION:ACCOUNT:rule/NAME)';
/** A DMS resource ARN of one kind (`rep`: a replication instance, `endpoint`: an endpoint). */
const dmsArnOf = (kind: string) =>
  new RegExp(`^arn:aws[a-z-]*:dms:[a-z0-9-]+:\\d{12}:${kind}:[A-Za-z0-9-]+$`);
const ENDPOINT_ARN_MESSAGE = 'must be a DMS endpoint ARN (arn:aws:dms:REGION:ACCOUNT:endpoint:ID)';
const TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;
const TOPIC_ARN_MESSAGE = 'must be an SNS topic ARN';
// The full ARN, with the 6-character suffix Secrets Manager appends to the name: the role's policy grants
// GetSecretValue on exactly this ARN, and a partial ARN (no suffix) would match no secret there.
const SECRET_ARN =
  /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]{1,512}-[A-Za-z0-9]{6}$/;
// The target database's secret may also be one RDS manages (ManageMasterUserPassword): its name starts with
// `rds!` (rds!cluster-UUID, rds!db-UUID), which a secret created by hand cannot have. Same full-ARN rule.
const TARGET_SECRET_ARN =
  /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:(?:rds!)?[A-Za-z0-9/_+=.@-]{1,512}-[A-Za-z0-9]{6}$/;
const SECRET_ARN_MESSAGE = 'must be the full Secrets Manager secret ARN, with its 6-character suffix';
// A DNS name or an IPv4 address: letters, digits and hyphens in dot-separated labels of at most 63; no
// scheme, port, path or user. The template's TargetDatabaseHost AllowedPattern is the same.
const HOST_NAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const PORT_MESSAGE = 'must be a port number, 1 to 65535';
const TLS_MODES = ['verify', 'require', 'off'] as const satisfies readonly TlsMode[];

/** An empty variable counts as unset: CloudFormation passes optional parameters as "". */
const blankAsUnset = z.transform((value: unknown) => (value === '' ? undefined : value));
const optional = <T extends z.ZodMiniType>(schema: T) => z.pipe(blankAsUnset, z.optional(schema));

/** The most tasks one group may hold: its record (every member's state) must stay far below 400 KB. */
export const MAX_GROUP_MEMBERS = 20;

/** A comma-separated list (a run group's members), each item checked by `item`; one item for one task. */
const listOf = (item: RegExp, message: string) =>
  z
    .pipe(
      z.string().check(z.maxLength(MAX_GROUP_MEMBERS * 300)),
      z.transform((value: string) => value.split(',').map((part) => part.trim())),
    )
    .check(
      z.refine((items) => items.length <= MAX_GROUP_MEMBERS, `must list at most ${MAX_GROUP_MEMBERS} tasks`),
      z.refine((items) => items.every((part) => item.test(part)), message),
      z.refine((items) => new Set(items).size === items.length, 'must not list a task twice'),
    );

const baseSchema = z.object({
  REPLICATION_TASK_ARN: listOf(
    SCHEDULED_RESOURCE_ARN,
    'must be a DMS task ARN (arn:aws:dms:REGION:ACCOUNT:task:ID) or a DMS Serverless replication config ARN (arn:aws:dms:REGION:ACCOUNT:replication-config:ID), or for a run group several task ARNs separated by commas',
  ),
  REPLICATION_TASK_IDENTIFIER: listOf(
    TASK_IDENTIFIER,
    'must be a DMS task identifier (letters, digits, single hyphens), or for a run group several separated by commas',
  ),
  RUN_GROUP_NAME: optional(
    z.string().check(z.regex(TASK_IDENTIFIER, 'must be a name of letters, digits and single hyphens')),
  ),
  GROUP_MAX_CONCURRENCY: optional(
    z.pipe(
      z.string().check(z.regex(/^\d{1,2}$/, 'must be a whole number, 0 (no limit) to 20')),
      z.transform(Number),
    ),
  ),
  MIGRATION_REFRESH_INDICATOR: z.enum(REFRESH_INDICATORS),
  MIGRATION_REFRESH_TYPE: z.enum(MIGRATION_TYPES),
  SCHEDULE_OR_ONE_TIME: z.enum(CADENCES),
  SCHEDULE_RULE_ARN: optional(z.string().check(z.regex(RULE_ARN, RULE_ARN_MESSAGE))),
  ALERTS_TOPIC_ARN: z.string().check(z.regex(TOPIC_ARN, TOPIC_ARN_MESSAGE)),
  RUN_LEDGER_TABLE: z.string().check(z.regex(/^[A-Za-z0-9_.-]{3,255}$/, 'must be a DynamoDB table name')),
  RULE_AFTER_FAILURE: z.pipe(blankAsUnset, z._default(z.enum(RULE_AFTER_FAILURE), 're-enable')),
});

// Each function's schema is built by its own loader, once per cold start: neither builds the other's.
const starterSchema = () =>
  z.extend(baseSchema, {
    START_TYPE_OVERRIDE: optional(z.enum([...START_TYPES, 'auto'])),
    CDC_START_TIME: optional(z.iso.datetime({ offset: true, error: 'must be an ISO-8601 date-time' })),
    CDC_START_POSITION: optional(z.string().check(z.maxLength(1024))),
    PREFLIGHT_CONNECTIONS: z.pipe(blankAsUnset, z._default(z.enum(['on', 'off']), 'off')),
    TASK_REPLICATION_INSTANCE_ARN: optional(
      z
        .string()
        .check(
          z.regex(
            dmsArnOf('rep'),
            'must be a DMS replication instance ARN (arn:aws:dms:REGION:ACCOUNT:rep:ID)',
          ),
        ),
    ),
    TASK_SOURCE_ENDPOINT_ARN: optional(z.string().check(z.regex(dmsArnOf('endpoint'), ENDPOINT_ARN_MESSAGE))),
    TASK_TARGET_ENDPOINT_ARN: optional(z.string().check(z.regex(dmsArnOf('endpoint'), ENDPOINT_ARN_MESSAGE))),
    S3_TARGET_FOLDER_TEMPLATE: optional(z.string()),
    S3_TARGET_FOLDER_TIME_ZONE: z.pipe(blankAsUnset, z._default(z.string(), 'UTC')),
  });

const postProcessorSchema = () =>
  z.extend(baseSchema, {
    RECONCILE_RULE_ARN: z.string().check(z.regex(RULE_ARN, RULE_ARN_MESSAGE)),
    MILESTONE_RULE_ARN: optional(z.string().check(z.regex(RULE_ARN, RULE_ARN_MESSAGE))),
    STALE_RUN_HOURS: z.pipe(
      optional(
        z.pipe(
          z.string().check(z.regex(/^\d{1,3}$/, 'must be a whole number of hours, 1 to 720')),
          z
            .transform(Number)
            .check(
              z.refine((hours) => hours >= 1 && hours <= 720, 'must be a whole number of hours, 1 to 720'),
            ),
        ),
      ),
      z.transform((hours: number | undefined) => hours ?? 24),
    ),
    TARGET_DATABASE_SECRET_ARN: optional(z.string().check(z.regex(TARGET_SECRET_ARN, SECRET_ARN_MESSAGE))),
    TARGET_DATABASE_ENGINE: optional(
      z.enum(DATABASE_ENGINES, { error: `must be one of ${DATABASE_ENGINES.join(', ')}` }),
    ),
    TARGET_DATABASE_HOST: optional(
      z
        .string()
        .check(
          z.regex(
            HOST_NAME,
            'must be a host name or IPv4 address, with no scheme, port or path (db.example.com)',
          ),
        ),
    ),
    TARGET_DATABASE_PORT: optional(
      z.pipe(
        z.string().check(z.regex(/^[1-9]\d{0,4}$/, PORT_MESSAGE)),
        z.transform(Number).check(z.refine((port) => port >= 1 && port <= 65535, PORT_MESSAGE)),
      ),
    ),
    TARGET_DATABASE_NAME: optional(z.string().check(z.maxLength(64, 'must be at most 64 characters'))),
    MASKING_SALT_SECRET_ARN: optional(z.string().check(z.regex(SECRET_ARN, SECRET_ARN_MESSAGE))),
    TARGET_DATABASE_TLS: z.pipe(blankAsUnset, z._default(z.enum(TLS_MODES), 'verify')),
    NOTIFY_ON_SUCCESS: z.pipe(
      blankAsUnset,
      z._default(
        z.enum(NOTIFY_ON_SUCCESS, { error: `must be one of ${NOTIFY_ON_SUCCESS.join(', ')}` }),
        'off',
      ),
    ),
    SUCCESS_TOPIC_ARN: optional(z.string().check(z.regex(TOPIC_ARN, TOPIC_ARN_MESSAGE))),
  });

function parseEnv<T extends z.ZodMiniType>(schema: T, env: Env): z.output<T> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      // The variable is the first path segment.
      const name = String(issue.path[0] ?? '');
      const value = env[name];
      return value === undefined || value === '' ? `${name} is not set` : `${name} ${issue.message}`;
    });
    throw new ConfigurationError(`Invalid configuration: ${problems.join('; ')}`);
  }
  return parsed.data;
}

function toBase(raw: z.output<typeof baseSchema>): BaseConfig {
  const mode = validateMode({
    indicator: raw.MIGRATION_REFRESH_INDICATOR,
    migrationType: raw.MIGRATION_REFRESH_TYPE,
    cadence: raw.SCHEDULE_OR_ONE_TIME,
  });
  if (mode.cadence === 'schedule' && raw.SCHEDULE_RULE_ARN === undefined) {
    throw new ConfigurationError(
      'Invalid configuration: SCHEDULE_RULE_ARN is not set (required in schedule mode)',
    );
  }
  // One-time mode never touches a rule, even if one was passed.
  const ruleArn = mode.cadence === 'schedule' ? raw.SCHEDULE_RULE_ARN : undefined;
  const scheduleRule = ruleArn
    ? { arn: ruleArn, name: ruleArn.slice(ruleArn.indexOf(':rule/') + 6) }
    : undefined;
  const { task, members, group } = subjectOf(raw);
  return {
    task,
    members,
    group,
    mode,
    scheduleRule,
    scheduleRuleName: scheduleRule?.name,
    alertsTopicArn: raw.ALERTS_TOPIC_ARN,
    runLedgerTable: raw.RUN_LEDGER_TABLE,
    ruleAfterFailure: raw.RULE_AFTER_FAILURE,
  };
}

/** The stack's one task, or its run group: members paired by position, all of one account and region. */
function subjectOf(raw: z.output<typeof baseSchema>): Pick<BaseConfig, 'task' | 'members' | 'group'> {
  const arns = raw.REPLICATION_TASK_ARN;
  const identifiers = raw.REPLICATION_TASK_IDENTIFIER;
  const problems: string[] = [];
  if (arns.length !== identifiers.length) {
    problems.push(
      `REPLICATION_TASK_ARN lists ${arns.length} task(s) but REPLICATION_TASK_IDENTIFIER ${identifiers.length}: they name the same tasks, in the same order`,
    );
  }
  const members = arns.map((arn, i) => ({ arn, identifier: identifiers[i] ?? '' }));
  if (arns.length === 1 && problems.length === 0) {
    return { task: members[0] as TaskRef, members, group: undefined };
  }
  if (arns.some((arn) => resourceKindOf(arn) === 'replication-config')) {
    problems.push(
      'REPLICATION_TASK_ARN lists a DMS Serverless replication config in a run group: a group holds replication tasks only',
    );
  }
  const places = new Set(arns.map((arn) => arn.split(':').slice(1, 5).join(':')));
  if (places.size > 1) {
    problems.push('REPLICATION_TASK_ARN lists tasks of more than one account or region: a group runs in one');
  }
  if (raw.RUN_GROUP_NAME === undefined) {
    problems.push('RUN_GROUP_NAME is not set (required when several tasks are listed)');
  }
  const limit = raw.GROUP_MAX_CONCURRENCY ?? 0;
  if (limit > MAX_GROUP_MEMBERS) {
    problems.push(`GROUP_MAX_CONCURRENCY must be a whole number, 0 (no limit) to ${MAX_GROUP_MEMBERS}`);
  }
  if (raw.MIGRATION_REFRESH_TYPE !== 'full-load' && limit !== 0 && limit < members.length) {
    // A queued task would wait for one that never ends by itself: it would never start.
    problems.push(
      `GROUP_MAX_CONCURRENCY is ${limit}, but a ${raw.MIGRATION_REFRESH_TYPE} task replicates until it is stopped, so a group of them starts all at once: set it to 0 or to the number of tasks`,
    );
  }
  if (problems.length > 0) throw new ConfigurationError(`Invalid configuration: ${problems.join('; ')}`);
  const name = raw.RUN_GROUP_NAME as string;
  return {
    task: { arn: groupKeyOf(name), identifier: name },
    members,
    group: { name, maxConcurrency: limit === 0 ? members.length : Math.min(limit, members.length) },
  };
}

/** The key a group's ledger record and history use where a task's use its ARN: never a DMS ARN. */
export function groupKeyOf(name: string): string {
  return `group/${name}`;
}

export function loadStarterConfig(env: Env): StarterConfig {
  const raw = parseEnv(starterSchema(), env);
  if (raw.CDC_START_TIME !== undefined && raw.CDC_START_POSITION !== undefined) {
    throw new ConfigurationError(
      'Invalid configuration: set CDC_START_TIME or CDC_START_POSITION, not both (DMS rejects the pair)',
    );
  }
  const base = toBase(raw);
  return {
    ...base,
    preflight: preflightOf(raw, base),
    targetFolder: targetFolderOf(raw, base),
    startTypeOverride: raw.START_TYPE_OVERRIDE === 'auto' ? undefined : raw.START_TYPE_OVERRIDE,
    cdcStart: {
      ...(raw.CDC_START_TIME !== undefined && { time: new Date(raw.CDC_START_TIME) }),
      ...(raw.CDC_START_POSITION !== undefined && { position: raw.CDC_START_POSITION }),
    },
  };
}

/** The pre-flight's connections, all three named when it is on; a Serverless replication has none to test. */
function preflightOf(
  raw: z.output<ReturnType<typeof starterSchema>>,
  base: BaseConfig,
): TaskConnections | undefined {
  if (raw.PREFLIGHT_CONNECTIONS === 'off') return undefined;
  if (base.group !== undefined) {
    throw new ConfigurationError(
      "Invalid configuration: PREFLIGHT_CONNECTIONS is on, but it tests one task's connections and this stack runs a group of tasks; set it off",
    );
  }
  if (resourceKindOf(base.task.arn) === 'replication-config') {
    throw new ConfigurationError(
      'Invalid configuration: PREFLIGHT_CONNECTIONS is on, but a DMS Serverless replication has no replication instance to test from (it tests its connections itself while starting); set it off',
    );
  }
  const missing = [
    ['TASK_REPLICATION_INSTANCE_ARN', raw.TASK_REPLICATION_INSTANCE_ARN],
    ['TASK_SOURCE_ENDPOINT_ARN', raw.TASK_SOURCE_ENDPOINT_ARN],
    ['TASK_TARGET_ENDPOINT_ARN', raw.TASK_TARGET_ENDPOINT_ARN],
  ].flatMap(([name, value]) =>
    value === undefined ? [`${name} is not set (required when PREFLIGHT_CONNECTIONS is on)`] : [],
  );
  if (missing.length > 0) throw new ConfigurationError(`Invalid configuration: ${missing.join('; ')}`);
  return {
    instanceArn: raw.TASK_REPLICATION_INSTANCE_ARN as string,
    source: raw.TASK_SOURCE_ENDPOINT_ARN as string,
    target: raw.TASK_TARGET_ENDPOINT_ARN as string,
  };
}

/** The S3 target folder preparation, checked whole: its template, its time zone and the two ARNs it needs. */
function targetFolderOf(
  raw: z.output<ReturnType<typeof starterSchema>>,
  base: BaseConfig,
): TargetFolderPreparation | undefined {
  const template = raw.S3_TARGET_FOLDER_TEMPLATE;
  if (template === undefined) return undefined;
  const problems = folderTemplateProblems(template, raw.S3_TARGET_FOLDER_TIME_ZONE).map(
    (problem) => `S3_TARGET_FOLDER_TEMPLATE ${problem}`,
  );
  if (base.group !== undefined) {
    problems.push(
      "S3_TARGET_FOLDER_TEMPLATE is set, but it prepares one task's target endpoint and this stack runs a group of tasks",
    );
  }
  // A group's key is no ARN, and its members are tasks (subjectOf refuses a replication config among them).
  if (base.group === undefined && resourceKindOf(base.task.arn) === 'replication-config') {
    problems.push(
      'S3_TARGET_FOLDER_TEMPLATE is set, but a DMS Serverless replication has no replication instance to test the endpoint from',
    );
  }
  for (const [name, value] of [
    ['TASK_REPLICATION_INSTANCE_ARN', raw.TASK_REPLICATION_INSTANCE_ARN],
    ['TASK_TARGET_ENDPOINT_ARN', raw.TASK_TARGET_ENDPOINT_ARN],
  ] as const) {
    if (value === undefined) problems.push(`${name} is not set (required with S3_TARGET_FOLDER_TEMPLATE)`);
  }
  if (problems.length > 0) throw new ConfigurationError(`Invalid configuration: ${problems.join('; ')}`);
  return {
    template,
    timeZone: raw.S3_TARGET_FOLDER_TIME_ZONE,
    instanceArn: raw.TASK_REPLICATION_INSTANCE_ARN as string,
    endpointArn: raw.TASK_TARGET_ENDPOINT_ARN as string,
  };
}

export function loadPostProcessorConfig(env: Env): PostProcessorConfig {
  const raw = parseEnv(postProcessorSchema(), env);
  if (raw.NOTIFY_ON_SUCCESS === 'success-topic' && raw.SUCCESS_TOPIC_ARN === undefined) {
    throw new ConfigurationError(
      'Invalid configuration: SUCCESS_TOPIC_ARN is not set (required when NOTIFY_ON_SUCCESS is success-topic)',
    );
  }
  const base = toBase(raw);
  return {
    ...base,
    reconcileRuleArn: raw.RECONCILE_RULE_ARN,
    // Only a full-load-and-cdc run has a milestone: any other stack has no such tick to accept.
    milestoneRuleArn: base.mode.migrationType === 'full-load-and-cdc' ? raw.MILESTONE_RULE_ARN : undefined,
    staleRunMs: raw.STALE_RUN_HOURS * 3600_000,
    targetDatabaseSecretArn: raw.TARGET_DATABASE_SECRET_ARN,
    targetDatabase: {
      engine: raw.TARGET_DATABASE_ENGINE,
      host: raw.TARGET_DATABASE_HOST,
      port: raw.TARGET_DATABASE_PORT,
      database: raw.TARGET_DATABASE_NAME,
    },
    maskingSaltSecretArn: raw.MASKING_SALT_SECRET_ARN,
    targetDatabaseTls: raw.TARGET_DATABASE_TLS,
    notifyOnSuccess: raw.NOTIFY_ON_SUCCESS,
    successNoticeTopicArn: successNoticeTopic(raw),
  };
}

/** A success topic passed with another setting is not used: only `success-topic` sends anything there. */
function successNoticeTopic(raw: {
  NOTIFY_ON_SUCCESS: NotifyOnSuccess;
  ALERTS_TOPIC_ARN: string;
  SUCCESS_TOPIC_ARN?: string | undefined;
}): string | undefined {
  switch (raw.NOTIFY_ON_SUCCESS) {
    case 'off':
      return undefined;
    case 'alerts-topic':
      return raw.ALERTS_TOPIC_ARN;
    case 'success-topic':
      return raw.SUCCESS_TOPIC_ARN;
  }
}
