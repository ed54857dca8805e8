// The metrics the runs emit (CloudWatch, as Embedded Metric Format logs through Powertools in Lambda): what
// dashboards chart and what the alarms watch when no alert can get through. The domain writes to this narrow
// port; the Powertools adapter, the local run and the tests implement it.
import { MetricUnit, Metrics as PowertoolsMetrics } from '@aws-lambda-powertools/metrics';

export const METRIC_NAMES = [
  'RunsStarted',
  'RunsSucceeded',
  'RunsFailed',
  'RunDuration',
  'HookDuration',
  'RowsMasked',
  /** Runs still active past STALE_RUN_HOURS, counted by the reconcile tick. */
  'StuckRuns',
  /** 1 when the tick finds the schedule disabled with no run holding it and no failure policy explaining it. */
  'ScheduleOffWithoutRun',
  'InputsIgnored',
  /** A released run whose day in the run history was already full (shared/runs/history.ts). */
  'RunsNotInHistory',
  /** Tasks of a run group whose start DMS accepted (shared/runs/group.ts). */
  'MembersStarted',
] as const;
export type MetricName = (typeof METRIC_NAMES)[number];
export type MetricKind = 'count' | 'milliseconds';

export interface Metrics {
  add(name: MetricName, value: number, kind?: MetricKind): void;
}

export const NO_METRICS: Metrics = { add: () => {} };

/** The Metrics port over Powertools; `flush` publishes what an invocation recorded (call it in `finally`). */
export function powertoolsMetrics(serviceName: string): Metrics & { flush(): void } {
  const metrics = new PowertoolsMetrics({ serviceName });
  return {
    add: (name, value, kind = 'count') =>
      metrics.addMetric(name, kind === 'count' ? MetricUnit.Count : MetricUnit.Milliseconds, value),
    // Most invocations record nothing (a duplicate notice, a skipped start): no empty EMF line, no warning.
    flush: () => {
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    },
  };
}
