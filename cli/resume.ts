// Why this file exists: `dms-scheduler resume` ends a failure policy's hold-off (RuleAfterFailure =
// keep-disabled) by hand, once the cause is fixed: the rule back on and the hold-off cleared, through the same
// function a successful run's release uses (shared/runs/hold-off.ts). Everything that is not a hold-off is
// refused with what the rule's state is and why it is not this command's to change. `--json`: ResumeReport.
import { resumeHeldOffSchedule } from '#shared/runs/hold-off';
import type { RunStore } from '#shared/runs/store';
import { ChangeRefused } from '#shared/runs/store';
import type { RuleState, ScheduleRule } from '#shared/schedule/rule';
import { askAws } from './aws.ts';
import type { Deployment } from './deployment.ts';
import { RefusedError } from './errors.ts';

export interface ResumeReport {
  readonly kind: 'resume';
  readonly version: 1;
  readonly rule: { readonly name: string; readonly stateBefore: RuleState; readonly state: 'ENABLED' };
  /** The hold-off this ended. */
  readonly holdOff: { readonly runId: string; readonly since: string };
}

export async function resumeSchedule(
  ports: { readonly store: RunStore; readonly rule: ScheduleRule | undefined },
  deployment: Deployment,
): Promise<ResumeReport> {
  const rule = ports.rule;
  if (rule === undefined || deployment.scheduleRule === undefined) {
    throw new RefusedError(
      `stack ${deployment.stack.name} runs one-time: it has no schedule rule to resume; start a run with dms-scheduler run`,
    );
  }
  const name = deployment.scheduleRule.name;
  const result = await askAws('resume (run ledger, EventBridge)', async () => {
    try {
      return await resumeHeldOffSchedule({ store: ports.store, rule }, deployment.task.arn);
    } catch (error) {
      if (error instanceof ChangeRefused) {
        throw new RefusedError(
          `the hold-off changed while resuming (${error.message}); see dms-scheduler status`,
        );
      }
      throw error;
    }
  });
  if (result.refused === 'run-active') {
    throw new RefusedError(
      `run ${result.runId} is active (${result.phase}): its release decides the schedule rule ${name}; nothing was changed`,
    );
  }
  if (result.refused === 'no-hold-off') {
    throw new RefusedError(
      result.ruleState === 'ENABLED'
        ? `the schedule rule ${name} is ENABLED and no hold-off is recorded: nothing to resume`
        : `the schedule rule ${name} is DISABLED, but not by RuleAfterFailure=keep-disabled (no hold-off is recorded): ` +
            `someone switched it off by hand, and it is theirs to switch on (aws events enable-rule --name ${name}); nothing was changed`,
    );
  }
  return {
    kind: 'resume',
    version: 1,
    rule: { name, stateBefore: result.ruleBefore, state: 'ENABLED' },
    holdOff: result.holdOff,
  };
}

export function formatResume(report: ResumeReport): string[] {
  return [
    `Schedule rule ${report.rule.name}: ${report.rule.stateBefore} → ENABLED`,
    `Hold-off after run ${report.holdOff.runId} (since ${report.holdOff.since}) cleared: the next scheduled run will start`,
  ];
}
