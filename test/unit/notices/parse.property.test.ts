// The post-processor is invoked by SNS, EventBridge and its reconcile rule, and anything that reaches it
// must neither fail the invocation (a throw means endless asynchronous retries) nor be mistaken for a
// notice it is not: a foreign rule's schedule settling runs as a "tick", or an aws.dms event forwarded from
// another account or region passing for our task's. These properties check both over thousands of hostile
// inputs, and check that finding the source ID in an Identifier Link is linear by counting the scanner's
// steps (not by timing), including on the input that made the old regex quadratic.
// The seed is fixed and printed, so a failure here reproduces.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { ParsedNotices } from '#shared/notices/notice';
import {
  type NoticeExpectations,
  parseNotices,
  RECORDS_READ_LIMIT,
  SNS_MESSAGE_LIMIT_BYTES,
  sourceIdOfIdentifierLink,
  TASK_STATE_CHANGE,
} from '#shared/notices/parse';
import { sampleEvent } from '../../support/events.ts';
import { TASK_ARN } from '../../support/ports.ts';

const SEED = 20261201;
const NUM_RUNS = 1000;
const RUNS = { seed: SEED, numRuns: NUM_RUNS } as const;
console.log(`notice properties: fast-check seed ${SEED}, ${NUM_RUNS} runs each`);

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const RECONCILE_RULE_ARN = `arn:aws:events:${REGION}:${ACCOUNT}:rule/dms-scheduler-reconcile`;
const EXPECTATIONS: NoticeExpectations = { reconcileRuleArn: RECONCILE_RULE_ARN, taskArn: TASK_ARN };
const REASON_LIMIT = 600;
/** A notice's message is cut to 1000 characters plus a short "... (N more characters)". */
const MESSAGE_LIMIT = 1040;

const trickyChar = fc.constantFrom(
  'x',
  ' ',
  '"',
  '\\',
  '\n',
  '\r',
  '\t',
  '\u0001',
  'é',
  '🔥',
  '\ud800',
  '\u2028',
);
const trickyString = (maxLength: number) =>
  fc.oneof(fc.string({ unit: trickyChar, maxLength }), fc.string({ unit: 'binary', maxLength }));
const hugeString = fc.integer({ min: 0, max: 300_000 }).map((length) => 'x'.repeat(length));

const ABSENT = Symbol('absent');
/** Mostly the right value (so the accepted shapes do come up), else a near miss, else no such key. */
const nearly = <T>(right: T, misses: fc.Arbitrary<unknown>) =>
  fc.oneof(
    { weight: 5, arbitrary: fc.constant(right) },
    { weight: 1, arbitrary: misses },
    { weight: 1, arbitrary: fc.constant(ABSENT) },
  );

function withoutAbsent(fields: Record<string, unknown>): Record<string, unknown> {
  const event: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) if (value !== ABSENT) event[key] = value;
  return event;
}

const account = fc.oneof(
  fc.constantFrom('210987654321', '12345678901', ` ${ACCOUNT}`, ACCOUNT.replace('1', '7')),
  fc.anything(),
);
const region = fc.oneof(fc.constantFrom('us-east-2', 'eu-west-1', 'US-EAST-1', `${REGION} `), fc.anything());
const ruleArn = fc
  .record({
    partition: fc.constantFrom('aws', 'aws-cn'),
    region: fc.constantFrom(REGION, 'eu-west-1'),
    account: fc.constantFrom(ACCOUNT, '210987654321'),
    name: fc.constantFrom(
      'dms-scheduler-reconcile',
      'dms-scheduler-reconcile-2',
      'xdms-scheduler-reconcile',
      'bus/dms-scheduler-reconcile',
      'dms-scheduler-schedule',
      'DMS-SCHEDULER-RECONCILE',
    ),
  })
  .map((parts) => `arn:${parts.partition}:events:${parts.region}:${parts.account}:rule/${parts.name}`);
const resourceList = (ours: string, others: fc.Arbitrary<string>) =>
  fc.oneof(
    fc.array(fc.oneof(others, fc.constant(ours), trickyString(100), hugeString), { maxLength: 3 }),
    fc.array(fc.anything(), { maxLength: 2 }),
    fc.anything(),
  );
const isoTime = fc.constantFrom('2026-11-23T00:00:00Z', '2026-11-23T00:41:07.091Z');

/** EventBridge envelopes around a tick or an aws.dms task event, every field right or nearly. */
const eventBridgeLookAlike = (
  source: string,
  detailType: string,
  resource: string,
  others: fc.Arbitrary<string>,
) =>
  fc
    .record({
      version: nearly('0', fc.anything()),
      id: nearly('11a11b11-222b-333a-44d4-01234a5b6789', fc.anything()),
      'detail-type': nearly(
        detailType,
        fc.oneof(fc.constantFrom('Scheduled Event', TASK_STATE_CHANGE, `${detailType} `), fc.anything()),
      ),
      source: nearly(
        source,
        fc.oneof(fc.constantFrom('aws.events', 'aws.dms', 'aws.rds', `${source} `), fc.anything()),
      ),
      account: nearly(ACCOUNT, account),
      time: nearly('2026-11-23T00:00:00Z', fc.oneof(isoTime, fc.anything())),
      region: nearly(REGION, region),
      resources: nearly([resource], resourceList(resource, others)),
      detail: nearly(
        { eventId: 'DMS-EVENT-0079', detailMessage: 'Stop Reason FULL_LOAD_ONLY_FINISHED' },
        fc.oneof(
          fc.record({ eventId: trickyString(40), detailMessage: fc.oneof(trickyString(2000), hugeString) }),
          fc.anything(),
        ),
      ),
    })
    .map(withoutAbsent);

const foreignTaskArn = fc
  .record({
    region: fc.constantFrom(REGION, 'eu-west-1'),
    account: fc.constantFrom(ACCOUNT, '210987654321'),
    id: fc.constantFrom('ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'SOMEONEELSESTASK0000000000'),
  })
  .map((parts) => `arn:aws:dms:${parts.region}:${parts.account}:task:${parts.id}`);

const tickLookAlike = eventBridgeLookAlike('aws.events', 'Scheduled Event', RECONCILE_RULE_ARN, ruleArn);
const dmsLookAlike = eventBridgeLookAlike('aws.dms', TASK_STATE_CHANGE, TASK_ARN, foreignTaskArn);

/** Identifier Links built from the pieces that stress a line scan. */
const adversarialLink = fc
  .array(
    fc.constantFrom('\n', ' ', '\t', '\r', '\u2028', 'S', 'SourceId:', 'SourceId: ', 'nightly-refresh', 'x'),
    {
      maxLength: 400,
    },
  )
  .map((pieces) => pieces.join(''));

const subscriptionMessage = fc
  .record({
    'Event Source': nearly(
      'replication-task',
      fc.oneof(fc.constantFrom('replication-instance'), trickyString(30), fc.anything()),
    ),
    SourceId: nearly('nightly-refresh', fc.oneof(trickyString(300), hugeString, fc.anything())),
    'Identifier Link': nearly(
      'https://console.aws.amazon.com/dms/home#tasks:ids=nightly-refresh\nSourceId: nightly-refresh ',
      adversarialLink,
    ),
    'Event ID': nearly(
      'http://docs.aws.amazon.com/dms/latest/userguide/CHAP_Events.html#DMS-EVENT-0079 ',
      trickyString(60),
    ),
    'Event Message': nearly('Replication task has stopped.', fc.oneof(trickyString(3000), hugeString)),
  })
  .map(withoutAbsent);

const snsRecord = fc
  .record({
    message: fc.oneof(
      { weight: 4, arbitrary: subscriptionMessage.map((message) => JSON.stringify(message)) },
      { weight: 1, arbitrary: trickyString(200) },
      { weight: 1, arbitrary: hugeString },
    ),
    eventSource: nearly('aws:sns', fc.anything()),
  })
  .map(({ message, eventSource }) => {
    const sample = sampleEvent('sns-started.json') as { Records: [{ Sns: Record<string, unknown> }] };
    const [record] = sample.Records;
    return withoutAbsent({ ...record, EventSource: eventSource, Sns: { ...record.Sns, Message: message } });
  });

const snsLookAlike = fc.record({
  Records: fc.oneof(
    { weight: 5, arbitrary: fc.array(snsRecord, { minLength: 1, maxLength: 3 }) },
    { weight: 1, arbitrary: fc.array(fc.oneof(snsRecord, fc.anything()), { maxLength: 120 }) },
  ),
});

/** JSON text with `__proto__` and `constructor` keys, parsed as a Lambda event would be. */
const pollutingJson = fc
  .jsonValue({ maxDepth: 2 })
  .map((inner) =>
    JSON.parse(
      `{"source":"aws.events","detail-type":"Scheduled Event","__proto__":{"polluted":${JSON.stringify(inner)}},` +
        `"constructor":{"prototype":{"polluted":true}},"Records":[{"__proto__":{"polluted":true}}]}`,
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
  }),
  fc.jsonValue(),
  tickLookAlike,
  dmsLookAlike,
  snsLookAlike,
  pollutingJson,
);

function own(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null
    ? Object.getOwnPropertyDescriptor(value, key)?.value
    : undefined;
}

/** Exactly the reconcile rule's Scheduled Event, written independently of the parser. */
function isOurTick(event: unknown): boolean {
  const resources = own(event, 'resources');
  return (
    own(event, 'source') === 'aws.events' &&
    own(event, 'detail-type') === 'Scheduled Event' &&
    Array.isArray(resources) &&
    resources.length === 1 &&
    resources[0] === RECONCILE_RULE_ARN &&
    own(event, 'account') === ACCOUNT &&
    own(event, 'region') === REGION
  );
}

function isFromOurAccountAndRegion(event: unknown): boolean {
  return (
    own(event, 'source') === 'aws.dms' &&
    own(event, 'detail-type') === TASK_STATE_CHANGE &&
    own(event, 'account') === ACCOUNT &&
    own(event, 'region') === REGION
  );
}

const seen = { reconcile: 0, 'milestone-tick': 0, eventbridge: 0, sns: 0, rejected: 0 };
const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort();

afterAll(() => {
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeBefore);
  console.log(`notice properties: what the hostile inputs became ${JSON.stringify(seen)}`);
});

describe('parseNotices on hostile input', () => {
  it('never throws, accounts for every input, and bounds every reason and field', () => {
    fc.assert(
      fc.property(hostile, (event) => {
        let parsed: ParsedNotices | undefined;
        expect(() => {
          parsed = parseNotices(event, EXPECTATIONS);
        }).not.toThrow();
        if (!parsed) throw new Error('no result');
        const total = parsed.notices.length + parsed.rejected.length;
        expect(total).toBeGreaterThanOrEqual(1);
        expect(total).toBeLessThanOrEqual(RECORDS_READ_LIMIT + 1);
        for (const { reason } of parsed.rejected) expect(reason.length).toBeLessThanOrEqual(REASON_LIMIT);
        for (const notice of parsed.notices) {
          seen[notice.channel]++;
          expect((notice.message ?? '').length).toBeLessThanOrEqual(MESSAGE_LIMIT);
          if (notice.taskIdentifier !== undefined)
            expect(notice.taskIdentifier.length).toBeLessThanOrEqual(255);
          if (notice.taskArn !== undefined) expect(notice.taskArn.length).toBeLessThanOrEqual(2048);
        }
        seen.rejected += parsed.rejected.length;
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      RUNS,
    );
    // Each kind of notice must actually have come up, or the oracles below would hold vacuously.
    expect(seen.reconcile).toBeGreaterThan(0);
    expect(seen.eventbridge).toBeGreaterThan(0);
    expect(seen.sns).toBeGreaterThan(0);
  });

  it('never returns a reconcile notice but for the reconcile rule’s own Scheduled Event', () => {
    fc.assert(
      fc.property(fc.oneof(tickLookAlike, hostile), (event) => {
        const { notices } = parseNotices(event, EXPECTATIONS);
        if (notices.some((notice) => notice.channel === 'reconcile')) expect(isOurTick(event)).toBe(true);
      }),
      RUNS,
    );
  });

  it('never returns an eventbridge notice from a foreign account or region, and names resources[0]', () => {
    fc.assert(
      fc.property(fc.oneof(dmsLookAlike, hostile), (event) => {
        for (const notice of parseNotices(event, EXPECTATIONS).notices) {
          if (notice.channel !== 'eventbridge') continue;
          expect(isFromOurAccountAndRegion(event)).toBe(true);
          expect(notice.taskArn).toBe((own(event, 'resources') as unknown[])[0]);
        }
      }),
      RUNS,
    );
  });

  it('with a malformed configuration still never throws, and yields no tick and no aws.dms notice', () => {
    const broken: NoticeExpectations = {
      reconcileRuleArn: 'dms-scheduler-reconcile',
      taskArn: 'nightly-refresh',
    };
    fc.assert(
      fc.property(fc.oneof(tickLookAlike, dmsLookAlike, hostile), (event) => {
        const { notices } = parseNotices(event, broken);
        expect(notices.filter((notice) => notice.channel !== 'sns')).toEqual([]);
      }),
      RUNS,
    );
  });
});

/** The old line semantics, applied line by line (each regex run is anchored to one line, so linear). */
function referenceSourceId(link: string): string | undefined {
  for (const line of link.split('\n')) {
    const id = /^\s*SourceId:\s*(\S+)/.exec(line)?.[1];
    if (id !== undefined) return id;
  }
  return undefined;
}

function stepsFor(link: string): number {
  const meter = { steps: 0 };
  sourceIdOfIdentifierLink(link, meter);
  return meter.steps;
}

// Each character costs at most one step, and each line at most the label's 9 comparisons plus one.
const STEPS_PER_CHARACTER = 11;

describe('finding the source ID is linear in the Identifier Link', () => {
  it('agrees with the line-by-line reference, within a step count linear in the length', () => {
    fc.assert(
      fc.property(fc.oneof(adversarialLink, trickyString(300)), (link) => {
        expect(sourceIdOfIdentifierLink(link)).toBe(referenceSourceId(link));
        expect(stepsFor(link)).toBeLessThanOrEqual(STEPS_PER_CHARACTER * (link.length + 1));
      }),
      RUNS,
    );
  });

  // The old /(?:^|\n)\s*SourceId:\s*(\S+)/ restarted after each line break and let \s* run to the end
  // of the whitespace: quadratic on these. The scan's step count must grow by about 4 when the size does.
  // Each built to exactly n characters, so the ratios compare like with like.
  const repeated = (unit: string, n: number, tail = '') =>
    unit.repeat(Math.ceil(n / unit.length)).slice(0, n - tail.length) + tail;
  const families: readonly [string, (n: number) => string][] = [
    ['line breaks, then a space', (n) => repeated('\n', n, ' ')],
    ['one line of spaces', (n) => repeated(' ', n)],
    ['alternating space and line break', (n) => repeated(' \n', n)],
    ['empty labels on every line', (n) => repeated('SourceId:\n', n)],
    ['a label followed by whitespace', (n) => `SourceId:${repeated(' \t', n - 9)}`],
    ['line separators (whitespace, not line breaks)', (n) => repeated('\u2028', n)],
  ];
  const sizes = [16 * 1024, 64 * 1024, 256 * 1024];
  const measurements: Record<string, number[]> = {};

  it.each(families)('%s: steps grow linearly from 16 KiB to 256 KiB', (name, build) => {
    const steps = sizes.map((size) => stepsFor(build(size)));
    measurements[name] = steps;
    for (const [index, size] of sizes.entries()) {
      expect(build(size)).toHaveLength(size);
      expect(steps[index]).toBeLessThanOrEqual(STEPS_PER_CHARACTER * (size + 1));
    }
    // 4x the input, at most 4x the steps (plus a little for the constant per call).
    expect(steps[1]).toBeLessThanOrEqual(4 * (steps[0] ?? 0) + 16);
    expect(steps[2]).toBeLessThanOrEqual(4 * (steps[1] ?? 0) + 16);
  });

  afterAll(() => {
    console.log(
      `Identifier Link scan steps at ${sizes.join(' / ')} characters: ${JSON.stringify(measurements)}`,
    );
  });

  it('parses a 256 KiB SNS message whose Identifier Link is the old catastrophic input', () => {
    // Each '\n' is two bytes once JSON-escaped: this is as many line breaks as fit in SNS's 256 KiB.
    const head = JSON.stringify({ 'Event Source': 'replication-task', 'Identifier Link': '' });
    const breaks = Math.floor((SNS_MESSAGE_LIMIT_BYTES - Buffer.byteLength(head) - 1) / 2);
    const message = JSON.stringify({
      'Event Source': 'replication-task',
      'Identifier Link': `${'\n'.repeat(breaks)} `,
    });
    expect(Buffer.byteLength(message)).toBeLessThanOrEqual(SNS_MESSAGE_LIMIT_BYTES);
    const event = {
      Records: [
        { ...(sampleEvent('sns-started.json') as { Records: object[] }).Records[0], Sns: snsOf(message) },
      ],
    };
    // No timing assertion: the bound is structural (a single scan, no regex over the message), and the step
    // counts above prove it; this checks the whole path copes with the worst input SNS can deliver.
    expect(parseNotices(event, EXPECTATIONS)).toEqual({
      notices: [],
      rejected: [{ reason: 'a DMS replication-task message that names no task' }],
    });
    expect(stepsFor(`${'\n'.repeat(breaks)} `)).toBeLessThanOrEqual(STEPS_PER_CHARACTER * (breaks + 2));
  });
});

function snsOf(message: string): Record<string, unknown> {
  const sample = sampleEvent('sns-started.json') as { Records: [{ Sns: Record<string, unknown> }] };
  return { ...sample.Records[0].Sns, Message: message };
}
