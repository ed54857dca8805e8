// Why this file exists: `dms-scheduler history` on the command line: its options (read before any AWS call,
// so a malformed one is a usage error), help and examples, and the run ledger's adapter handed to
// readHistory. The report and its table are history.ts.
import type { Command } from 'commander';
import { DynamoDbRunStore } from '#shared/runs/dynamodb-store';
import { globalsOf, printerOf, withDeployment } from './context.ts';
import { EXIT_CODES_HELP } from './exit-codes.ts';
import { formatHistory, readHistory } from './history.ts';
import type { CliIo } from './output.ts';
import { LEDGER_KEEPS } from './status.ts';
import { parseCount, parseSince } from './time-text.ts';

const MAX_LIMIT = 1000;

const HELP = `
The ledger keeps ${LEDGER_KEEPS}: history shows at most that one run.

Examples:
  $ dms-scheduler history --stack dms-nightly
  $ dms-scheduler history --stack dms-nightly --since 7d --limit 10 --json

${EXIT_CODES_HELP}`;

export function addHistoryCommand(program: Command, io: CliIo): void {
  program
    .command('history')
    .description(
      'the runs the ledger keeps, newest first: start, start type, outcome, duration, hooks, rows masked, rule action',
    )
    .option('--since <when>', 'only runs started since: a span (30m, 12h, 7d, 2w) or a UTC date (2026-11-01)')
    .option('--limit <n>', `at most N runs (1 to ${MAX_LIMIT})`)
    .addHelpText('after', HELP)
    .action(async (options: { since?: string; limit?: string }, command: Command) => {
      const globals = globalsOf(command);
      const filter = {
        since: options.since === undefined ? undefined : parseSince(options.since, io.now()),
        limit: options.limit === undefined ? undefined : parseCount('--limit', options.limit, MAX_LIMIT),
      };
      await withDeployment(globals, async (clients, deployment) => {
        const store = new DynamoDbRunStore(clients.dynamoDb, deployment.runLedgerTable);
        const report = await readHistory(store, deployment.task, deployment.runLedgerTable, filter);
        const printer = printerOf(io, globals);
        if (globals.json) {
          printer.data(JSON.stringify(report, null, 2));
          return;
        }
        for (const line of formatHistory(report, printer.paint, io.now())) printer.data(line);
        if (report.runs.length === 0) printer.note('No run in the ledger matches.');
        printer.note(`Note: the run ledger keeps ${LEDGER_KEEPS}.`);
      });
    });
}
