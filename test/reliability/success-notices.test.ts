// Success notices under the fault model: the real post-processor, with NotifyOnSuccess on, in the simulated
// AWS of world.ts. Every call of a night's run (and the ticks after it) is hit in turn by every fault mode, for
// a run that succeeds and one that fails, and each history must keep the properties of properties.ts, (g)
// included: one summary per succeeded run, on the configured topic, none for a failed one. Named cases pin
// the outbox's promises for the summary: a publish that fails is sent later exactly once; a publish whose
// answer was lost is delivered at most twice, with the same alertId; notices delivered twice, on both
// channels and at the same instant, send one summary.
import { describe, expect, it } from 'vitest';
import { type DayPlan, type Scenario, SUCCESS_TOPIC_ARN, simulate } from './harness.ts';
import { violationsOf } from './properties.ts';
import { CALL_SITES, FAULT_MODES, type Fault, type PublishedAlert } from './world.ts';

const night = (ending: DayPlan['ending'], overrides: Partial<DayPlan> = {}): DayPlan => ({
  ending,
  schedule: [0],
  sns: [[1]],
  eventbridge: [],
  manualRuns: [],
  ...overrides,
});

function scenario(extra: Partial<Scenario> = {}, first: DayPlan = night('succeeded')): Scenario {
  return {
    ruleAfterFailure: 're-enable',
    notifyOnSuccess: 'success-topic',
    days: [first, night('succeeded')],
    trailingHours: 26,
    ...extra,
  };
}

const summaries = (published: readonly PublishedAlert[]) =>
  published.filter((alert) => alert.id?.endsWith(':succeeded'));

/** How many times each summary id was delivered. */
function deliveries(published: readonly PublishedAlert[]): number[] {
  const counts = new Map<string, number>();
  for (const alert of summaries(published))
    counts.set(String(alert.id), (counts.get(String(alert.id)) ?? 0) + 1);
  return [...counts.values()];
}

describe('success notices under faults', () => {
  it('keeps every property under every fault at every call site, for a run that succeeds and one that fails', async () => {
    let cases = 0;
    const failures: string[] = [];
    for (const ending of ['succeeded', 'failed'] as const) {
      const base = scenario({}, night(ending));
      const baseline = await simulate(base);
      const clean = violationsOf(base, baseline);
      if (clean.length > 0) failures.push(`baseline ${ending}: ${clean.join('; ')}`);
      for (const site of CALL_SITES) {
        for (let nth = 1; nth <= (baseline.firstDayCalls.get(site) ?? 0); nth++) {
          for (const mode of FAULT_MODES) {
            const fault: Fault = { site, nth, mode };
            const faulty = scenario({ faults: [fault] }, night(ending));
            const outcome = await simulate(faulty);
            const violations = violationsOf(faulty, outcome);
            // One fault, one repeat at most: the outbox re-sends only what it cannot know was sent.
            if (deliveries(outcome.world.published).some((count) => count > 2)) {
              violations.push(
                `a success notice was delivered ${Math.max(...deliveries(outcome.world.published))} times`,
              );
            }
            cases += 1;
            if (violations.length > 0)
              failures.push(`${ending} ${site}#${nth} ${mode}: ${violations.join('; ')}`);
          }
        }
      }
    }
    console.log(`success notices under faults: ${cases} cases; ${failures.length} violations`);
    expect(cases).toBeGreaterThan(100);
    expect(failures.slice(0, 20)).toEqual([]);
  }, 600_000);

  it.each([
    'alerts-topic',
    'success-topic',
  ] as const)('sends one summary per succeeded run to the %s, with notices delivered twice on both channels at once', async (notifyOnSuccess) => {
    const duplicated = night('succeeded', { sns: [[1, 1, 30]], eventbridge: [[1, 2]], schedule: [0, 0] });
    const plan = scenario({ notifyOnSuccess, days: [duplicated, duplicated] });
    const outcome = await simulate(plan);
    expect(violationsOf(plan, outcome)).toEqual([]);
    const sent = summaries(outcome.world.published);
    expect(deliveries(outcome.world.published)).toEqual([1, 1]);
    const topic =
      notifyOnSuccess === 'success-topic'
        ? SUCCESS_TOPIC_ARN
        : 'arn:aws:sns:us-east-1:123456789012:dms-scheduler-alerts';
    expect(sent.every((summary) => summary.topicArn === topic)).toBe(true);
    expect(sent[0]?.subject).toMatch(/^dms-scheduler: nightly-refresh: refresh succeeded \(\d+m \d{2}s\)$/);
    expect(sent[0]?.message).toContain('Rows masked: 10');
  });

  it('sends a summary whose publish failed later, exactly once, and only then gives the rule back', async () => {
    // The first Publish of the night is the summary's: a succeeded run owes no alert.
    const plan = scenario({ faults: [{ site: 'SNS.Publish', nth: 1, mode: 'fail-once' }] });
    const outcome = await simulate(plan);
    expect(violationsOf(plan, outcome)).toEqual([]);
    expect(deliveries(outcome.world.published)).toEqual([1, 1]);
    const [first] = summaries(outcome.world.published);
    expect(outcome.world.runs.get(String(first?.id).replace(/:succeeded$/, ''))?.phase).toBe('released');
  });

  it('delivers a summary whose answer was lost at most twice, with the same alertId', async () => {
    const plan = scenario({ faults: [{ site: 'SNS.Publish', nth: 1, mode: 'applied-response-lost' }] });
    const outcome = await simulate(plan);
    expect(violationsOf(plan, outcome)).toEqual([]);
    const sent = summaries(outcome.world.published);
    const firstId = sent[0]?.id;
    expect(sent.filter((summary) => summary.id === firstId)).toHaveLength(2);
    expect(deliveries(outcome.world.published)).toEqual([2, 1]);
  });

  it('sends no summary at all with NotifyOnSuccess off, for notices delivered twice', async () => {
    const duplicated = night('succeeded', { sns: [[1, 1]], eventbridge: [[1]] });
    const plan = scenario({ notifyOnSuccess: 'off', days: [duplicated, duplicated] });
    const outcome = await simulate(plan);
    expect(violationsOf(plan, outcome)).toEqual([]);
    expect(outcome.world.published).toEqual([]);
  });

  it('sends the alert and no summary for a run that failed', async () => {
    const plan = scenario({}, night('failed'));
    const outcome = await simulate(plan);
    expect(violationsOf(plan, outcome)).toEqual([]);
    const [failedNight, goodNight] = [...outcome.world.runs.values()];
    expect(
      outcome.world.published.filter((alert) => alert.id?.startsWith(`${failedNight?.id}:`)).map((a) => a.id),
    ).toEqual([`${failedNight?.id}:run-failed`]);
    expect(summaries(outcome.world.published).map((summary) => summary.id)).toEqual([
      `${goodNight?.id}:succeeded`,
    ]);
  });
});
