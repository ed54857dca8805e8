// The full-load-and-cdc milestone under the fault model: the real handlers in the simulated AWS of world.ts,
// for a one-time migration whose task's full load ends while it runs on (no event says so), found by the
// milestone tick; its hooks run then, the cut-over notice goes out, and a person stops the task at cut-over.
// Every AWS call of that run (its milestone, its notice, its end) is hit in turn by every fault mode, for a run
// stopped at cut-over, one that fails after its milestone and one stopped before it; each hook crashes, fails
// and outlasts the deadline; then fast-check generates delivery histories over several such runs. Each history
// must keep the properties of properties.ts, (h) included: milestone hooks at most once, the cut-over notice at
// least once and only repeated after a fault, the lock held until the task stops, the outcome as specified.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type DayPlan, HOOKS, type Scenario, SUCCESS_TOPIC_ARN, simulate } from './harness.ts';
import { violationsOf } from './properties.ts';
import { CALL_SITES, FAULT_MODES, type Fault } from './world.ts';

const day = (ending: DayPlan['ending'], overrides: Partial<DayPlan> = {}): DayPlan => ({
  ending,
  schedule: [],
  sns: [[1]],
  eventbridge: [],
  manualRuns: [0],
  ...overrides,
});

function scenarioFor(ending: DayPlan['ending'], extra: Partial<Scenario> = {}): Scenario {
  return {
    migration: 'full-load-and-cdc',
    ruleAfterFailure: 're-enable',
    // The next day's run resumes change capture: no milestone of its own.
    days: [day(ending), day('succeeded')],
    trailingHours: 26,
    ...extra,
  };
}

const VARIANTS: readonly { name: string; ending: DayPlan['ending']; extra: Partial<Scenario> }[] = [
  { name: 'stopped at cut-over', ending: 'succeeded', extra: {} },
  {
    name: 'stopped at cut-over, success topic',
    ending: 'succeeded',
    extra: { notifyOnSuccess: 'success-topic' },
  },
  { name: 'failed after its milestone', ending: 'failed', extra: {} },
  { name: 'stopped before its milestone', ending: 'stopped-by-user', extra: {} },
];

/** The same runs for a run group of two full-load-and-cdc tasks, started together. */
const GROUP_VARIANTS: readonly { name: string; ending: DayPlan['ending']; extra: Partial<Scenario> }[] = [
  {
    name: 'group stopped at cut-over',
    ending: 'succeeded',
    extra: { group: { size: 2, maxConcurrency: 0 } },
  },
  {
    name: 'group with a task stopped before its milestone',
    ending: 'succeeded',
    extra: { group: { size: 2, maxConcurrency: 0 } },
  },
];
const GROUP_ENDINGS: Record<string, readonly DayPlan['ending'][]> = {
  'group stopped at cut-over': ['succeeded', 'succeeded'],
  'group with a task stopped before its milestone': ['succeeded', 'stopped-by-user'],
};

const cutovers = (outcome: Awaited<ReturnType<typeof simulate>>) =>
  outcome.world.published.filter((alert) => alert.id?.endsWith(':cutover'));

describe('the full-load-and-cdc milestone under faults', () => {
  it('runs as specified without a fault', async () => {
    const stopped = await simulate(scenarioFor('succeeded', { notifyOnSuccess: 'success-topic' }));
    expect(violationsOf(scenarioFor('succeeded', { notifyOnSuccess: 'success-topic' }), stopped)).toEqual([]);
    const [first] = [...stopped.world.runs.values()];
    expect(first?.phase).toBe('released');
    expect(first?.outcome?.kind).toBe('succeeded');
    expect(first?.milestone).toBeDefined();
    for (const hook of HOOKS) expect(stopped.world.hookStarts.get(`${first?.id}/${hook.name}`)).toBe(1);
    expect(cutovers(stopped).map((notice) => notice.topicArn)).toEqual([SUCCESS_TOPIC_ARN]);
    // The cut-over notice went out while the task still ran: before the stop, 100 minutes in.
    expect(cutovers(stopped)[0]?.at).toBeLessThan(stopped.world.dmsRuns[0]?.stopDate ?? 0);
    expect(stopped.world.published.map((alert) => alert.id?.split(':').at(-1))).toEqual([
      'cutover',
      'succeeded',
      // The next day's resume is stopped without a milestone of its own: stopped by a person.
      'run-failed',
    ]);
  });

  it('runs a group of two as specified: its milestone once both loads finished, succeeded at the stop', async () => {
    const group = { size: 2, maxConcurrency: 0 };
    const both: Scenario = {
      ...scenarioFor('succeeded', { group }),
      days: [day('succeeded', { memberEndings: ['succeeded', 'succeeded'] })],
    };
    const outcome = await simulate(both);
    expect(violationsOf(both, outcome)).toEqual([]);
    const [run] = [...outcome.world.runs.values()];
    expect(run?.members).toHaveLength(2);
    expect(run?.milestone).toBeDefined();
    expect(run?.outcome?.kind).toBe('succeeded');
    for (const hook of HOOKS) expect(outcome.world.hookStarts.get(`${run?.id}/${hook.name}`)).toBe(1);
    expect(cutovers(outcome)).toHaveLength(1);
    // One task stopped before its full load finished: no milestone, no hook, not succeeded.
    const early: Scenario = {
      ...both,
      days: [day('succeeded', { memberEndings: ['succeeded', 'stopped-by-user'] })],
    };
    const stopped = await simulate(early);
    expect(violationsOf(early, stopped)).toEqual([]);
    const [late] = [...stopped.world.runs.values()];
    expect(late?.milestone).toBeUndefined();
    expect(late?.outcome?.kind).toBe('stopped-by-user');
    expect(cutovers(stopped)).toHaveLength(0);
  });

  it('keeps every property under every fault, at every call site of the run', async () => {
    let cases = 0;
    const failures: string[] = [];
    const sites = new Set<string>();
    for (const { name, ending, extra } of VARIANTS) {
      const base = scenarioFor(ending, extra);
      const baseline = await simulate(base);
      const clean = violationsOf(base, baseline);
      if (clean.length > 0) failures.push(`baseline ${name}: ${clean.join('; ')}`);
      for (const site of CALL_SITES) {
        const calls = baseline.firstDayCalls.get(site) ?? 0;
        if (calls > 0) sites.add(site);
        for (let nth = 1; nth <= calls; nth++) {
          for (const mode of FAULT_MODES) {
            const fault: Fault = { site, nth, mode };
            const scenario = scenarioFor(ending, { ...extra, faults: [fault] });
            const violations = violationsOf(scenario, await simulate(scenario));
            cases += 1;
            if (violations.length > 0)
              failures.push(`${name} ${site}#${nth} ${mode}: ${violations.join('; ')}`);
          }
        }
      }
      if (ending === 'stopped-by-user') continue; // no hook runs
      for (const hook of HOOKS) {
        for (const hookExtra of [
          { crashInHook: { hook: hook.name, nth: 1 } },
          { failingHook: hook.name },
          { slowHook: { hook: hook.name, minutes: 20 } },
        ] satisfies Partial<Scenario>[]) {
          const scenario = scenarioFor(ending, { ...extra, ...hookExtra });
          const violations = violationsOf(scenario, await simulate(scenario));
          cases += 1;
          if (violations.length > 0)
            failures.push(`${name} ${JSON.stringify(hookExtra)}: ${violations.join('; ')}`);
        }
      }
    }
    for (const { name, extra } of GROUP_VARIANTS) {
      const endings = GROUP_ENDINGS[name] ?? [];
      const groupScenario = (faults: readonly Fault[] = []): Scenario => ({
        ...scenarioFor('succeeded', { ...extra, faults }),
        days: [day('succeeded', { memberEndings: endings }), day('succeeded')],
      });
      const baseline = await simulate(groupScenario());
      const clean = violationsOf(groupScenario(), baseline);
      if (clean.length > 0) failures.push(`baseline ${name}: ${clean.join('; ')}`);
      for (const site of CALL_SITES) {
        const calls = baseline.firstDayCalls.get(site) ?? 0;
        for (let nth = 1; nth <= calls; nth++) {
          for (const mode of FAULT_MODES) {
            const scenario = groupScenario([{ site, nth, mode }]);
            const violations = violationsOf(scenario, await simulate(scenario));
            cases += 1;
            if (violations.length > 0)
              failures.push(`${name} ${site}#${nth} ${mode}: ${violations.join('; ')}`);
          }
        }
      }
    }
    console.log(
      `milestone fault injection: ${cases} cases over ${sites.size} call sites × ${FAULT_MODES.length} fault modes × ` +
        `${VARIANTS.length} full-load-and-cdc runs and ${GROUP_VARIANTS.length} groups of two, plus hook crashes, failures and deadline overruns; ${failures.length} violations`,
    );
    expect(failures.slice(0, 20)).toEqual([]);
    // One-time: no schedule rule is ever called; every other site is.
    expect([...sites].sort()).toEqual(CALL_SITES.filter((site) => !site.startsWith('EventBridge.')).sort());
  }, 600_000);

  it('sends a cut-over notice that SNS refused for 15 minutes once it accepts, exactly once', async () => {
    // The first publish of the run is its cut-over notice.
    const scenario = scenarioFor('succeeded', {
      faults: [{ site: 'SNS.Publish', nth: 1, mode: 'fail-15-minutes' }],
    });
    const outcome = await simulate(scenario);
    expect(violationsOf(scenario, outcome)).toEqual([]);
    expect(cutovers(outcome)).toHaveLength(1);
    expect(outcome.world.faultsStruck).toBeGreaterThan(0);
  });

  it('delivers a cut-over notice whose answer was lost at most twice, with the same id', async () => {
    const scenario = scenarioFor('succeeded', {
      faults: [{ site: 'SNS.Publish', nth: 1, mode: 'applied-response-lost' }],
    });
    const outcome = await simulate(scenario);
    expect(violationsOf(scenario, outcome)).toEqual([]);
    expect(cutovers(outcome).length).toBeGreaterThanOrEqual(1);
    expect(cutovers(outcome).length).toBeLessThanOrEqual(2);
    expect(new Set(cutovers(outcome).map((notice) => notice.id)).size).toBe(1);
  });
});

const SEED = 20261202;
const RUNS = 400;

const deliveries = fc.oneof(
  fc.array(fc.integer({ min: 0, max: 240 }), { maxLength: 3 }),
  fc
    .tuple(fc.integer({ min: 0, max: 240 }), fc.integer({ min: 2, max: 3 }))
    .map(([delay, copies]) => Array.from({ length: copies }, () => delay)),
);

const cdcDay: fc.Arbitrary<DayPlan> = fc.record({
  ending: fc.constantFrom<DayPlan['ending']>(
    'succeeded',
    'succeeded',
    'failed',
    'stopped-by-user',
    'refused',
  ),
  schedule: fc.constant([]),
  sns: fc.array(deliveries, { minLength: 1, maxLength: 3 }),
  eventbridge: fc.oneof(fc.constant([]), fc.array(deliveries, { minLength: 1, maxLength: 3 })),
  // The day's start, and sometimes a second start by hand while the run is active (its lock refuses it).
  manualRuns: fc.oneof(
    fc.constant([0]),
    fc.integer({ min: 1, max: 23 * 60 }).map((minute) => [0, minute]),
  ),
});

const cdcScenario: fc.Arbitrary<Scenario> = fc.record(
  {
    migration: fc.constant('full-load-and-cdc' as const),
    ruleAfterFailure: fc.constant('re-enable' as const),
    notifyOnSuccess: fc.constantFrom('off' as const, 'alerts-topic' as const, 'success-topic' as const),
    days: fc.array(cdcDay, { minLength: 2, maxLength: 3 }),
    faults: fc.oneof(
      fc.constant([]),
      fc.tuple(
        fc.record({
          site: fc.constantFrom(...CALL_SITES.filter((site) => !site.startsWith('EventBridge.'))),
          nth: fc.integer({ min: 1, max: 80 }),
          mode: fc.constantFrom(...FAULT_MODES),
        }),
      ),
    ),
    crashInHook: fc.record({
      hook: fc.constantFrom(...HOOKS.map((hook) => hook.name)),
      nth: fc.integer({ min: 1, max: 3 }),
    }),
    trailingHours: fc.constant(26),
  },
  { requiredKeys: ['migration', 'ruleAfterFailure', 'notifyOnSuccess', 'days', 'faults', 'trailingHours'] },
);

describe('generated delivery sequences over full-load-and-cdc runs', () => {
  it(`keeps every property in ${RUNS} histories`, async () => {
    const totals = { histories: 0, runs: 0, milestones: 0, cutovers: 0 };
    await fc.assert(
      fc.asyncProperty(cdcScenario, async (generated) => {
        const outcome = await simulate(generated);
        expect(violationsOf(generated, outcome)).toEqual([]);
        totals.histories += 1;
        totals.runs += outcome.world.runs.size;
        totals.milestones += [...outcome.world.runs.values()].filter((run) => run.milestone).length;
        totals.cutovers += cutovers(outcome).length;
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    console.log(
      `milestone sequences: fast-check seed ${SEED}; ${totals.histories} histories, ${totals.runs} runs, ` +
        `${totals.milestones} milestones, ${totals.cutovers} cut-over notices`,
    );
    expect(totals.milestones).toBeGreaterThan(0);
  }, 600_000);
});
