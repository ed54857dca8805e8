// Why this file exists: `dms-scheduler status` on the command line: its help and examples, and the wiring
// of the real adapters (DMS, EventBridge, the DynamoDB run ledger) to readStatus. The reading is status.ts,
// the text status-format.ts.
import type { Command } from 'commander';
import { taskControlFor } from '#shared/dms/controls';
import { DynamoDbRunStore } from '#shared/runs/dynamodb-store';
import { EventBridgeScheduleRule } from '#shared/schedule/eventbridge-rule';
import { globalsOf, printerOf, withDeployment } from './context.ts';
import { dmsArnOf } from './deployment.ts';
import { EXIT_CODES_HELP } from './exit-codes.ts';
import type { CliIo } from './output.ts';
import { readStatus } from './status.ts';
import { formatStatus } from './status-format.ts';

const HELP = `
For a run group (a stack whose ReplicationTaskArn lists several tasks): the group, then each task as DMS
reports it and where it stands in the active or last run; --json adds "group" and "members".

Examples:
  $ dms-scheduler status --stack dms-nightly
  $ dms-scheduler status --stack dms-nightly --json | jq .task.status

${EXIT_CODES_HELP}`;

export function addStatusCommand(program: Command, io: CliIo): void {
  program
    .command('status')
    .description('the task in DMS, the schedule rule, the lock and the active or last run from the ledger')
    .addHelpText('after', HELP)
    .action(async (_options: object, command: Command) => {
      const globals = globalsOf(command);
      await withDeployment(globals, async (clients, deployment) => {
        const report = await readStatus(
          {
            tasks: taskControlFor(clients.dms, dmsArnOf(deployment)),
            rule: deployment.scheduleRule
              ? new EventBridgeScheduleRule(clients.eventBridge, deployment.scheduleRule.name)
              : undefined,
            store: new DynamoDbRunStore(clients.dynamoDb, deployment.runLedgerTable),
          },
          deployment,
        );
        const printer = printerOf(io, globals);
        if (globals.json) printer.data(JSON.stringify(report, null, 2));
        else for (const line of formatStatus(report, printer.paint, io.now())) printer.data(line);
      });
    });
}
