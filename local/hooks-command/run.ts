// Why this file exists: `npm run hooks -- run` runs a configuration's hooks against the team's own database the
// way the post-processor runs them after a load: the same registry builds them (shared/hooks/registry.ts), the
// same runner runs them in order, with the same failure rules, time budgets and one shared connection
// (shared/hooks/runner.ts). Only the surroundings are local: the target is the URL's database, the salt secret
// is MASKING_SALT, the run is a stand-in (no DMS load happened), and `lambda` hooks, which invoke a function in
// AWS, are skipped with a note. Per hook it prints the status and, for mask hooks, masking's own per-table report
// (counts and timings, never values). Exit 0 when every hook that ran succeeded, 1 otherwise.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { connectTarget } from '#shared/database/connect';
import type { TlsMode } from '#shared/database/postgres';
import type { HookEntry, HookSources, HooksConfig } from '#shared/hooks/config-file';
import type { HookJournal, HookReport, RunSummary } from '#shared/hooks/contract';
import { buildHooks } from '#shared/hooks/registry';
import { SequentialHookRunner } from '#shared/hooks/runner';
import type { Log } from '#shared/log';
import { loadMaskEngine } from '#shared/masking/load-engine';
import { type Secrets, SecretUnavailableError } from '#shared/secrets/secrets';
import { deterministicStrategies, hookLabel } from './check.ts';
import { closeQuietly, openDatabase } from './connection.ts';
import type { DatabaseTarget } from './database-url.ts';
import { EXIT_OK, EXIT_PROBLEMS, InputError } from './input-error.ts';
import type { Output } from './output.ts';

/** The secret ID the mask hooks read their salt under; locally it is MASKING_SALT. */
const LOCAL_SALT_ID = 'env:MASKING_SALT';

/** Lambda's longest invocation: locally, the hooks share the same 15 minutes as after a load. */
const LAMBDA_MAXIMUM_MS = 900_000;

/** A stand-in for the run the hooks would follow in AWS: no DMS task loaded anything. */
export const LOCAL_RUN: RunSummary = {
  runKey: 'local#npm-run-hooks',
  taskArn: 'arn:aws:dms:local:000000000000:task:LOCAL',
  taskIdentifier: 'local-hooks-command',
  mode: { indicator: 'data-refresh', migrationType: 'full-load', cadence: 'one-time' },
  outcome: { kind: 'succeeded', explanation: 'Run by npm run hooks on this machine (no DMS load)' },
  stats: undefined,
};

/**
 * Refuses, before the database is touched, a configuration whose mask hooks use deterministic strategies when
 * MASKING_SALT is unset: their pseudonyms derive from it, and pseudonyms of a made-up salt would match neither
 * the deployed stack's nor those of the next run.
 */
export function requireSalt(config: HooksConfig, env: Readonly<Record<string, string | undefined>>): void {
  if (env.MASKING_SALT) return;
  const salted = config.hooks
    .map((entry, index) => ({ label: hookLabel(index, entry), strategies: deterministicStrategies(entry) }))
    .filter((hook) => hook.strategies.length > 0);
  if (salted.length === 0) return;
  throw new InputError(
    `MASKING_SALT is not set, and ${salted.map((hook) => `${hook.label} uses ${hook.strategies.join(', ')}`).join('; ')}, whose pseudonyms derive from it: export MASKING_SALT (the value of the stack's masking salt secret, for the same pseudonyms) and run again; nothing was changed`,
  );
}

/** What mask.ts logs per masked table: counts and timings, never values. */
const maskedTableSchema = z.object({
  table: z.string(),
  truncated: z.boolean(),
  rowsChanged: z.record(z.string(), z.number()),
  verified: z.record(z.string(), z.object({ unchangedNonNull: z.number() })),
  durationMs: z.number(),
  lockMs: z.number(),
});
type MaskedTable = z.infer<typeof maskedTableSchema>;

/** One table of a mask hook's report. */
export function formatMaskedTable(table: MaskedTable): string {
  const timing = `locked ${Math.round(table.lockMs)} ms, took ${Math.round(table.durationMs)} ms`;
  if (table.truncated) return `    ${table.table}: truncated; ${timing}`;
  const columns = Object.keys(table.rowsChanged);
  const changed = columns.map((column) => `${column} ${table.rowsChanged[column]}`).join(', ');
  const left = columns
    .map((column) => `${column} ${table.verified[column]?.unchangedNonNull ?? 0}`)
    .join(', ');
  return `    ${table.table}: rows changed ${changed}; verified, still original: ${left}; ${timing}`;
}

/** One hook's outcome line. */
export function formatHookReport(label: string, report: HookReport): string {
  if (report.status === 'skipped') return `${label}: skipped (an earlier hook failed)`;
  const detail = report.status === 'succeeded' ? report.changed : report.error;
  return `${label}: ${report.status} in ${report.durationMs} ms${detail ? `: ${detail}` : ''}`;
}

function localSecrets(salt: string): Secrets {
  const unavailable = (secretId: string) =>
    new SecretUnavailableError(
      `Secret ${secretId} cannot be read locally (only the masking salt, MASKING_SALT)`,
    );
  return {
    getSecretString: async (secretId) => {
      if (secretId !== LOCAL_SALT_ID) throw unavailable(secretId);
      return salt;
    },
    getDatabaseSecret: async (secretId) => {
      throw unavailable(secretId);
    },
  };
}

export interface RunAction {
  readonly config: HooksConfig;
  readonly sources: HookSources;
  readonly target: DatabaseTarget;
  readonly tls: TlsMode;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly output: Output;
}

type LambdaEntry = Extract<HookEntry, { kind: 'lambda' }>;

/**
 * The configuration's hooks that run locally, built by the post-processor's registry, each with its label
 * (its position in the file); and a note for each `lambda` hook, by position, which is not run.
 */
function localHooks(config: HooksConfig, sources: HookSources) {
  const entries = config.hooks.map((entry, index) => ({ entry, index, label: hookLabel(index, entry) }));
  const local = entries.filter(({ entry }) => entry.kind !== 'lambda');
  const hooks = buildHooks(
    { version: config.version, hooks: local.map(({ entry }) => entry) },
    {
      ...sources,
      lambda: () => {
        throw new Error('lambda hooks are not run locally');
      },
      maskingSaltSecretArn: LOCAL_SALT_ID,
      maskEngine: loadMaskEngine,
    },
  );
  const notes = new Map(
    entries
      .filter(({ entry }) => entry.kind === 'lambda')
      .map(({ entry, index, label }) => [
        index,
        `${label}: not run locally (it invokes ${(entry as LambdaEntry).functionArn} in AWS)`,
      ]),
  );
  return { hooks, labels: local.map(({ index, label }) => ({ index, label })), notes };
}

/** A Log that keeps the per-table reports mask.ts logs, and passes warnings on; nothing else is printed. */
function maskReportLog(output: Output): Log & { readonly tables: MaskedTable[] } {
  const tables: MaskedTable[] = [];
  return {
    tables,
    debug: () => {},
    info: (message, attributes) => {
      const table = message === 'Masked table' ? maskedTableSchema.safeParse(attributes) : undefined;
      if (table?.success) tables.push(table.data);
    },
    warn: (message, attributes) =>
      output.err(
        `warning: ${message}${typeof attributes?.error === 'string' ? `: ${attributes.error}` : ''}`,
      ),
    // The runner's own error line repeats the hook's report, which the journal prints.
    error: () => {},
  };
}

export async function run(action: RunAction): Promise<number> {
  const { config, output, target, tls } = action;
  requireSalt(config, action.env);
  // Reachable before any hook starts: an unreachable database is bad input, with nothing changed.
  await closeQuietly(await openDatabase(target, tls));

  const { hooks, labels, notes } = localHooks(config, action.sources);
  const printNotesBefore = (index: number) => {
    for (const [at, note] of [...notes].filter(([at]) => at < index)) {
      output.out(note);
      notes.delete(at);
    }
  };
  const log = maskReportLog(output);
  // The runner calls the journal before and after each hook, in order: the moments to print its outcome.
  const journal: HookJournal = {
    beforeHook: async (position) => {
      const { index = position, label = `hooks[${position}]` } = labels[position] ?? {};
      printNotesBefore(index);
      log.tables.length = 0;
      output.out(`${label}: running`);
    },
    afterHook: async (position, report) => {
      const { index = position, label = `hooks[${position}]` } = labels[position] ?? {};
      printNotesBefore(index);
      output.out(formatHookReport(label, report));
      for (const table of log.tables) output.out(formatMaskedTable(table));
      log.tables.length = 0;
    },
  };

  // With no deterministic strategy the salt is never used: a throwaway one serves, and is never shown.
  const salt = action.env.MASKING_SALT || randomBytes(32).toString('hex');
  const deadline = performance.now() + LAMBDA_MAXIMUM_MS;
  const runner = new SequentialHookRunner(hooks, {
    secrets: () => localSecrets(salt),
    openTarget: () => connectTarget(target.secret, tls),
  });
  const report = await runner.run(LOCAL_RUN, log, () => deadline - performance.now(), { journal });
  printNotesBefore(Number.POSITIVE_INFINITY);

  const count = (status: HookReport['status']) =>
    report.hooks.filter((hook) => hook.status === status).length;
  const notRun = config.hooks.length - hooks.length;
  const skipped = notRun > 0 ? `; ${notRun} lambda hook(s) not run locally` : '';
  output.out(
    report.succeeded
      ? `Succeeded: ${count('succeeded')} hook(s) ran against ${target.display}${skipped}.`
      : `Failed: ${count('failed')} hook(s) failed, ${count('skipped')} skipped, ${count('succeeded')} succeeded${skipped}.`,
  );
  return report.succeeded ? EXIT_OK : EXIT_PROBLEMS;
}
