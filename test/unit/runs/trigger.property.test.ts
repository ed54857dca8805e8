// The task-starter's input is reachable by anyone allowed to invoke the function or route events to it, and
// a wrong "yes" starts a load into a database. These properties throw thousands of hostile inputs at
// parseTrigger (arbitrary values, look-alike scheduled events, foreign accounts and rules, __proto__ keys,
// huge strings) and check what must hold for every one: a schedule trigger only for the exact accepted
// shape, a manual trigger only for the explicit manual shapes, no error but InvalidEventError (with a
// bounded message), the 16 KiB bound measured exactly, and Object.prototype untouched.
// The seed is fixed and printed, so a failure here reproduces.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidEventError } from '#shared/errors';
import {
  parseTrigger,
  TRIGGER_EVENT_LIMIT_BYTES,
  type Trigger,
  type TriggerExpectations,
} from '#shared/runs/trigger';

const SEED = 20261201;
const NUM_RUNS = 1000;
const RUNS = { seed: SEED, numRuns: NUM_RUNS } as const;
console.log(`trigger properties: fast-check seed ${SEED}, ${NUM_RUNS} runs each`);

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const RULE_ARN = `arn:aws:events:${REGION}:${ACCOUNT}:rule/dms-scheduler-schedule`;
const SCHEDULED: TriggerExpectations = { scheduleRuleArn: RULE_ARN };
const ONE_TIME: TriggerExpectations = { scheduleRuleArn: undefined };
const MANUAL_FIELDS = ['startType', 'cdcStartTime', 'cdcStartPosition'];
const CONSOLE_KEYS = ['key1', 'key2', 'key3'];
/** Longest message any refusal may carry: the messages reach logs and invocation results. */
const MESSAGE_LIMIT = 1024;

// Characters that exercise every branch of the JSON byte count: escapes, controls, 1–4 byte UTF-8, lone
// surrogates, line separators.
const trickyChar = fc.constantFrom(
  'x',
  ' ',
  '"',
  '\\',
  '\n',
  '\u0001',
  '\u007f',
  'é',
  '€',
  '🔥',
  '\ud800',
  '\udfff',
  '\u2028',
);
const trickyString = (maxLength: number) =>
  fc.oneof(fc.string({ unit: trickyChar, maxLength }), fc.string({ unit: 'binary', maxLength }));
const hugeString = fc.integer({ min: 0, max: 60_000 }).map((length) => 'x'.repeat(length));

const account = fc.oneof(
  fc.constantFrom(ACCOUNT, '210987654321', '12345678901', '1234567890123', ` ${ACCOUNT}`, `${ACCOUNT}\n`),
  fc.anything(),
);
const region = fc.oneof(
  fc.constantFrom(REGION, 'us-east-2', 'eu-west-1', 'US-EAST-1', `${REGION} `),
  fc.anything(),
);
const ruleArn = fc
  .record({
    partition: fc.constantFrom('aws', 'aws-cn', 'aws-us-gov', 'AWS'),
    service: fc.constantFrom('events', 'scheduler', 'events '),
    region: fc.constantFrom(REGION, 'us-east-2', 'eu-west-1'),
    account: fc.constantFrom(ACCOUNT, '210987654321', '12345678901'),
    resource: fc.constantFrom(
      'rule/dms-scheduler-schedule',
      'rule/dms-scheduler-schedule-2',
      'rule/xdms-scheduler-schedule',
      'rule/dms-scheduler-schedul',
      'rule/DMS-SCHEDULER-SCHEDULE',
      'rule/bus/dms-scheduler-schedule',
      'rule/dms-scheduler-schedule/x',
      'rule/dms-scheduler-reconcile',
      'schedule/default/dms-scheduler-schedule',
      'rule/dms-scheduler-schedule\u0000',
    ),
  })
  .map(
    (parts) => `arn:${parts.partition}:${parts.service}:${parts.region}:${parts.account}:${parts.resource}`,
  );
const anyArn = fc.oneof(ruleArn, fc.constant(RULE_ARN), trickyString(300), hugeString);
const resources = fc.oneof(
  fc.array(anyArn, { maxLength: 3 }),
  fc.constant([RULE_ARN]),
  fc.array(fc.anything(), { maxLength: 2 }),
  fc.anything(),
);

/** A key set to a value as an own property, the way JSON.parse does it, even for `__proto__`. */
function withOwn(target: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  return target;
}

const dangerousKey = fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty');
const extraKeys = fc.dictionary(
  fc.oneof(
    dangerousKey,
    fc.constantFrom('Records', 'detail', 'version', 'id', 'time', 'replay-name'),
    fc.string(),
  ),
  fc.oneof(fc.jsonValue(), hugeString),
  { maxKeys: 3 },
);

const ABSENT = Symbol('absent');
/** Mostly the right value (so the exact shape does come up), else a near miss, else no such key. */
const nearly = <T>(right: T, misses: fc.Arbitrary<unknown>) =>
  fc.oneof(
    { weight: 5, arbitrary: fc.constant(right) },
    { weight: 1, arbitrary: misses },
    { weight: 1, arbitrary: fc.constant(ABSENT) },
  );

/** Scheduled-event look-alikes: every field the right value or a near miss, or absent; odd keys beside. */
const scheduledLookAlike = fc
  .record({
    version: nearly('0', fc.anything()),
    id: nearly('53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa', fc.oneof(fc.uuid(), fc.anything())),
    'detail-type': nearly(
      'Scheduled Event',
      fc.oneof(
        fc.constantFrom('Scheduled event', 'Scheduled Event ', 'DMS Replication Task State Change'),
        fc.anything(),
      ),
    ),
    source: nearly(
      'aws.events',
      fc.oneof(fc.constantFrom('aws.dms', 'aws.scheduler', 'AWS.EVENTS', 'aws.events '), fc.anything()),
    ),
    account: nearly(ACCOUNT, account),
    time: nearly('2026-11-23T00:00:00Z', fc.anything()),
    region: nearly(REGION, region),
    resources: nearly([RULE_ARN], resources),
    detail: nearly({}, fc.anything()),
  })
  .chain((fields) =>
    fc.option(extraKeys, { freq: 3 }).map((extra) => {
      const event: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(fields)) if (value !== ABSENT) event[key] = value;
      for (const [key, value] of Object.entries(extra ?? {})) withOwn(event, key, value);
      return event;
    }),
  );

/** Manual look-alikes: the manual fields and console keys, with any values, beside the odd other key. */
const manualLookAlike = fc
  .dictionary(
    fc.oneof(fc.constantFrom(...MANUAL_FIELDS, ...CONSOLE_KEYS), dangerousKey, fc.string({ maxLength: 5 })),
    fc.oneof(
      fc.constantFrom(
        'reload-target',
        'start-replication',
        '2026-11-23T00:00:00Z',
        'mysql-bin.000024:373',
        'value1',
      ),
      trickyString(50),
      hugeString,
      fc.anything(),
    ),
    { maxKeys: 4 },
  )
  .map((entries) => {
    // Rebuilt with own properties, so `__proto__` is a key (as from JSON.parse), not a prototype.
    const event: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(entries)) withOwn(event, key, value);
    return event;
  });

/** Parsed JSON text with `__proto__` and `constructor` keys, exactly as a Lambda event would arrive. */
const pollutingJson = fc
  .record({
    inner: fc.jsonValue({ maxDepth: 2 }),
    startType: fc.constantFrom(undefined, 'reload-target'),
  })
  .map(({ inner, startType }) =>
    JSON.parse(
      `{${startType ? `"startType":"${startType}",` : ''}"__proto__":{"polluted":${JSON.stringify(inner)}},` +
        `"constructor":{"prototype":{"polluted":true}}}`,
    ),
  );

const hostile = fc.oneof(
  fc.anything({
    withBigInt: true,
    withDate: true,
    withMap: true,
    withSet: true,
    withNullPrototype: true,
    withSparseArray: true,
    withBoxedValues: true,
  }),
  fc.jsonValue(),
  scheduledLookAlike,
  manualLookAlike,
  pollutingJson,
);

type Outcome = { readonly trigger: Trigger } | { readonly error: unknown };

function attempt(event: unknown, expected: TriggerExpectations): Outcome {
  try {
    return { trigger: parseTrigger(event, expected) };
  } catch (error) {
    return { error };
  }
}

function own(value: object, key: string): unknown {
  return Object.getOwnPropertyDescriptor(value, key)?.value;
}

function isPlainObject(value: unknown): value is object {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function jsonBytes(value: unknown): number | undefined {
  try {
    const text = JSON.stringify(value);
    return text === undefined ? undefined : Buffer.byteLength(text, 'utf8');
  } catch {
    return undefined;
  }
}

/** The accepted scheduled shape, written independently of the parser. */
function isExactScheduledEvent(event: unknown): boolean {
  if (!isPlainObject(event)) return false;
  const resourceList = own(event, 'resources');
  const bytes = jsonBytes(event);
  return (
    own(event, 'source') === 'aws.events' &&
    own(event, 'detail-type') === 'Scheduled Event' &&
    own(event, 'Records') === undefined &&
    Array.isArray(resourceList) &&
    resourceList.length === 1 &&
    resourceList[0] === RULE_ARN &&
    own(event, 'account') === ACCOUNT &&
    own(event, 'region') === REGION &&
    bytes !== undefined &&
    bytes <= TRIGGER_EVENT_LIMIT_BYTES
  );
}

/** One of the explicit manual shapes: {}, the console event, or only manual fields. */
function isManualShape(event: unknown): boolean {
  if (!isPlainObject(event)) return false;
  // As in JSON, a key whose value is undefined is not there.
  const keys = Object.keys(event).filter((key) => own(event, key) !== undefined);
  const consoleEvent = keys.length === 3 && CONSOLE_KEYS.every((key) => typeof own(event, key) === 'string');
  return consoleEvent || keys.every((key) => MANUAL_FIELDS.includes(key));
}

const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort();

function assertPrototypeUntouched(): void {
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeBefore);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(Object.getPrototypeOf({})).toBe(Object.prototype);
}

// What the generators produced, printed so a reader can see the properties were not vacuous.
const seen = { schedule: 0, manual: 0, refused: 0, oversize: 0, fitting: 0 };

afterAll(() => {
  assertPrototypeUntouched();
  console.log(`trigger properties: outcomes over the hostile inputs ${JSON.stringify(seen)}`);
});

describe('parseTrigger on hostile input', () => {
  it('returns a schedule trigger only for the exact scheduled event, and a manual one only for a manual shape', () => {
    fc.assert(
      fc.property(hostile, (event) => {
        const outcome = attempt(event, SCHEDULED);
        seen['trigger' in outcome ? outcome.trigger.kind : 'refused']++;
        if ('trigger' in outcome) {
          if (outcome.trigger.kind === 'schedule') {
            expect(isExactScheduledEvent(event)).toBe(true);
            expect(outcome.trigger.ruleArn).toBe(RULE_ARN);
          } else {
            expect(isManualShape(event)).toBe(true);
            expect(jsonBytes(event)).toBeLessThanOrEqual(TRIGGER_EVENT_LIMIT_BYTES);
          }
        }
        assertPrototypeUntouched();
      }),
      RUNS,
    );
    expect(seen.schedule).toBeGreaterThan(0);
    expect(seen.manual).toBeGreaterThan(0);
  });

  it('never throws anything but an InvalidEventError, whose message is bounded', () => {
    fc.assert(
      fc.property(hostile, fc.constantFrom(SCHEDULED, ONE_TIME), (event, expected) => {
        const outcome = attempt(event, expected);
        if ('error' in outcome) {
          expect(outcome.error).toBeInstanceOf(InvalidEventError);
          const { message } = outcome.error as InvalidEventError;
          expect(message).toMatch(/^(Refused: |Invalid manual event: )/);
          expect(message.length).toBeLessThanOrEqual(MESSAGE_LIMIT);
        }
        assertPrototypeUntouched();
      }),
      RUNS,
    );
  });

  it('in one-time mode never returns a schedule trigger', () => {
    const scheduledOrNear = fc.oneof(
      scheduledLookAlike,
      hostile,
      fc.constant({
        version: '0',
        id: 'x',
        'detail-type': 'Scheduled Event',
        source: 'aws.events',
        account: ACCOUNT,
        region: REGION,
        resources: [RULE_ARN],
        detail: {},
      }),
    );
    fc.assert(
      fc.property(scheduledOrNear, (event) => {
        const outcome = attempt(event, ONE_TIME);
        if ('trigger' in outcome) expect(outcome.trigger.kind).toBe('manual');
      }),
      RUNS,
    );
  });

  it('accepts the exact scheduled event whatever harmless fields it also carries', () => {
    const harmless = fc.dictionary(
      fc
        .string({ maxLength: 12 })
        .filter(
          (key) =>
            !['Records', 'resources', 'account', 'region', 'id', 'time', 'source', 'detail-type'].includes(
              key,
            ),
        ),
      fc.jsonValue({ maxDepth: 2 }),
      { maxKeys: 4 },
    );
    const time = fc
      .date({
        min: new Date('2000-01-01T00:00:00Z'),
        max: new Date('2099-12-31T23:59:59Z'),
        noInvalidDate: true,
      })
      .map((date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z'));
    fc.assert(
      fc.property(harmless, fc.uuid(), time, (extra, id, timeText) => {
        const event: Record<string, unknown> = {};
        for (const [key, value] of Object.entries(extra)) withOwn(event, key, value);
        Object.assign(event, {
          id,
          time: timeText,
          source: 'aws.events',
          'detail-type': 'Scheduled Event',
          account: ACCOUNT,
          region: REGION,
          resources: [RULE_ARN],
        });
        fc.pre((jsonBytes(event) ?? Infinity) <= TRIGGER_EVENT_LIMIT_BYTES);
        expect(parseTrigger(event, SCHEDULED)).toStrictEqual({
          kind: 'schedule',
          ruleArn: RULE_ARN,
          eventId: id,
          time: new Date(timeText),
        });
      }),
      RUNS,
    );
  });

  it('refuses a plain object for its size exactly when its JSON is over 16 KiB', () => {
    // Objects around the limit, from characters that are 1 to 6 bytes once in JSON.
    const sized = fc.oneof(
      // Anything from small to far over the limit.
      fc.dictionary(
        fc.string({ unit: trickyChar, maxLength: 8 }),
        fc.oneof(fc.string({ unit: trickyChar, maxLength: 6000, size: 'max' }), fc.jsonValue()),
        { maxKeys: 6, size: 'max' },
      ),
      // Within 64 bytes of the limit either way: random tricky text, padded to a chosen JSON size.
      fc
        .record({
          core: fc.string({ unit: trickyChar, maxLength: 400, size: 'max' }),
          delta: fc.integer({ min: -64, max: 64 }),
        })
        .map(({ core, delta }) => {
          const pad =
            TRIGGER_EVENT_LIMIT_BYTES + delta - (jsonBytes({ key1: core, key2: '', key3: '' }) ?? 0);
          return { key1: core + 'x'.repeat(Math.max(0, pad)), key2: '', key3: '' };
        }),
    );
    fc.assert(
      fc.property(sized, (event) => {
        const bytes = jsonBytes(event);
        if (bytes === undefined) throw new Error('the generator made something that is not JSON');
        const outcome = attempt(event, SCHEDULED);
        const refusedForSize = 'error' in outcome && String(outcome.error).includes('larger than 16 KiB');
        expect(refusedForSize).toBe(bytes > TRIGGER_EVENT_LIMIT_BYTES);
        seen[bytes > TRIGGER_EVENT_LIMIT_BYTES ? 'oversize' : 'fitting']++;
      }),
      RUNS,
    );
    // Both sides of the limit must actually have been tried.
    expect(seen.oversize).toBeGreaterThan(50);
    expect(seen.fitting).toBeGreaterThan(50);
  });
});
