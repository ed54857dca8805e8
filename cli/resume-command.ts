// Why this file exists: `dms-scheduler resume` on the command line: help and examples, and the real adapters
// (the DynamoDB run ledger, the EventBridge rule) handed to resumeSchedule (resume.ts).
import type { Command } from 'commander';
import { DynamoDbRunStore } from '#shared/runs/dynamodb-store';
import { EventBridgeScheduleRule } from '#shared/schedule/eventbridge-rule';
import { globalsOf, printerOf, withDeployment } from './context.ts';
import { EXIT_CODES_HELP } from './exit-codes.ts';
import type { CliIo } from './output.ts';
import { formatResume, resumeSchedule } from './resume.ts';

const HELP = `
Enables the schedule rule that RuleAfterFailure=keep-disabled holds off after a failed run, and clears the
hold-off, as a successful run's release does. Refused (exit 4) while a run is active, when no hold-off is
recorded (the rule is on, or a person switched it off), and for a one-time stack (it has no rule).

Examples:
  $ dms-scheduler resume --stack dms-nightly
  $ dms-scheduler resume --stack dms-nightly --json | jq .rule

${EXIT_CODES_HELP}`;

export function addResumeCommand(program: Command, io: CliIo): void {
  program
    .command('resume')
    .description('enable the schedule rule a failed run keeps disabled (RuleAfterFailure keep-disabled)')
    .addHelpText('after', HELP)
    .action(async (_options: object, command: Command) => {
      const globals = globalsOf(command);
      await withDeployment(globals, async (clients, deployment) => {
        const report = await resumeSchedule(
          {
            store: new DynamoDbRunStore(clients.dynamoDb, deployment.runLedgerTable),
            rule: deployment.scheduleRule
              ? new EventBridgeScheduleRule(clients.eventBridge, deployment.scheduleRule.name)
              : undefined,
          },
          deployment,
        );
        const printer = printerOf(io, globals);
        if (globals.json) printer.data(JSON.stringify(report, null, 2));
        else for (const line of formatResume(report)) printer.data(line);
      });
    });
}
