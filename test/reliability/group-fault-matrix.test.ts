// The fault matrix of a run group: three tasks, at most two at once, so that the post-processor starts the
// third as the first ends. Every AWS call of the night's first two hours is hit in turn by each fault mode,
// for a group whose members all succeed, one whose second member fails, and one whose first member DMS
// refuses to start, under both failure policies; the next night runs too. Each history must keep the
// properties of properties.ts, the group's (h) among them, and the world's checks at the moment: no member
// started unrecorded or over the limit, no hook while a member runs, the lock and the rule as for one task.
import { describe, expect, it } from 'vitest';
import { type DayPlan, type Scenario, simulate } from './harness.ts';
import { violationsOf } from './properties.ts';
import { CALL_SITES, type DmsEnding, FAULT_MODES, type Fault } from './world.ts';

const GROUP = { size: 3, maxConcurrency: 2 };

const night = (memberEndings: readonly DmsEnding[]): DayPlan => ({
  ending: 'succeeded',
  memberEndings,
  schedule: [0],
  sns: [[1]],
  eventbridge: [],
  manualRuns: [],
});

const POLICIES = ['re-enable', 'keep-disabled'] as const;
const NIGHTS: Record<string, readonly DmsEnding[]> = {
  'all succeed': ['succeeded', 'succeeded', 'succeeded'],
  'the second fails': ['succeeded', 'failed', 'succeeded'],
  'the first is refused': ['refused', 'succeeded', 'succeeded'],
};

function scenarioFor(
  endings: readonly DmsEnding[],
  policy: Scenario['ruleAfterFailure'],
  faults: readonly Fault[] = [],
): Scenario {
  const second: DayPlan = {
    ...night(['succeeded', 'succeeded', 'succeeded']),
    manualRuns: policy === 'keep-disabled' ? [8 * 60] : [],
  };
  return {
    ruleAfterFailure: policy,
    days: [night(endings), second],
    trailingHours: 26,
    group: GROUP,
    faults,
  };
}

describe('fault injection at every AWS call of a run group', () => {
  it('keeps every property under every fault, at every call site', async () => {
    let cases = 0;
    const failures: string[] = [];
    const sites = new Set<string>();
    for (const [name, endings] of Object.entries(NIGHTS)) {
      for (const policy of POLICIES) {
        const baseline = await simulate(scenarioFor(endings, policy));
        const clean = violationsOf(scenarioFor(endings, policy), baseline);
        if (clean.length > 0) failures.push(`baseline ${name}/${policy}: ${clean.join('; ')}`);
        for (const site of CALL_SITES) {
          const calls = baseline.firstDayCalls.get(site) ?? 0;
          if (calls > 0) sites.add(site);
          for (let nth = 1; nth <= calls; nth++) {
            for (const mode of FAULT_MODES) {
              const scenario = scenarioFor(endings, policy, [{ site, nth, mode }]);
              const violations = violationsOf(scenario, await simulate(scenario));
              cases += 1;
              if (violations.length > 0)
                failures.push(`${name}/${policy} ${site}#${nth} ${mode}: ${violations.join('; ')}`);
            }
          }
        }
      }
    }
    console.log(
      `group fault injection: ${cases} cases over ${sites.size} call sites × ${FAULT_MODES.length} fault modes × ` +
        `${Object.keys(NIGHTS).length} nights × ${POLICIES.length} policies; ${failures.length} violations`,
    );
    expect(failures.slice(0, 20)).toEqual([]);
    expect(sites.size).toBe(CALL_SITES.length);
  }, 900_000);
});
