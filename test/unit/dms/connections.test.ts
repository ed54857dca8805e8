// The pre-flight's wait over the connection tests: both connections must answer `successful` before it
// passes; a failed test is reported with DMS's message and the endpoint; a test DMS would not start is waited
// for only when one is already under way; a read that fails is asked again; no answer by the deadline is a
// failure that says how long it waited. Generated sequences check that it never passes unless both
// connections were last seen successful, and that it always ends before the deadline.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ConnectionState,
  type ConnectionTester,
  type PreflightTiming,
  type TaskConnections,
  testTaskConnections,
} from '#shared/dms/connections';

const CONNECTIONS: TaskConnections = {
  instanceArn: 'arn:aws:dms:us-east-1:123456789012:rep:INSTANCE',
  source: 'arn:aws:dms:us-east-1:123456789012:endpoint:SOURCE',
  target: 'arn:aws:dms:us-east-1:123456789012:endpoint:TARGET',
};

type Step = ConnectionState | Error | undefined;

/** Per endpoint, what TestConnection answers, then what each read answers in turn (the last one repeats). */
class ScriptedTester implements ConnectionTester {
  readonly calls: string[] = [];
  private readonly reads = new Map<string, Step[]>();

  constructor(
    private readonly testAnswers: Readonly<Record<string, ConnectionState | Error>>,
    reads: Readonly<Record<string, Step[]>>,
  ) {
    for (const [arn, steps] of Object.entries(reads)) this.reads.set(arn, [...steps]);
  }

  async test(instanceArn: string, endpointArn: string): Promise<ConnectionState> {
    this.calls.push(`test ${endpointArn.split(':').at(-1)}`);
    expect(instanceArn).toBe(CONNECTIONS.instanceArn);
    const answer = this.testAnswers[endpointArn] ?? { status: 'testing' };
    if (answer instanceof Error) throw answer;
    return answer;
  }

  async read(instanceArn: string, endpointArn: string): Promise<ConnectionState | undefined> {
    this.calls.push(`read ${endpointArn.split(':').at(-1)}`);
    expect(instanceArn).toBe(CONNECTIONS.instanceArn);
    const steps = this.reads.get(endpointArn) ?? [];
    const step = steps.length > 1 ? steps.shift() : steps[0];
    if (step instanceof Error) throw step;
    return step;
  }
}

function timing(limitMs = 300_000): PreflightTiming & { clock: { now: number }; slept: number[] } {
  const clock = { now: 1_000_000 };
  const slept: number[] = [];
  return {
    clock,
    slept,
    deadline: clock.now + limitMs,
    pollMs: 5_000,
    now: () => clock.now,
    sleep: async (ms) => {
      slept.push(ms);
      clock.now += ms;
    },
  };
}

const testing: ConnectionState = { status: 'testing' };
const ok: ConnectionState = { status: 'successful' };

describe('testTaskConnections', () => {
  it('tests both connections and passes once both answered successful', async () => {
    const tester = new ScriptedTester(
      {},
      { [CONNECTIONS.source]: [testing, ok], [CONNECTIONS.target]: [testing, testing, ok] },
    );
    const clock = timing();
    expect(await testTaskConnections(tester, CONNECTIONS, clock)).toEqual({ passed: true, waitedMs: 15_000 });
    expect(tester.calls.slice(0, 2)).toEqual(['test SOURCE', 'test TARGET']);
    expect(clock.slept).toEqual([5_000, 5_000, 5_000]);
  });

  it('fails on the first failed test, quoting DMS and naming the endpoint', async () => {
    const refused = {
      status: 'failed',
      lastFailureMessage: 'Test connection failed: password authentication failed',
    };
    const tester = new ScriptedTester(
      {},
      { [CONNECTIONS.source]: [ok], [CONNECTIONS.target]: [testing, refused] },
    );
    expect(await testTaskConnections(tester, CONNECTIONS, timing())).toEqual({
      passed: false,
      problem: `the target connection test failed: Test connection failed: password authentication failed (endpoint ${CONNECTIONS.target})`,
    });
  });

  it('says so when DMS gave no message', async () => {
    const tester = new ScriptedTester({ [CONNECTIONS.source]: { status: 'failed' } }, {});
    const verdict = await testTaskConnections(tester, CONNECTIONS, timing());
    expect(verdict).toEqual({
      passed: false,
      problem: `the source connection test failed (DMS gave no message) (endpoint ${CONNECTIONS.source})`,
    });
  });

  it('waits for a test already under way when DMS refuses a second one', async () => {
    const busy = new Error('Connection test already in progress');
    const tester = new ScriptedTester(
      { [CONNECTIONS.source]: busy },
      { [CONNECTIONS.source]: [testing, ok], [CONNECTIONS.target]: [ok] },
    );
    expect((await testTaskConnections(tester, CONNECTIONS, timing())).passed).toBe(true);
  });

  it("fails when a test could not be started and none is under way, with DMS's words", async () => {
    const denied = Object.assign(new Error('not authorized to perform dms:TestConnection'), {
      name: 'AccessDeniedFault',
    });
    const tester = new ScriptedTester({ [CONNECTIONS.target]: denied }, { [CONNECTIONS.target]: [ok] });
    expect(await testTaskConnections(tester, CONNECTIONS, timing())).toEqual({
      passed: false,
      problem:
        'the target connection test could not be started (AccessDeniedFault: not authorized to perform dms:TestConnection)',
    });
  });

  it('asks again after a read that failed', async () => {
    const tester = new ScriptedTester(
      {},
      { [CONNECTIONS.source]: [new Error('ThrottlingException'), ok], [CONNECTIONS.target]: [ok] },
    );
    expect((await testTaskConnections(tester, CONNECTIONS, timing())).passed).toBe(true);
  });

  it('fails when a connection vanished or is being deleted while tested', async () => {
    const vanished = new ScriptedTester(
      {},
      { [CONNECTIONS.source]: [undefined], [CONNECTIONS.target]: [ok] },
    );
    expect(await testTaskConnections(vanished, CONNECTIONS, timing())).toEqual({
      passed: false,
      problem: `the source connection is not known to DMS, not being tested (endpoint ${CONNECTIONS.source})`,
    });
    const deleting = new ScriptedTester(
      {},
      { [CONNECTIONS.source]: [ok], [CONNECTIONS.target]: [{ status: 'deleting' }] },
    );
    expect((await testTaskConnections(deleting, CONNECTIONS, timing())).passed).toBe(false);
  });

  it('gives up before the deadline, saying which test gave no answer and for how long it waited', async () => {
    const tester = new ScriptedTester({}, { [CONNECTIONS.source]: [ok], [CONNECTIONS.target]: [testing] });
    const clock = timing(60_000);
    expect(await testTaskConnections(tester, CONNECTIONS, clock)).toEqual({
      passed: false,
      problem: 'the target connection test gave no answer within 60 s',
    });
    expect(clock.clock.now).toBeLessThanOrEqual(clock.deadline);
  });

  it('never passes unless both connections were last seen successful, and always ends by the deadline', async () => {
    const state = fc.oneof(
      fc.constantFrom<Step>(
        testing,
        ok,
        { status: 'failed', lastFailureMessage: 'x' },
        { status: 'deleting' },
        undefined,
      ),
      fc.constant<Step>(new Error('ThrottlingException')),
    );
    const answer = fc.oneof(
      fc.constantFrom<ConnectionState | Error>(testing, ok, { status: 'failed' }),
      fc.constant<ConnectionState | Error>(new Error('busy')),
    );
    await fc.assert(
      fc.asyncProperty(
        answer,
        answer,
        fc.array(state, { minLength: 1, maxLength: 12 }),
        fc.array(state, { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 0, max: 120_000 }),
        async (sourceTest, targetTest, sourceReads, targetReads, limit) => {
          const tester = new ScriptedTester(
            { [CONNECTIONS.source]: sourceTest, [CONNECTIONS.target]: targetTest },
            { [CONNECTIONS.source]: sourceReads, [CONNECTIONS.target]: targetReads },
          );
          const seen = new Map<string, Step>();
          const watching: ConnectionTester = {
            test: async (instance, endpoint) => {
              const result = await tester.test(instance, endpoint);
              seen.set(endpoint, result);
              return result;
            },
            read: async (instance, endpoint) => {
              const result = await tester.read(instance, endpoint);
              seen.set(endpoint, result);
              return result;
            },
          };
          const clock = timing(limit);
          const verdict = await testTaskConnections(watching, CONNECTIONS, clock);
          if (verdict.passed) {
            expect((seen.get(CONNECTIONS.source) as ConnectionState | undefined)?.status).toBe('successful');
            expect((seen.get(CONNECTIONS.target) as ConnectionState | undefined)?.status).toBe('successful');
          } else {
            expect(verdict.problem.length).toBeGreaterThan(0);
          }
          expect(clock.clock.now).toBeLessThanOrEqual(Math.max(clock.deadline, 1_000_000));
        },
      ),
      { numRuns: 400 },
    );
  });
});
