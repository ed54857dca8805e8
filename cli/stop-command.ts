// Why this file exists: `dms-scheduler stop` on the command line: help and examples, and the real adapters
// (DMS as TaskControl and TaskStopper, the DynamoDB run ledger) handed to stopTask (stop.ts).
import type { Command } from 'commander';
import { taskOperatorFor } from '#shared/dms/controls';
import { DynamoDbRunStore } from '#shared/runs/dynamodb-store';
import { globalsOf, printerOf, withDeployment } from './context.ts';
import { dmsArnOf } from './deployment.ts';
import { EXIT_CODES_HELP } from './exit-codes.ts';
import type { CliIo } from './output.ts';
import { formatGroupStop, formatStop, groupStopError, stopTask } from './stop.ts';

const HELP = `
Stops the task (DMS StopReplicationTask) and records on the active run that a person stopped it, before DMS
is asked: the post-processor then reports the run as stopped by a person through dms-scheduler stop, in its
outcome and its alert, and the schedule rule follows the failure policy. Refused (exit 4) unless the task is
running or starting. For a run group: every task of it that is running or starting is stopped (its queued
tasks are then not started); exit 4 if DMS refused one that is still running, 3 if it did not answer for one,
after the others were stopped and the report printed.

Examples:
  $ dms-scheduler stop --stack dms-nightly
  $ dms-scheduler stop --stack dms-nightly --json && dms-scheduler wait --stack dms-nightly

${EXIT_CODES_HELP}`;

export function addStopCommand(program: Command, io: CliIo): void {
  program
    .command('stop')
    .description('stop the running task; the run records that a person stopped it')
    .addHelpText('after', HELP)
    .action(async (_options: object, command: Command) => {
      const globals = globalsOf(command);
      await withDeployment(globals, async (clients, deployment) => {
        const dms = taskOperatorFor(clients.dms, dmsArnOf(deployment));
        const report = await stopTask(
          {
            tasks: dms,
            stopper: dms,
            store: new DynamoDbRunStore(clients.dynamoDb, deployment.runLedgerTable),
          },
          deployment,
          { at: io.now() },
        );
        const printer = printerOf(io, globals);
        if (globals.json) printer.data(JSON.stringify(report, null, 2));
        else if (report.task === null) {
          for (const line of formatGroupStop(report, deployment.stack.name)) printer.data(line);
        } else for (const line of formatStop(report, deployment.stack.name)) printer.data(line);
        // A group's stop that DMS refused, or did not answer, for one task: said once its report is out.
        const problem = report.task === null ? groupStopError(report) : undefined;
        if (problem) throw problem;
      });
    });
}
