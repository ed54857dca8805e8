// Why this file exists: `dms-scheduler history` on the command line: its options (read before any AWS call,
// so a malformed one is a usage error), help and examples, and the run ledger's adapters handed to
// readHistory. The report and its table are history.ts; `printHistory` is what both this command and
// `npm run local` print.
import type { Command } from 'commander';
import { DynamoDbRunHistory } from '#shared/runs/dynamodb-history';
import { DynamoDbRunStore } from '#shared/runs/dynamodb-store';
import { HISTORY_RETENTION_DAYS } from '#shared/runs/history';
import { globalsOf, printerOf, withDeployment } from './context.ts';
import { EXIT_CODES_HELP } from './exit-codes.ts';
import {
  DEFAULT_HISTORY_DAYS,
  DEFAULT_HISTORY_LIMIT,
  defaultHistoryFilter,
  formatHistory,
  type HistoryFilter,
  type HistoryReport,
  historyNotes,
  readHistory,
} from './history.ts';
import type { CliIo, Printer } from './output.ts';
import { parseCount, parseSince } from './time-text.ts';

const MAX_LIMIT = 1000;

const HELP = `
The active run comes first, then the released runs, newest first. Each released run is kept
${HISTORY_RETENTION_DAYS} days after the UTC day it began. Without options: the last ${DEFAULT_HISTORY_DAYS} days, at most ${DEFAULT_HISTORY_LIMIT} runs.
For a run group, the group's runs, with a TASKS column (how many of its tasks succeeded).

Examples:
  $ dms-scheduler history --stack dms-nightly
  $ dms-scheduler history --stack dms-nightly --since 30d --limit 50
  $ dms-scheduler history --stack dms-nightly --since 2026-11-01 --json

${EXIT_CODES_HELP}`;

export function addHistoryCommand(program: Command, io: CliIo): void {
  program
    .command('history')
    .description(
      'the runs of the task, newest first: start, start type, trigger, outcome, duration, hooks, rows masked, rule action',
    )
    .option(
      '--since <when>',
      `only runs started since: a span (12h, 7d) or a UTC date (2026-11-01) (default: ${DEFAULT_HISTORY_DAYS}d)`,
    )
    .option('--limit <n>', `at most N runs, 1 to ${MAX_LIMIT} (default: ${DEFAULT_HISTORY_LIMIT})`)
    .addHelpText('after', HELP)
    .action(async (options: { since?: string; limit?: string }, command: Command) => {
      const globals = globalsOf(command);
      const now = io.now();
      const defaults = defaultHistoryFilter(now);
      const filter: HistoryFilter = {
        since: options.since === undefined ? defaults.since : parseSince(options.since, now),
        limit: options.limit === undefined ? defaults.limit : parseCount('--limit', options.limit, MAX_LIMIT),
      };
      await withDeployment(globals, async (clients, deployment) => {
        const table = deployment.runLedgerTable;
        const ports = {
          store: new DynamoDbRunStore(clients.dynamoDb, table),
          history: new DynamoDbRunHistory(clients.dynamoDb, table),
        };
        const subject = {
          arn: deployment.task.arn,
          group: deployment.group && { name: deployment.group.name, tasks: deployment.members.length },
        };
        const report = await readHistory(ports, subject, table, filter, now);
        const printer = printerOf(io, globals);
        if (globals.json) printer.data(JSON.stringify(report, null, 2));
        else printHistory(report, printer, now);
      });
    });
}

/** The table on stdout, and its notes on stderr. */
export function printHistory(report: HistoryReport, printer: Printer, now: Date): void {
  for (const line of formatHistory(report, printer.paint, now)) printer.data(line);
  for (const note of historyNotes(report)) printer.note(note);
}
