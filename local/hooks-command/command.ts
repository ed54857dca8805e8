// Why this file exists: the hooks command from argv to exit code, in the order that keeps every refusal ahead of
// any change: the arguments, the database URL, the configuration file, its parse (the post-processor's parser),
// then (run: after the salt it needs) the database. `discover` reads no configuration: after the URL it goes
// straight to the database. Each action (validate, plan, run, discover) is its own module; this only wires
// them. Bad input of any kind is one line on stderr and exit code 2.
import { type ConfigAction, parseCommandLine, usage } from './arguments.ts';
import { BUNDLED_SOURCES, parseConfigText, readConfigText } from './configuration.ts';
import { closeQuietly, openDatabase } from './connection.ts';
import { parseDatabaseUrl, tlsFor } from './database-url.ts';
import { discover } from './discover.ts';
import { EXIT_BAD_INPUT, EXIT_OK, EXIT_PROBLEMS, InputError } from './input-error.ts';
import type { Output } from './output.ts';
import { plan } from './plan.ts';
import { run } from './run.ts';
import { type DatabaseAction, formatProblems, validate } from './validate.ts';

const DATABASE_ACTIONS: Readonly<
  Record<Exclude<ConfigAction, 'run'>, (action: DatabaseAction) => Promise<number>>
> = {
  validate,
  plan,
};

export async function runHooksCommand(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  output: Output,
  /** How the help text names the command: `npm run hooks --` alone, `dms-scheduler hooks` when mounted. */
  invokedAs?: string,
): Promise<number> {
  try {
    const line = parseCommandLine(argv);
    if (line.help) {
      output.out(usage(invokedAs));
      return EXIT_OK;
    }
    const target = parseDatabaseUrl(line.databaseUrl, env);
    const tls = tlsFor(line.tls, target);
    if (line.action === 'discover') {
      // With --json, stdout is the JSON document alone.
      if (!line.json) output.out(`discover: ${target.display} (TLS ${tls})`);
      const database = await openDatabase(target, tls);
      try {
        return await discover({ invocation: line, database, display: target.display, output });
      } finally {
        await closeQuietly(database);
      }
    }
    const text = readConfigText(line.config);
    const parsed = parseConfigText(text);
    output.out(`${line.action}: ${text.file} on ${target.display} (TLS ${tls})`);
    if (text.note) output.out(`Note: ${text.note}`);
    if (!parsed.ok) {
      for (const problem of formatProblems(parsed.problems)) output.out(problem);
      return EXIT_PROBLEMS;
    }
    const { config } = parsed;
    if (line.action === 'run') {
      // run refuses a missing MASKING_SALT, then checks the database is reachable, before any hook starts.
      return await run({ config, sources: BUNDLED_SOURCES, target, tls, env, output });
    }
    const database = await openDatabase(target, tls);
    try {
      return await DATABASE_ACTIONS[line.action]({
        config,
        sources: BUNDLED_SOURCES,
        database,
        display: target.display,
        output,
      });
    } finally {
      await closeQuietly(database);
    }
  } catch (error) {
    if (error instanceof InputError) {
      output.err(`hooks: ${error.message}`);
      return EXIT_BAD_INPUT;
    }
    throw error;
  }
}
