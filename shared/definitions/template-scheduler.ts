// Why this file exists: `generate --with-scheduler` nests, per task, this project's stack (template.yaml) as
// an AWS::Serverless::Application wired to the task it schedules. Its parameters are the ones template.yaml
// requires, with defaults from the task's migration type; the template test checks them against it.
import type { TaskDefinition } from './model.ts';
import { type Json, prefixed } from './template-parts.ts';

/**
 * The scheduler of one task, as a nested application rather than a samconfig.toml environment per task:
 * the scheduler needs the task's ARN, which ends in an internal resource id DMS assigns at creation, so
 * only a reference inside the same deployment (`Ref` of the task) can give it; a samconfig environment
 * would need a second edit and deploy after the tasks exist. Nested, one `sam deploy` creates the tasks and
 * their schedulers, in order, and deleting the stack removes both.
 */
export function schedulerApplication(
  id: string,
  name: string,
  task: TaskDefinition,
  location: string,
  parameters: Record<string, Json>,
): Json {
  const fullLoad = task.migrationType === 'full-load';
  parameters[`${name}SchedulerNamePrefix`] = {
    Type: 'String',
    Default: schedulerPrefix(id),
    AllowedPattern: '^[a-z][a-z0-9-]{0,30}[a-z0-9]$',
    Description: `NamePrefix of the scheduler stack of task ${id} (2-32 lowercase letters, digits, hyphens).`,
  };
  parameters[`${name}RefreshIndicator`] = {
    Type: 'String',
    Default: fullLoad ? 'data-refresh' : 'data-migration',
    AllowedValues: ['data-refresh', 'data-migration'],
    Description: `MigrationRefreshIndicator of the scheduler of task ${id}.`,
  };
  parameters[`${name}ScheduleOrOneTime`] = {
    Type: 'String',
    Default: fullLoad ? 'schedule' : 'one-time',
    AllowedValues: ['schedule', 'one-time'],
    Description: `Whether task ${id} runs on a schedule (full-load only) or once, started by hand.`,
  };
  parameters[`${name}ScheduleExpression`] = {
    Type: 'String',
    Default: 'cron(0 0 * * ? *)',
    AllowedPattern: '^(cron|rate)\\(.+\\)$',
    Description: `When the schedule of task ${id} fires (UTC).`,
  };
  return {
    Type: 'AWS::Serverless::Application',
    Properties: {
      Location: location,
      Parameters: {
        NamePrefix: { Ref: `${name}SchedulerNamePrefix` },
        ReplicationTaskArn: { Ref: name },
        ReplicationTaskIdentifier: prefixed(id),
        MigrationRefreshIndicator: { Ref: `${name}RefreshIndicator` },
        MigrationRefreshType: task.migrationType,
        ScheduleOrOneTime: { Ref: `${name}ScheduleOrOneTime` },
        ScheduleExpression: { Ref: `${name}ScheduleExpression` },
      },
    },
  };
}

/** A default scheduler NamePrefix from the task's identifier: lowercase, at most 32 characters. */
export function schedulerPrefix(id: string): string {
  const cleaned = id
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .replace(/-+/g, '-');
  const cut = cleaned.slice(0, 32).replace(/-+$/, '');
  return /^[a-z]/.test(cut) && cut.length >= 2 ? cut : `t-${cut}`.slice(0, 32).replace(/-+$/, '');
}
