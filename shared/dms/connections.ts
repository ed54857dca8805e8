// Why this file exists: DMS starts a task only after the connection tests of its replication instance to each
// endpoint have succeeded, and says so only when the start is refused, after the schedule was switched off.
// The pre-flight asks first: it tests the task's source and target connections and waits for the answers,
// before the run's lock is taken, so a broken connection is reported with DMS's own message and nothing else
// changes. This is the port it tests through, and the pure wait over it; the adapter is dms-connections.ts.

/** `Connection.Status` as DMS documents it; anything else is passed on as DMS spelt it. */
export type ConnectionStatus = 'successful' | 'testing' | 'failed' | 'deleting' | (string & {});

export interface ConnectionState {
  readonly status: ConnectionStatus;
  readonly lastFailureMessage?: string;
}

export interface ConnectionTester {
  /** Starts a connection test; resolves with the state DMS answered (usually `testing`). */
  test(instanceArn: string, endpointArn: string): Promise<ConnectionState>;
  /** The connection's current state, or undefined when DMS knows no connection for the pair. */
  read(instanceArn: string, endpointArn: string): Promise<ConnectionState | undefined>;
}

/** What the pre-flight tests: the task's replication instance and its two endpoints. */
export interface TaskConnections {
  readonly instanceArn: string;
  readonly source: string;
  readonly target: string;
}

export interface PreflightTiming {
  /** Epoch ms by which every answer must be in; the invocation's own deadline, less a margin. */
  readonly deadline: number;
  /** Between two reads of the connections (DMS's own waiter polls every 5 s). */
  readonly pollMs: number;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
}

export type PreflightVerdict =
  | { readonly passed: true; readonly waitedMs: number }
  | { readonly passed: false; readonly problem: string };

/**
 * Tests the task's source and target connections at once and waits until both succeeded, one failed, or the
 * deadline passed. Never throws: a test DMS would not start, a read that failed for good and an answer that
 * did not come in time are each a failed verdict naming the endpoint and DMS's words.
 */
export function testTaskConnections(
  tester: ConnectionTester,
  connections: TaskConnections,
  timing: PreflightTiming,
): Promise<PreflightVerdict> {
  return testConnections(
    tester,
    connections.instanceArn,
    [
      { role: 'source', arn: connections.source },
      { role: 'target', arn: connections.target },
    ],
    timing,
  );
}

/** An endpoint to test, and what it is to the task (`source`, `target`), for the verdict's words. */
export interface EndpointToTest {
  readonly role: string;
  readonly arn: string;
}

/** The same wait for any endpoints of one replication instance: all at once, until all answered. */
export async function testConnections(
  tester: ConnectionTester,
  instanceArn: string,
  endpoints: readonly EndpointToTest[],
  timing: PreflightTiming,
): Promise<PreflightVerdict> {
  const started = timing.now();
  const connections = { instanceArn };
  const states = new Map<string, ConnectionState>();
  for (const endpoint of endpoints) {
    try {
      states.set(endpoint.role, await tester.test(connections.instanceArn, endpoint.arn));
    } catch (error) {
      // DMS refuses a second test while one is running (a ModifyEndpoint starts one by itself); its wording is
      // not documented, so the connection is read instead: a test under way is waited for like our own.
      const current = await tester.read(connections.instanceArn, endpoint.arn).catch(() => undefined);
      if (current?.status !== 'testing') {
        return failed(`the ${endpoint.role} connection test could not be started (${messageOf(error)})`);
      }
      states.set(endpoint.role, current);
    }
  }
  for (;;) {
    const failure = endpoints.find((endpoint) => states.get(endpoint.role)?.status === 'failed');
    if (failure) {
      const message = states.get(failure.role)?.lastFailureMessage;
      return failed(
        `the ${failure.role} connection test failed${message ? `: ${message}` : ' (DMS gave no message)'} (endpoint ${failure.arn})`,
      );
    }
    if (endpoints.every((endpoint) => states.get(endpoint.role)?.status === 'successful')) {
      return { passed: true, waitedMs: timing.now() - started };
    }
    const other = endpoints.find(
      (endpoint) => !['testing', 'successful'].includes(states.get(endpoint.role)?.status ?? ''),
    );
    if (other) {
      return failed(
        `the ${other.role} connection is ${describeState(states.get(other.role))}, not being tested (endpoint ${other.arn})`,
      );
    }
    if (timing.now() + timing.pollMs > timing.deadline) {
      const waiting = endpoints.filter((endpoint) => states.get(endpoint.role)?.status === 'testing');
      return failed(
        `the ${waiting.map((endpoint) => endpoint.role).join(' and ')} connection test gave no answer within ${Math.round((timing.now() - started) / 1000)} s`,
      );
    }
    await timing.sleep(timing.pollMs);
    for (const endpoint of endpoints) {
      if (states.get(endpoint.role)?.status !== 'testing') continue;
      try {
        const state = await tester.read(connections.instanceArn, endpoint.arn);
        states.set(endpoint.role, state ?? { status: 'missing' });
      } catch {
        // A read that failed is asked again at the next poll; the deadline bounds how often.
      }
    }
  }
}

const failed = (problem: string): PreflightVerdict => ({ passed: false, problem });

function describeState(state: ConnectionState | undefined): string {
  if (state === undefined || state.status === 'missing') return 'not known to DMS';
  return `"${state.status}"`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
