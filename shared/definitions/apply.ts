// Why this file exists: a real import carries out the plan's items, in the plan's order, over the DmsWriter
// port, and nothing else: `--plan` prints the same items and calls nothing. Before the first change it checks
// that every endpoint it must create with a password has one (read from the environment, never a file),
// so a missing password refuses the import instead of leaving it half done.
import type { AccountState } from './account.ts';
import type { DesiredState } from './desired-state.ts';
import { passwordVariable } from './model.ts';
import type { Plan, PlanItem } from './plan.ts';
import type { DmsWriter } from './ports.ts';
import {
  createEndpointRequest,
  createInstanceRequest,
  createTaskRequest,
  modifyEndpointRequest,
  modifyInstanceRequest,
  modifyTaskRequest,
} from './requests.ts';

/** Reads an endpoint's password by the folder's identifier (the CLI: from DMS_SCHEDULER_PASSWORD_<ID>). */
export type PasswordOf = (folderId: string) => string | undefined;

/** The endpoints the plan creates with a password it does not have, each with the variable that would give it. */
export function missingPasswords(plan: Plan, desired: DesiredState, passwordOf: PasswordOf): string[] {
  return plan.items.flatMap((item) => {
    if (item.action !== 'create' || item.kind !== 'endpoint' || item.desired.auth.kind !== 'password')
      return [];
    const folderId = desired.folderIdOf.get(item.id) ?? item.id;
    return passwordOf(folderId) === undefined
      ? [`endpoint ${item.id}: set ${passwordVariable(folderId)}, or give it a secretArn in the overrides`]
      : [];
  });
}

export interface AppliedItem {
  readonly item: PlanItem;
  /** The resource's ARN after the item (undefined once deleted). */
  readonly arn?: string;
}

export async function applyPlan(
  plan: Plan,
  desired: DesiredState,
  actual: AccountState,
  writer: DmsWriter,
  passwordOf: PasswordOf,
  progress: (applied: AppliedItem) => void,
): Promise<Map<string, string>> {
  const arnOf = new Map<string, string>();
  for (const [id, existing] of [...actual.endpoints, ...actual.replicationInstances, ...actual.tasks])
    arnOf.set(id, existing.arn);
  const need = (id: string) => {
    const arn = arnOf.get(id);
    if (arn === undefined) throw new Error(`no ARN for ${id}: the plan's order was broken`);
    return arn;
  };
  const createTask = async (
    id: string,
    item: Extract<PlanItem, { kind: 'task'; action: 'create' | 'replace' }>,
  ) => {
    const task = item.desired;
    const arns = {
      sourceEndpointArn: need(task.sourceEndpoint),
      targetEndpointArn: need(task.targetEndpoint),
      replicationInstanceArn: need(task.replicationInstance),
    };
    arnOf.set(id, await writer.createTask(createTaskRequest(id, task, arns, plan.env)));
  };
  for (const item of plan.items) {
    switch (item.action) {
      case 'no-op':
        break;
      case 'create':
        if (item.kind === 'endpoint') {
          const password =
            item.desired.auth.kind === 'password'
              ? passwordOf(desired.folderIdOf.get(item.id) ?? item.id)
              : undefined;
          arnOf.set(
            item.id,
            await writer.createEndpoint(createEndpointRequest(item.id, item.desired, plan.env, password)),
          );
        } else if (item.kind === 'replication-instance') {
          arnOf.set(
            item.id,
            await writer.createReplicationInstance(createInstanceRequest(item.id, item.desired, plan.env)),
          );
        } else await createTask(item.id, item);
        break;
      case 'update':
        if (item.kind === 'endpoint')
          await writer.modifyEndpoint(modifyEndpointRequest(item.arn, item.desired));
        else if (item.kind === 'replication-instance')
          await writer.modifyReplicationInstance(modifyInstanceRequest(item.arn, item.desired));
        else await writer.modifyTask(modifyTaskRequest(item.arn, item.desired));
        break;
      case 'replace':
        await writer.deleteTask(item.arn);
        await createTask(item.id, item);
        break;
      case 'delete':
        if (item.kind === 'task') await writer.deleteTask(item.arn);
        else if (item.kind === 'endpoint') await writer.deleteEndpoint(item.arn);
        else await writer.deleteReplicationInstance(item.arn);
        arnOf.delete(item.id);
        break;
    }
    const arn = arnOf.get(item.id);
    progress({ item, ...(arn !== undefined && { arn }) });
  }
  return arnOf;
}
