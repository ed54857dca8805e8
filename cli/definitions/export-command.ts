// Why this file exists: `dms-scheduler export` on the command line: its options (checked before any call),
// help, and the wiring of the DMS adapter to exportDefinitions; the folder is written only once everything
// was read, and warnings (a placeholder where a password was, what was left out) go to stderr.
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { DmsAccount } from '#shared/definitions/dms-account';
import { exportDefinitions, type Selection, SelectionError } from '#shared/definitions/export';
import { readDefinitions, writeDefinitions } from '#shared/definitions/folder';
import { DefinitionsError, describeProblem, type Problem } from '#shared/definitions/model';
import { globalsOf, printerOf } from '../context.ts';
import { RefusedError, UsageError } from '../errors.ts';
import { EXIT_CODES_HELP } from '../exit-codes.ts';
import type { CliIo } from '../output.ts';
import { checkSideOptions, dmsSide, guarded, type SideOptions } from './account-clients.ts';

const HELP = `
Writes, for each task, tm-<task>.json (table mappings) and rts-<task>.json (task settings), and one
manifest.json describing the endpoints and replication instances they use. ARNs, timestamps, statuses, KMS
keys, security groups and the CloudWatch log group and stream are left out; no password is ever written
(a Secrets Manager reference is kept; an inline password becomes a placeholder, with a warning).

Examples:
  $ dms-scheduler --profile dev export --tag team=orders --out definitions/
  $ dms-scheduler export --task orders-full-load --task orders-cdc --out definitions/ --strip-prefix dev-
  $ dms-scheduler --profile ops export --role-arn arn:aws:iam::111111111111:role/dms-reader --tag promote=yes --out definitions/

${EXIT_CODES_HELP}`;

interface ExportOptions extends SideOptions {
  readonly tag: string[];
  readonly task: string[];
  readonly out?: string;
  readonly stripPrefix?: string;
}

/** `--tag a=b c=d` and `--tag a=b --tag c=d` alike. */
const collect = (value: string, previous: string[]) => [...previous, value];

export function addExportCommand(program: Command, io: CliIo): void {
  program
    .command('export')
    .description(
      'write DMS tasks (chosen by tag or identifier), their endpoints and instance to a definitions folder',
    )
    .option(
      '--tag <key=value...>',
      'export the tasks with these tags (all must match; repeatable)',
      collect,
      [],
    )
    .option('--task <id...>', 'export these tasks (repeatable)', collect, [])
    .option('--out <dir>', 'the folder to write (created if missing)')
    .option('--strip-prefix <prefix>', "remove this environment's name prefix from every identifier")
    .option(
      '--role-arn <arn>',
      'assume this IAM role (STS) in the source account, from --profile or the default chain',
    )
    .option('--external-id <id>', 'the external id the role of --role-arn requires')
    .addHelpText('after', HELP)
    .action(async (options: ExportOptions, command: Command) => {
      const globals = globalsOf(command);
      const selection = selectionOf(options);
      if (options.out === undefined) throw new UsageError('--out DIR is required: the folder to write');
      const out = options.out;
      checkSideOptions(options);
      const side = dmsSide(globals, options);
      try {
        const reader = guarded(new DmsAccount(side.dms));
        const result = await exportDefinitions(reader, selection, {
          ...(options.stripPrefix !== undefined && { stripPrefix: options.stripPrefix }),
        }).catch((error: unknown) => {
          if (error instanceof SelectionError)
            throw new RefusedError(`${error.message}; nothing was written`);
          throw error;
        });
        const written = writeDefinitions(out, result.definitions);
        const stale = removeStaleTaskFiles(out, written);
        const printer = printerOf(io, globals);
        for (const warning of result.warnings) printer.note(`warning: ${warning}`);
        // What DMS answered is checked as import will check it, so a key these rules do not know yet is
        // seen now, with its file and path, rather than at the import.
        for (const problem of problemsOf(out)) {
          printer.note(`warning: import will refuse ${describeProblem(problem)} until it is fixed`);
        }
        for (const file of stale) printer.note(`removed ${join(out, file)} (its task is no longer exported)`);
        if (globals.json) {
          printer.data(
            JSON.stringify(
              {
                kind: 'export',
                version: 1,
                dir: out,
                tasks: Object.keys(result.definitions.tasks),
                endpoints: Object.keys(result.definitions.endpoints),
                replicationInstances: Object.keys(result.definitions.replicationInstances),
                files: written,
                warnings: result.warnings,
              },
              null,
              2,
            ),
          );
        } else {
          for (const file of written) printer.data(`wrote ${join(out, file)}`);
        }
      } finally {
        side.destroy();
      }
    });
}

function selectionOf(options: ExportOptions): Selection {
  if (options.tag.length > 0 && options.task.length > 0)
    throw new UsageError('give --tag or --task, not both');
  if (options.task.length > 0) return { by: 'identifiers', identifiers: options.task };
  if (options.tag.length === 0)
    throw new UsageError('choose the tasks: --tag KEY=VALUE or --task ID (each repeatable)');
  const tags: Record<string, string> = {};
  for (const pair of options.tag) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`--tag ${pair}: expected KEY=VALUE`);
    tags[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return { by: 'tags', tags };
}

/** tm-/rts- files of tasks an earlier export wrote and this one did not: left, they would fail the import. */
function removeStaleTaskFiles(dir: string, written: readonly string[]): string[] {
  const stale = readdirSync(dir).filter(
    (file) => /^(tm|rts)-.+\.json$/.test(file) && !written.includes(file),
  );
  for (const file of stale) rmSync(join(dir, file));
  return stale;
}

function problemsOf(dir: string): readonly Problem[] {
  try {
    readDefinitions(dir);
    return [];
  } catch (error) {
    if (error instanceof DefinitionsError) return error.problems;
    throw error;
  }
}
