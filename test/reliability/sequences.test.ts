// Generated delivery histories over several consecutive nights: schedule events delivered late, twice (at
// once, so the two race) or not at all; DMS notices on both paths duplicated, delayed, reordered or lost;
// manual runs at any minute, also during a run or its hooks; an operator disabling the schedule by hand;
// and, in some histories, one fault at a random call or a crash inside a hook. Every history must keep the
// properties of properties.ts. The seed is fixed and printed, so a failure can be replayed exactly.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type DayPlan, HOOKS, type Scenario, simulate } from './harness.ts';
import { violationsOf } from './properties.ts';
import { CALL_SITES, FAULT_MODES } from './world.ts';

const SEED = 20261201;
const RUNS = 1000;

// Copies arrive at independent times, or all at once (a burst: the invocations race each other).
const deliveries = fc.oneof(
  fc.array(fc.integer({ min: 0, max: 240 }), { maxLength: 3 }),
  fc
    .tuple(fc.integer({ min: 0, max: 240 }), fc.integer({ min: 2, max: 3 }))
    .map(([delay, copies]) => Array.from({ length: copies }, () => delay)),
);

const dayPlan: fc.Arbitrary<DayPlan> = fc.record(
  {
    ending: fc.constantFrom<DayPlan['ending']>(
      'succeeded',
      'succeeded',
      'succeeded',
      'failed',
      'stopped-by-user',
      'refused',
    ),
    schedule: fc.oneof(
      { weight: 4, arbitrary: fc.array(fc.integer({ min: 0, max: 180 }), { minLength: 1, maxLength: 3 }) },
      { weight: 2, arbitrary: fc.constant([0, 0]) },
      { weight: 1, arbitrary: fc.constant([]) },
    ),
    sns: fc.array(deliveries, { minLength: 1, maxLength: 3 }),
    eventbridge: fc.oneof(fc.constant([]), fc.array(deliveries, { minLength: 1, maxLength: 3 })),
    manualRuns: fc.array(fc.integer({ min: 0, max: 24 * 60 - 1 }), { maxLength: 2 }),
    handDisableAt: fc.integer({ min: 0, max: 24 * 60 - 1 }),
  },
  { requiredKeys: ['ending', 'schedule', 'sns', 'eventbridge', 'manualRuns'] },
);

const scenario: fc.Arbitrary<Scenario> = fc
  .record(
    {
      ruleAfterFailure: fc.constantFrom<Scenario['ruleAfterFailure']>('re-enable', 'keep-disabled'),
      days: fc.array(dayPlan, { minLength: 3, maxLength: 4 }),
      // Half the histories have no fault at all: their alarms must stay quiet.
      faults: fc.oneof(
        fc.constant([]),
        fc.tuple(
          fc.record({
            site: fc.constantFrom(...CALL_SITES),
            nth: fc.integer({ min: 1, max: 60 }),
            mode: fc.constantFrom(...FAULT_MODES),
          }),
        ),
      ),
      crashInHook: fc.record({
        hook: fc.constantFrom(...HOOKS.map((hook) => hook.name)),
        nth: fc.integer({ min: 1, max: 3 }),
      }),
      slowHook: fc.record({
        hook: fc.constantFrom(...HOOKS.map((hook) => hook.name)),
        minutes: fc.integer({ min: 1, max: 25 }),
      }),
      trailingHours: fc.constant(26),
    },
    { requiredKeys: ['ruleAfterFailure', 'days', 'faults', 'trailingHours'] },
  )
  .map((generated) =>
    // A hook crash or a hook past the deadline is a fault too: a quarter of the histories keep neither.
    generated.faults.length === 0 && generated.ruleAfterFailure === 're-enable'
      ? (({ crashInHook: _crash, slowHook: _slow, ...rest }) => rest)(generated)
      : generated,
  );

const ENDINGS = fc.constantFrom<DayPlan['ending']>(
  'succeeded',
  'succeeded',
  'succeeded',
  'failed',
  'stopped-by-user',
  'refused',
);

/** The same histories for a run group: each member's run ends its own way, a few members at a time. */
const groupScenario: fc.Arbitrary<Scenario> = fc
  .record({
    size: fc.integer({ min: 2, max: 3 }),
    maxConcurrency: fc.integer({ min: 0, max: 2 }),
    base: scenario,
    endings: fc.array(fc.array(ENDINGS, { minLength: 3, maxLength: 3 }), { minLength: 4, maxLength: 4 }),
  })
  .map(({ size, maxConcurrency, base, endings }) => ({
    ...base,
    group: { size, maxConcurrency },
    days: base.days.map((day, i) => ({ ...day, memberEndings: endings[i] ?? [] })),
  }));

const GROUP_RUNS = 300;

describe('generated delivery sequences over consecutive runs', () => {
  it(`keeps every property in ${RUNS} histories`, async () => {
    const totals = { histories: 0, runs: 0, invocations: 0, alerts: 0, withFault: 0, violations: 0 };
    await fc.assert(
      fc.asyncProperty(scenario, async (generated) => {
        const outcome = await simulate(generated);
        const violations = violationsOf(generated, outcome);
        totals.histories += 1;
        totals.runs += outcome.world.runs.size;
        totals.invocations += outcome.invocations;
        totals.alerts += outcome.world.published.length;
        if ((generated.faults ?? []).length > 0 || generated.crashInHook || generated.slowHook)
          totals.withFault += 1;
        totals.violations += violations.length;
        expect(violations).toEqual([]);
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    console.log(
      `delivery sequences: fast-check seed ${SEED}; ${totals.histories} histories (${totals.withFault} with a fault), ` +
        `${totals.runs} runs, ${totals.invocations} invocations, ${totals.alerts} alerts; ${totals.violations} violations`,
    );
    expect(totals.histories).toBeGreaterThanOrEqual(RUNS);
  }, 600_000);

  it(`keeps every property in ${GROUP_RUNS} histories of a run group`, async () => {
    const totals = { histories: 0, runs: 0, members: 0, violations: 0 };
    await fc.assert(
      fc.asyncProperty(groupScenario, async (generated) => {
        const outcome = await simulate(generated);
        const violations = violationsOf(generated, outcome);
        totals.histories += 1;
        totals.runs += outcome.world.runs.size;
        totals.members += outcome.world.dmsRuns.length;
        totals.violations += violations.length;
        expect(violations).toEqual([]);
      }),
      { seed: SEED, numRuns: GROUP_RUNS, endOnFailure: true },
    );
    console.log(
      `group delivery sequences: fast-check seed ${SEED}; ${totals.histories} histories, ${totals.runs} group runs, ` +
        `${totals.members} member runs in DMS; ${totals.violations} violations`,
    );
    expect(totals.histories).toBeGreaterThanOrEqual(GROUP_RUNS);
  }, 600_000);
});
