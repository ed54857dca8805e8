// Why this file exists: the plan as a person reads it (one line per resource, a sign for what happens to it,
// the fields that differ, a summary), and as the `--json` document scripts read. `--plan` and a real import
// print it the same way, before anything is changed.
import type { Conflict, Plan, PlanItem } from '#shared/definitions/plan';
import type { Paint } from '../output.ts';

const SIGN: Record<PlanItem['action'], string> = {
  create: '+',
  update: '~',
  replace: '±',
  delete: '-',
  'no-op': '=',
};

export function formatPlan(plan: Plan, paint: Paint): string[] {
  const width = Math.max(0, ...plan.items.map((item) => item.kind.length));
  const lines = [`Plan for environment ${plan.env}:`];
  for (const item of plan.items) {
    const changes = 'changes' in item && item.changes.length > 0 ? ` (${item.changes.join(', ')})` : '';
    const text = `  ${SIGN[item.action]} ${item.action.padEnd(7)} ${item.kind.padEnd(width)}  ${item.id}${changes}`;
    lines.push(item.action === 'delete' ? paint.bad(text) : item.action === 'no-op' ? paint.dim(text) : text);
  }
  for (const conflict of plan.conflicts)
    lines.push(paint.bad(`  ! refused ${conflict.kind} ${conflict.id}: ${conflict.reason}`));
  lines.push(summary(plan));
  return lines;
}

/** "2 to create, ..." for a plan; "2 created, ..." once it was carried out. */
export function summary(plan: Plan, done = false): string {
  const count = (action: PlanItem['action']) => plan.items.filter((item) => item.action === action).length;
  const text = done
    ? `${count('create')} created, ${count('update')} updated, ${count('replace')} replaced, ${count('delete')} deleted, ${count('no-op')} unchanged`
    : `${count('create')} to create, ${count('update')} to update, ${count('replace')} to replace, ${count('delete')} to delete, ${count('no-op')} unchanged`;
  return plan.conflicts.length > 0 ? `${text}; ${plan.conflicts.length} refused.` : `${text}.`;
}

export interface PlanJson {
  readonly env: string;
  readonly items: readonly {
    action: string;
    kind: string;
    id: string;
    arn: string | null;
    changes: readonly string[];
  }[];
  readonly conflicts: readonly Conflict[];
}

export function planJson(plan: Plan, arnOf?: ReadonlyMap<string, string>): PlanJson {
  return {
    env: plan.env,
    items: plan.items.map((item) => ({
      action: item.action,
      kind: item.kind,
      id: item.id,
      arn: arnOf?.get(item.id) ?? ('arn' in item ? item.arn : null),
      changes: 'changes' in item ? item.changes : [],
    })),
    conflicts: plan.conflicts,
  };
}
