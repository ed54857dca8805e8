// Why this file exists: the pre-flight step of a start (PREFLIGHT_CONNECTIONS=on). Before the run's lock is
// taken and before the schedule is touched, the task's source and target connections are tested and their
// answers awaited; a failure is told in one alert with DMS's message, and the start ends there, with the
// rule, the ledger and the task exactly as they were. The waiting itself is dms/connections.ts.
import { buildAlert } from '../alerts/alerts.ts';
import type { StarterConfig } from '../config.ts';
import { type ConnectionTester, type TaskConnections, testTaskConnections } from '../dms/connections.ts';
import type { TaskSnapshot } from '../dms/task.ts';
import type { RunDeps } from './advance.ts';

/** Between two reads of the connections: DMS's own TestConnectionSucceeds waiter polls every 5 s. */
export const PREFLIGHT_POLL_MS = 5_000;
/** Left of the invocation when the wait gives up, for the alert and the answer. */
export const PREFLIGHT_MARGIN_MS = 15_000;

export interface PreflightDeps extends Pick<RunDeps, 'alerts' | 'clock' | 'log' | 'remainingTimeMs'> {
  readonly connections: ConnectionTester;
  readonly sleep: (ms: number) => Promise<void>;
}

/** Undefined when the connections are good; otherwise the problem, already alerted. */
export async function preflightProblem(
  deps: PreflightDeps,
  config: StarterConfig,
  expected: TaskConnections,
  task: TaskSnapshot,
  attemptTime: string,
): Promise<string | undefined> {
  const mismatch = connectionMismatch(expected, task);
  const verdict = mismatch
    ? { passed: false as const, problem: mismatch }
    : await testTaskConnections(deps.connections, expected, {
        deadline: deps.clock().getTime() + deps.remainingTimeMs() - PREFLIGHT_MARGIN_MS,
        pollMs: PREFLIGHT_POLL_MS,
        now: () => deps.clock().getTime(),
        sleep: deps.sleep,
      });
  if (verdict.passed) {
    deps.log.info('pre-flight: both connections tested successfully', { waitedMs: verdict.waitedMs });
    return undefined;
  }
  // No run was recorded, so there is no outbox: the alert is published here, and a failure to publish
  // fails the invocation, which the Errors alarm and the dead-letter queue report.
  await deps.alerts.publish(preflightAlert(config, verdict.problem, attemptTime));
  deps.log.warn('pre-flight failed: nothing was started', { problem: verdict.problem });
  return verdict.problem;
}

/** The task must use the instance and endpoints the stack was given: the role may test those only. */
function connectionMismatch(expected: TaskConnections, task: TaskSnapshot): string | undefined {
  const pairs = [
    ['replication instance', expected.instanceArn, task.replicationInstanceArn],
    ['source endpoint', expected.source, task.sourceEndpointArn],
    ['target endpoint', expected.target, task.targetEndpointArn],
  ] as const;
  const wrong = pairs.filter(([, configured, actual]) => configured !== actual);
  if (wrong.length === 0) return undefined;
  return `the task does not use the ${wrong.map(([what, configured, actual]) => `${what} the stack names (${configured}; the task's is ${actual ?? 'unknown'})`).join(', nor the ')}; update the stack's pre-flight parameters`;
}

export function preflightAlert(config: StarterConfig, problem: string, attemptTime: string) {
  const rule = config.scheduleRuleName;
  return buildAlert({
    id: `preflight:${config.task.identifier}:${attemptTime}`,
    taskIdentifier: config.task.identifier,
    headline: 'not started: the pre-flight connection test failed',
    lines: [
      `Task: ${config.task.identifier} (${config.task.arn})`,
      `Pre-flight: ${problem}.`,
      '',
      'Nothing was started and nothing was changed: no run was recorded, the target was not touched.',
      rule === undefined
        ? 'One-time mode: invoke the task-starter again once the connection is fixed.'
        : `The schedule rule ${rule} was not touched: the next scheduled run tests the connections again.`,
    ],
  });
}
