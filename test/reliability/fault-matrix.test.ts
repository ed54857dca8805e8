// Every AWS call the scheduler makes in a night's first two hours (the run and the ticks after it), each in
// turn hit by each fault mode (fails once, fails for 15 minutes, fails for good, applied with its answer
// lost, the process dies just before it, just after it), for a run that succeeds, one that fails and one DMS
// refuses to start, under both failure policies; plus, in each hook, a crash, a failure, and work that
// outlasts the Lambda deadline. The next night runs too, so recovery is part of what is checked. Each
// case's history must keep the properties of properties.ts; the suite prints how many cases it ran.
import { describe, expect, it } from 'vitest';
import { type DayPlan, HOOKS, type Scenario, simulate } from './harness.ts';
import { violationsOf } from './properties.ts';
import { CALL_SITES, FAULT_MODES, type Fault } from './world.ts';

const night = (ending: DayPlan['ending']): DayPlan => ({
  ending,
  schedule: [0],
  sns: [[1]],
  eventbridge: [],
  manualRuns: [],
});

const POLICIES = ['re-enable', 'keep-disabled'] as const;
const ENDINGS = ['succeeded', 'failed', 'refused'] as const;

function scenarioFor(
  ending: DayPlan['ending'],
  policy: Scenario['ruleAfterFailure'],
  extra: Partial<Scenario> = {},
): Scenario {
  // After a failure with keep-disabled, the next night only runs if a person starts it: they do, at 08:00.
  const second: DayPlan = { ...night('succeeded'), manualRuns: policy === 'keep-disabled' ? [8 * 60] : [] };
  return { ruleAfterFailure: policy, days: [night(ending), second], trailingHours: 26, ...extra };
}

describe('fault injection at every AWS call of a run', () => {
  it('keeps every property under every fault, at every call site', async () => {
    let cases = 0;
    const failures: string[] = [];
    const sites = new Set<string>();
    for (const ending of ENDINGS) {
      for (const policy of POLICIES) {
        const baseline = await simulate(scenarioFor(ending, policy));
        const clean = violationsOf(scenarioFor(ending, policy), baseline);
        if (clean.length > 0) failures.push(`baseline ${ending}/${policy}: ${clean.join('; ')}`);
        for (const site of CALL_SITES) {
          const calls = baseline.firstDayCalls.get(site) ?? 0;
          if (calls > 0) sites.add(site);
          for (let nth = 1; nth <= calls; nth++) {
            for (const mode of FAULT_MODES) {
              const fault: Fault = { site, nth, mode };
              const scenario = scenarioFor(ending, policy, { faults: [fault] });
              const violations = violationsOf(scenario, await simulate(scenario));
              cases += 1;
              if (violations.length > 0)
                failures.push(`${ending}/${policy} ${site}#${nth} ${mode}: ${violations.join('; ')}`);
            }
          }
        }
        for (const hook of HOOKS) {
          const extras: Partial<Scenario>[] = [
            { crashInHook: { hook: hook.name, nth: 1 } },
            { failingHook: hook.name },
            // Past the 15-minute deadline: Lambda kills the invocation mid-hook, every time it is resumed.
            { slowHook: { hook: hook.name, minutes: 20 } },
          ];
          for (const extra of extras) {
            const scenario = scenarioFor(ending, policy, extra);
            const violations = violationsOf(scenario, await simulate(scenario));
            cases += 1;
            if (violations.length > 0)
              failures.push(`${ending}/${policy} ${JSON.stringify(extra)}: ${violations.join('; ')}`);
          }
        }
      }
    }
    console.log(
      `fault injection: ${cases} cases over ${sites.size} call sites × ${FAULT_MODES.length} fault modes × ` +
        `${ENDINGS.length} endings × ${POLICIES.length} policies, plus hook crashes, failures and deadline overruns; ` +
        `${failures.length} violations`,
    );
    expect(failures.slice(0, 20)).toEqual([]);
    expect(sites.size).toBe(CALL_SITES.length);
  }, 600_000);
});
