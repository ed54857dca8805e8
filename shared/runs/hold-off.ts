// Giving the schedule back after a hold-off. With RuleAfterFailure=keep-disabled a failed run leaves the rule
// disabled and records a hold-off, so no one mistakes it for a rule disabled by hand. It ends in one of two
// ways: a successful run's release, or a person's `dms-scheduler resume`. Both go through the functions here,
// in the same order: the rule on first, then the hold-off cleared from the record. A crash in between leaves
// a hold-off on an enabled rule, which the task-starter already treats as stale; the other order could leave
// a disabled rule that no record explains and no run would ever enable.
import type { RuleState, ScheduleRule } from '../schedule/rule.ts';
import { activeRun, type TaskRecord } from './run.ts';
import { ChangeRefused, type RunStore, UNCHANGED, updateRecord } from './store.ts';

/** The schedule rule back on (no call when it already is). */
export async function enableScheduleRule(rule: ScheduleRule): Promise<void> {
  await rule.enable();
}

/** The record without its hold-off: written once the rule is on again. */
export function withoutHoldOff(record: TaskRecord): TaskRecord {
  const { holdOff: _cleared, ...rest } = record;
  return rest;
}

export type ResumeRefusal =
  | { readonly refused: 'run-active'; readonly runId: string; readonly phase: string }
  | { readonly refused: 'no-hold-off'; readonly ruleState: RuleState };

export type ResumeResult =
  | ResumeRefusal
  | {
      readonly refused: false;
      readonly holdOff: NonNullable<TaskRecord['holdOff']>;
      readonly ruleBefore: RuleState;
    };

/**
 * Ends a hold-off by hand: refused while a run is active (its release decides the rule) and when no hold-off
 * is recorded (a rule that is off without one was switched off by a person, and is theirs to switch on).
 */
export async function resumeHeldOffSchedule(
  deps: { readonly store: RunStore; readonly rule: ScheduleRule },
  taskArn: string,
): Promise<ResumeResult> {
  const { record } = await deps.store.load(taskArn);
  const active = activeRun(record);
  if (active) return { refused: 'run-active', runId: active.id, phase: active.phase };
  const ruleBefore = await deps.rule.state();
  const holdOff = record?.holdOff;
  if (holdOff === undefined) return { refused: 'no-hold-off', ruleState: ruleBefore };
  await enableScheduleRule(deps.rule);
  await updateRecord(deps.store, taskArn, (current) => {
    if (current?.holdOff === undefined) return UNCHANGED;
    // A newer failure's hold-off is that run's to explain: only the one this resume ended is cleared.
    if (current.holdOff.runId !== holdOff.runId) {
      throw new ChangeRefused(`run ${current.holdOff.runId} now holds the rule off`);
    }
    return withoutHoldOff(current);
  });
  return { refused: false, holdOff, ruleBefore };
}
