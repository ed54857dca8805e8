// What invoked the task-starter, decided strictly: starting the task disables the schedule and launches a
// load that may overwrite a database, so only two kinds of event may do it. One is a Scheduled Event of
// exactly the stack's schedule rule (same ARN, same account and region). The other is a manual start in an
// explicit shape: `{}`, the Lambda console's default test event, or an object holding only the manual
// fields. Anything else (an SNS delivery, an aws.dms event, another rule's schedule, a bare string, null, an
// object with unknown keys) is refused with an InvalidEventError naming what is wrong, instead of being
// taken for a manual start as it used to be.
//
// The input is attacker-reachable (anyone allowed to invoke the function, or to route events to it), so
// the work done on it is bounded: the JSON size is measured first, stopping at 16 KiB, and no regex runs
// on anything long enough for backtracking to matter.
//
// The scheduled-event check and the bounded echo are exported for the post-processor's notice parser,
// which must tell its own reconcile rule's ticks from any other schedule in exactly the same way.

import { START_TYPES, type StartType } from '../dms/task.ts';
import { ConfigurationError, InvalidEventError } from '../errors.ts';
import * as z from '../schema.ts';

/** Larger events are refused before anything else is read: a genuine start request is a few hundred bytes. */
export const TRIGGER_EVENT_LIMIT_BYTES = 16 * 1024;
/** Longest piece of untrusted text quoted in a message (messages end up in logs and invocation results). */
export const ECHO_LIMIT = 200;

export interface TriggerExpectations {
  /** The exact ARN of the stack's schedule rule; undefined in one-time mode (no scheduled event is accepted). */
  readonly scheduleRuleArn: string | undefined;
}

export type Trigger =
  | { readonly kind: 'schedule'; readonly ruleArn: string; readonly eventId?: string; readonly time?: Date }
  | {
      readonly kind: 'manual';
      readonly startType?: StartType;
      readonly cdcStartTime?: Date;
      readonly cdcStartPosition?: string;
    };

const START_FIELDS: readonly string[] = ['startType', 'cdcStartTime', 'cdcStartPosition'];
// The Lambda console's default "hello-world" test event: a person testing the function by hand.
const CONSOLE_TEST_KEYS: readonly string[] = ['key1', 'key2', 'key3'];
const UNKNOWN_KEYS_NAMED = 3;
const KEY_ECHO_LIMIT = 40;

const manualEventSchema = z
  .object({
    startType: z.optional(z.enum(START_TYPES)),
    // The length bound runs first (pipe), so the datetime regex only ever sees a short string.
    cdcStartTime: z.optional(z.pipe(z.string().check(z.maxLength(64)), z.iso.datetime({ offset: true }))),
    cdcStartPosition: z.optional(z.string().check(z.minLength(1), z.maxLength(1024))),
  })
  .check(
    z.refine((event) => !(event.cdcStartTime && event.cdcStartPosition), {
      error: 'give cdcStartTime or cdcStartPosition, not both',
    }),
  );

/** Throws InvalidEventError with a clear message naming what is wrong; never returns for refused input. */
export function parseTrigger(event: unknown, expected: TriggerExpectations): Trigger {
  // A malformed configured ARN is the stack's fault, not the event's: fail loudly as such.
  const rule = expected.scheduleRuleArn === undefined ? undefined : ruleArnParts(expected.scheduleRuleArn);
  if (expected.scheduleRuleArn !== undefined && rule === undefined) {
    throw new ConfigurationError(
      `The schedule rule ARN ${echoForLog(expected.scheduleRuleArn)} is not an EventBridge rule ARN`,
    );
  }
  try {
    return classify(event, rule);
  } catch (error) {
    if (error instanceof InvalidEventError) throw error;
    // Only an in-process caller can hand over something whose reading throws (a Proxy, say): still a refusal.
    throw new InvalidEventError('Refused: the event could not be read as JSON', { cause: error });
  }
}

function classify(event: unknown, rule: RuleArn | undefined): Trigger {
  if (!isPlainObject(event)) refuse(`${describeNonObject(event)} is not a start request`);
  const measured = measureJson(event, TRIGGER_EVENT_LIMIT_BYTES);
  if (measured !== undefined) refuse(measured);

  if (own(event, 'Records') !== undefined) {
    refuse(
      isSnsBatch(own(event, 'Records'))
        ? 'an SNS notification is not a start request'
        : 'an event with Records (SQS, S3, Kinesis, DynamoDB or the like) is not a start request',
    );
  }
  const source = own(event, 'source');
  const detailType = own(event, 'detail-type');
  if (source === 'aws.events' && detailType === 'Scheduled Event') return scheduled(event, rule);
  if (source === 'aws.dms') refuse(`an aws.dms event (${echoForLog(detailType)}) is not a start request`);
  if (source !== undefined || detailType !== undefined) {
    refuse(
      `an event of source ${echoForLog(source)} and detail-type ${echoForLog(detailType)} is not a start request`,
    );
  }
  const awsKeys = ['resources', 'detail', 'account', 'region'].filter((key) => own(event, key) !== undefined);
  if (own(event, 'version') !== undefined && own(event, 'id') !== undefined) awsKeys.push('version', 'id');
  if (awsKeys.length > 0) {
    refuse(`an event shaped like an AWS service event (it has ${awsKeys.join(', ')}) is not a start request`);
  }
  return manual(event);
}

function scheduled(event: object, rule: RuleArn | undefined): Trigger {
  if (rule === undefined) {
    const resource = firstResource(event);
    refuse(
      `this stack runs one-time: no scheduled event starts the task (this one names ${echoForLog(resource)})`,
    );
  }
  const check = checkScheduledEvent(event, rule);
  if (!check.ours) refuse(`${check.problem}; only scheduled events of ${rule.arn} start the task`);
  return {
    kind: 'schedule',
    ruleArn: rule.arn,
    ...(check.eventId !== undefined && { eventId: check.eventId }),
    ...(check.time !== undefined && { time: check.time }),
  };
}

function manual(event: object): Trigger {
  // As in the event's JSON, a key whose value is undefined is not there.
  const keys = Object.keys(event).filter((key) => own(event, key) !== undefined);
  if (keys.length === 0) return { kind: 'manual' };
  if (sameKeys(keys, CONSOLE_TEST_KEYS)) {
    if (keys.every((key) => typeof own(event, key) === 'string')) return { kind: 'manual' };
    refuse('the console test event (key1, key2, key3) must hold strings only');
  }
  const unknown = keys.filter((key) => !START_FIELDS.includes(key));
  if (unknown.length > 0) {
    const named = unknown.slice(0, UNKNOWN_KEYS_NAMED).map((key) => echoForLog(key, KEY_ECHO_LIMIT));
    const more =
      unknown.length > UNKNOWN_KEYS_NAMED ? ` and ${unknown.length - UNKNOWN_KEYS_NAMED} more` : '';
    refuse(
      `unknown field${unknown.length === 1 ? '' : 's'} ${named.join(', ')}${more}: a manual event may hold ` +
        `only ${START_FIELDS.join(', ')} (or be {}, or the Lambda console's test event)`,
    );
  }
  // Only the three known keys remain, each read as an own data property: nothing else reaches zod.
  const manualFields = Object.fromEntries(START_FIELDS.map((key) => [key, own(event, key)]));
  const parsed = manualEventSchema.safeParse(manualFields);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || 'event'}: ${issue.message}`,
    );
    throw new InvalidEventError(`Invalid manual event: ${problems.join('; ')}`);
  }
  const { startType, cdcStartTime, cdcStartPosition } = parsed.data;
  return {
    kind: 'manual',
    ...(startType && { startType }),
    ...(cdcStartTime && { cdcStartTime: new Date(cdcStartTime) }),
    ...(cdcStartPosition && { cdcStartPosition }),
  };
}

function refuse(problem: string): never {
  throw new InvalidEventError(`Refused: ${problem}`);
}

// --- Scheduled events of one exact rule (shared with the notice parser) --------------------------------

/** The parts of an EventBridge rule ARN a scheduled event must agree with. */
export interface RuleArn {
  readonly arn: string;
  readonly partition: string;
  readonly region: string;
  readonly account: string;
  /** NAME, or BUS/NAME for a rule on a custom bus. */
  readonly name: string;
}

/** `arn:PARTITION:events:REGION:ACCOUNT:rule/NAME`, split without a regex; undefined when `arn` is not one. */
export function ruleArnParts(arn: string): RuleArn | undefined {
  if (arn.length > 2048) return undefined;
  const parts = arn.split(':');
  if (parts.length !== 6) return undefined;
  const [prefix, partition, service, region, account, resource] = parts as [string, ...string[]];
  if (prefix !== 'arn' || service !== 'events' || !partition || !region) return undefined;
  if (!account || !/^\d{12}$/.test(account)) return undefined;
  if (!resource?.startsWith('rule/') || resource.length === 'rule/'.length) return undefined;
  return { arn, partition, region, account, name: resource.slice('rule/'.length) };
}

export type ScheduledEventCheck =
  | { readonly ours: true; readonly eventId?: string; readonly time?: Date }
  | { readonly ours: false; readonly problem: string };

/**
 * Whether an event already known to be `aws.events` / `Scheduled Event` comes from exactly `rule`: its only
 * resource is the rule's ARN, and its account and region are the rule's (a rule of the same name in another
 * account, or an event forwarded from another account's bus, is someone else's schedule). The problem text
 * is bounded whatever the event holds.
 */
export function checkScheduledEvent(event: object, rule: RuleArn): ScheduledEventCheck {
  const resources = own(event, 'resources');
  if (!Array.isArray(resources)) return problem('a scheduled event without a list of resources');
  if (resources.length !== 1) {
    return problem(`a scheduled event naming ${resources.length} resources, not exactly one rule`);
  }
  const resource = own(resources, '0');
  if (resource !== rule.arn) return problem(`a scheduled event from another rule (${echoForLog(resource)})`);
  const account = own(event, 'account');
  if (account !== rule.account) {
    return problem(`a scheduled event from account ${echoForLog(account)}, not the rule's ${rule.account}`);
  }
  const region = own(event, 'region');
  if (region !== rule.region) {
    return problem(`a scheduled event from region ${echoForLog(region)}, not the rule's ${rule.region}`);
  }
  const id = own(event, 'id');
  if (id !== undefined && (typeof id !== 'string' || id.length === 0 || id.length > 256)) {
    return problem(`a scheduled event with a malformed id (${echoForLog(id)})`);
  }
  const time = own(event, 'time');
  let date: Date | undefined;
  if (time !== undefined) {
    date = typeof time === 'string' && time.length <= 64 ? isoDate(time) : undefined;
    if (date === undefined) return problem(`a scheduled event with a malformed time (${echoForLog(time)})`);
  }
  return { ours: true, ...(id !== undefined && { eventId: id }), ...(date !== undefined && { time: date }) };
}

const isoDateTime = z.iso.datetime({ offset: true });

function isoDate(text: string): Date | undefined {
  return isoDateTime.safeParse(text).success ? new Date(text) : undefined;
}

function problem(text: string): ScheduledEventCheck {
  return { ours: false, problem: text };
}

function firstResource(event: object): unknown {
  const resources = own(event, 'resources');
  return Array.isArray(resources) ? own(resources, '0') : resources;
}

// --- Bounded, side-effect-free reading of untrusted values ----------------------------------------------

/**
 * An untrusted value as it may appear in a message: strings quoted, escaped and cut to `limit` characters
 * (control, line-separator and lone-surrogate characters escaped so a log line stays one line), anything
 * else by its type. Work and output are bounded by `limit`, never by the value.
 */
export function echoForLog(value: unknown, limit: number = ECHO_LIMIT): string {
  if (typeof value !== 'string') return describeValue(value);
  let out = '"';
  let taken = 0;
  for (let i = 0; i < value.length; i++) {
    if (taken >= limit) return `${out}"... (${value.length} characters)`;
    const code = value.charCodeAt(i);
    const next = value.charCodeAt(i + 1);
    if (code >= 0xd800 && code <= 0xdbff && isLowSurrogate(next)) {
      out += value[i] + (value[i + 1] ?? '');
      i++;
    } else if (code === 0x22 || code === 0x5c) {
      out += `\\${value[i]}`;
    } else if (code < 0x20 || (code >= 0x7f && code <= 0x9f) || code === 0x2028 || code === 0x2029) {
      out += `\\u${code.toString(16).padStart(4, '0')}`;
    } else if (code >= 0xd800 && code <= 0xdfff) {
      out += `\\u${code.toString(16)}`;
    } else {
      out += value[i];
    }
    taken++;
  }
  return `${out}"`;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'undefined') return 'nothing';
  return `a ${typeof value}`;
}

function describeNonObject(event: unknown): string {
  if (event === null) return 'a null event';
  if (event === undefined) return 'an empty event';
  if (Array.isArray(event)) return 'an array';
  if (typeof event === 'object') return 'an object that is not plain JSON';
  return `a bare ${typeof event}`;
}

/**
 * An own data property, read without invoking a getter and without the `__proto__` accessor: JSON.parse
 * makes `"__proto__"` an ordinary own property, and reading it this way returns that value, never a prototype.
 */
function own(value: object, key: string): unknown {
  const descriptor = Object.getOwnPropertyDescriptor(value, key);
  return descriptor !== undefined && 'value' in descriptor ? descriptor.value : undefined;
}

function isPlainObject(value: unknown): value is object {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function isSnsBatch(records: unknown): boolean {
  if (!Array.isArray(records)) return false;
  const first = own(records, '0');
  return typeof first === 'object' && first !== null && own(first, 'EventSource') === 'aws:sns';
}

function sameKeys(keys: readonly string[], expected: readonly string[]): boolean {
  return keys.length === expected.length && expected.every((key) => keys.includes(key));
}

const ACCESSOR = 'an event holding an accessor property is not JSON';

/**
 * Undefined when `root` is JSON of at most `limit` bytes (UTF-8 of its compact JSON.stringify), else why
 * not. An explicit stack (no recursion, so no depth limit to hit) and a running byte count that stops the
 * walk as soon as it passes the limit: the work is linear in min(size, limit), a cycle simply counts as
 * too large, and no getter is ever called.
 */
function measureJson(root: unknown, limit: number): string | undefined {
  const tooLarge = `an event larger than ${limit / 1024} KiB of JSON is not a start request`;
  let bytes = 0;
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    if (bytes > limit) return tooLarge;
    const value = stack.pop();
    if (value === null) bytes += 4;
    else if (typeof value === 'string') bytes += jsonStringBytes(value, limit - bytes);
    else if (typeof value === 'number') bytes += Number.isFinite(value) ? String(value).length : 4;
    else if (typeof value === 'boolean') bytes += value ? 4 : 5;
    else if (Array.isArray(value)) {
      // Brackets and commas first, so a huge (or sparse) array is refused before its elements are visited.
      bytes += value.length + 1 + (value.length === 0 ? 1 : 0);
      if (bytes > limit) return tooLarge;
      for (let index = 0; index < value.length; index++) {
        const descriptor = Object.getOwnPropertyDescriptor(value, index);
        if (descriptor !== undefined && !('value' in descriptor)) return ACCESSOR;
        // A hole or an undefined element is written as null by JSON.stringify.
        stack.push(descriptor?.value ?? null);
      }
    } else if (isPlainObject(value)) {
      bytes += 2;
      let written = 0;
      for (const key of Object.keys(value)) {
        if (bytes > limit) return tooLarge;
        const descriptor = Object.getOwnPropertyDescriptor(value, key);
        if (descriptor === undefined || !('value' in descriptor)) return ACCESSOR;
        // JSON.stringify leaves out a key whose value is undefined (an in-process caller's optional field).
        if (descriptor.value === undefined) continue;
        bytes += (written++ > 0 ? 1 : 0) + jsonStringBytes(key, limit - bytes) + 1;
        stack.push(descriptor.value);
      }
    } else {
      return `an event holding ${describeValue(value)} is not JSON`;
    }
  }
  return bytes > limit ? tooLarge : undefined;
}

/**
 * The UTF-8 length of JSON.stringify(text), quotes included, or any number over `budget` once it is clear
 * the text does not fit (each UTF-16 unit is at least one byte, so a long text is known too large at once).
 */
function jsonStringBytes(text: string, budget: number): number {
  if (text.length + 2 > budget) return text.length + 2;
  let bytes = 2;
  for (let i = 0; i < text.length && bytes <= budget; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff && isLowSurrogate(text.charCodeAt(i + 1))) {
      bytes += 4;
      i++;
    } else {
      bytes += jsonUnitBytes(code);
    }
  }
  return bytes;
}

/** Bytes of one UTF-16 unit (not part of a surrogate pair) as JSON.stringify writes it, in UTF-8. */
function jsonUnitBytes(code: number): number {
  if (code === 0x22 || code === 0x5c) return 2; // \" and \\
  if (code < 0x20) return code === 8 || code === 9 || code === 10 || code === 12 || code === 13 ? 2 : 6;
  if (code < 0x80) return 1;
  if (code < 0x800) return 2;
  if (code >= 0xd800 && code <= 0xdfff) return 6; // a lone surrogate: JSON.stringify writes \udxxx
  return 3;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
