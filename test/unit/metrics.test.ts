// The Metrics port over Powertools is what the alarms and the dashboard read: each metric must leave the
// function as an Embedded Metric Format record in the configured namespace, with its unit, and an invocation
// that recorded nothing must write nothing (no empty record, no warning on every duplicate notice).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { powertoolsMetrics } from '#shared/metrics';

let written: string[];

beforeEach(() => {
  vi.stubEnv('POWERTOOLS_METRICS_NAMESPACE', 'dms-scheduler-test');
  vi.stubEnv('POWERTOOLS_DEV', '');
  written = [];
  const capture = (chunk: unknown) => {
    written.push(String(chunk));
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture);
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

function records(): Record<string, unknown>[] {
  return written
    .flatMap((chunk) => chunk.split('\n'))
    .filter((line) => line.includes('_aws'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('powertoolsMetrics', () => {
  it('publishes what was recorded as one EMF record in the namespace, with units and the service', () => {
    const metrics = powertoolsMetrics('post-processor');
    metrics.add('StuckRuns', 1);
    metrics.add('HookDuration', 1234, 'milliseconds');
    metrics.flush();
    const [record, ...rest] = records();
    expect(rest).toEqual([]);
    expect(record).toMatchObject({ StuckRuns: 1, HookDuration: 1234, service: 'post-processor' });
    const directive = (
      record?._aws as {
        CloudWatchMetrics: { Namespace: string; Metrics: { Name: string; Unit: string }[] }[];
      }
    ).CloudWatchMetrics[0];
    expect(directive?.Namespace).toBe('dms-scheduler-test');
    expect(directive?.Metrics).toEqual(
      expect.arrayContaining([
        { Name: 'StuckRuns', Unit: 'Count' },
        { Name: 'HookDuration', Unit: 'Milliseconds' },
      ]),
    );
  });

  it('writes nothing at all when nothing was recorded', () => {
    powertoolsMetrics('task-starter').flush();
    expect(written).toEqual([]);
  });
});
