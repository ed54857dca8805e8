// The schedule rule is the schedule's on/off switch: a run disables it so the next trigger does not fire
// while it is active, and gives it back when it is released. It is not the mutex (DisableRule on a disabled
// rule succeeds, and two deliveries of one scheduled event can both "disable" it): the lock is the run
// ledger's conditional write. Reading the state first is what lets a run tell "I disabled it" from "a person
// did", so a rule disabled by hand is never enabled by a run.

export type RuleState = 'ENABLED' | 'DISABLED';

export interface ScheduleRule {
  readonly name: string;
  /** Any enabled variant counts as ENABLED; only DISABLED means the schedule will not fire. */
  state(): Promise<RuleState>;
  /** Disables the rule (no call when it already is). */
  disable(): Promise<void>;
  /** Enables the rule (no call when it already is). */
  enable(): Promise<void>;
}
