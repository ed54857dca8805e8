// Why this file exists: `dms-scheduler import` on the command line. Everything that can be checked without
// AWS is checked first (the folder, the overrides: exit 2); then the target account is read, the plan is made
// and printed; `--plan` stops there; conflicts or a missing password refuse (exit 4) before any change; a
// real import carries out the same plan, then, with `--start`, tests connections and starts the tasks.
import type { Command } from 'commander';
import { readAccount } from '#shared/definitions/account';
import { applyPlan, missingPasswords } from '#shared/definitions/apply';
import { desiredState } from '#shared/definitions/desired-state';
import { DmsAccount } from '#shared/definitions/dms-account';
import { readDefinitions } from '#shared/definitions/folder';
import { DefinitionsError, passwordVariable } from '#shared/definitions/model';
import { readOverrides } from '#shared/definitions/overrides';
import { changesSomething, plan as makePlan, type PlanItem } from '#shared/definitions/plan';
import { type StartOutcome, testAndStart } from '#shared/definitions/start';
import { DmsTaskControl } from '#shared/dms/dms-task-control';
import { globalsOf, printerOf } from '../context.ts';
import { RefusedError, UsageError } from '../errors.ts';
import { EXIT, EXIT_CODES_HELP } from '../exit-codes.ts';
import type { CliIo } from '../output.ts';
import { checkSideOptions, dmsSide, guarded, type SideOptions } from './account-clients.ts';
import { formatPlan, planJson, summary } from './plan-format.ts';

const HELP = `
Makes the target account match the folder: creates what is missing, updates what differs, and leaves
what matches alone (a second import of the same folder changes nothing). Everything it creates carries
the tag dms-scheduler:import-env=NAME; a resource of the same name without it is never taken over.
--prune also deletes what an earlier import for NAME created and the folder no longer has, and nothing else.
Passwords: an endpoint exported with a placeholder is created with DMS_SCHEDULER_PASSWORD_<ENDPOINT>
from the environment (e.g. DMS_SCHEDULER_PASSWORD_ORDERS_SOURCE), or give it a secretArn in the overrides.

Examples:
  $ dms-scheduler --profile staging import --dir definitions/ --env staging --overrides overrides.yaml --plan
  $ dms-scheduler --profile staging import --dir definitions/ --env staging --overrides overrides.yaml --start
  $ dms-scheduler import --dir definitions/ --env prod --role-arn arn:aws:iam::222222222222:role/dms-promoter --prune

${EXIT_CODES_HELP}`;

interface ImportOptions extends SideOptions {
  readonly dir?: string;
  readonly env?: string;
  readonly overrides?: string;
  readonly plan?: boolean;
  readonly start?: boolean;
  readonly prune?: boolean;
}

const DONE: Record<PlanItem['action'], string> = {
  create: 'created',
  update: 'updated',
  replace: 'replaced',
  delete: 'deleted',
  'no-op': 'unchanged',
};

const ENV_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

export function addImportCommand(program: Command, io: CliIo, setExitCode: (code: number) => void): void {
  program
    .command('import')
    .description(
      'create or update endpoints, replication instances and tasks so that the account matches a folder',
    )
    .option('--dir <dir>', 'the definitions folder (from export)')
    .option('--env <name>', 'the environment: picks its overrides and names what this import owns')
    .option(
      '--overrides <file>',
      'per-environment overrides (JSON or YAML): hosts, secret ARNs, instance class...',
    )
    .option('--plan', 'print the changes and make none')
    .option('--prune', 'also delete what an earlier import for --env created that the folder no longer has')
    .option('--start', 'after the import, test every connection and start the tasks only if all succeed')
    .option(
      '--role-arn <arn>',
      'assume this IAM role (STS) in the target account, from --profile or the default chain',
    )
    .option('--external-id <id>', 'the external id the role of --role-arn requires')
    .addHelpText('after', HELP)
    .action(async (options: ImportOptions, command: Command) => {
      const globals = globalsOf(command);
      if (options.dir === undefined) throw new UsageError('--dir DIR is required: the definitions folder');
      if (options.env === undefined || !ENV_NAME.test(options.env)) {
        throw new UsageError(
          '--env NAME is required: letters, digits, ".", "_" or "-" (it is the value of the import tag)',
        );
      }
      if (options.plan && options.start)
        throw new UsageError('--plan makes no change, so it cannot --start: give one');
      checkSideOptions(options);
      const env = options.env;
      const desired = asUsage(() => {
        const definitions = readDefinitions(options.dir as string);
        return desiredState(definitions, env, readOverrides(options.overrides, env, definitions));
      });
      const printer = printerOf(io, globals);
      const side = dmsSide(globals, options);
      try {
        const account = guarded(new DmsAccount(side.dms));
        const actual = await readAccount(account);
        const plan = makePlan(desired, actual, { prune: options.prune === true });
        if (!globals.json) for (const line of formatPlan(plan, printer.paint)) printer.data(line);
        const json = (extra: object) => {
          if (!globals.json) return;
          const document = { kind: 'import', version: 1, dryRun: options.plan === true, ...extra };
          printer.data(JSON.stringify(document, null, 2));
        };
        if (plan.conflicts.length > 0) {
          json({ ...planJson(plan), applied: false, start: null });
          throw new RefusedError(
            `the import for ${env} is refused: ${plan.conflicts.map((c) => `${c.kind} ${c.id}: ${c.reason}`).join('; ')}; nothing was changed`,
          );
        }
        const passwordOf = (folderId: string) => io.env[passwordVariable(folderId)] || undefined;
        const missing = missingPasswords(plan, desired, passwordOf);
        if (options.plan) {
          for (const line of missing) printer.note(`warning: before a real import, ${line}`);
          json({ ...planJson(plan), applied: false, start: null });
          return;
        }
        if (missing.length > 0) {
          json({ ...planJson(plan), applied: false, start: null });
          throw new RefusedError(
            `the import for ${env} needs passwords it does not have (nothing was changed): ${missing.join('; ')}`,
          );
        }
        const arnOf = await applyPlan(plan, desired, actual, account, passwordOf, ({ item }) => {
          if (changesSomething(item)) printer.note(`${DONE[item.action]} ${item.kind} ${item.id}`);
        });
        if (!globals.json)
          printer.note(
            plan.items.some(changesSomething)
              ? `Done: ${summary(plan, true)}`
              : 'Nothing to change: the account already matches the folder.',
          );
        let start: StartOutcome | null = null;
        if (options.start) {
          start = await testAndStart(
            desired,
            arnOf,
            account,
            guarded(new DmsTaskControl(side.dms)),
            printer.note,
          );
          if (start.connections.some((check) => !check.ok)) {
            printer.note('No task was started: a connection test failed (see above).');
            setExitCode(EXIT.failed);
          } else if (start.notStarted.length > 0) {
            printer.note(
              `${start.notStarted.length} task(s) could not be started (see above); the others were.`,
            );
            setExitCode(EXIT.failed);
          }
        }
        json({ ...planJson(plan, arnOf), applied: true, start });
      } finally {
        side.destroy();
      }
    });
}

/** Folder and overrides problems are the command line's to fix: exit 2, every problem listed. */
function asUsage<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof DefinitionsError) throw new UsageError(error.message, { cause: error });
    throw error;
  }
}
