// Why this file exists: the hooks command's command line, parsed apart from everything it does, so the actions
// can be driven (and the command line grown, by the CLI issue) without the other. Pure: argv in, a typed
// invocation (or the request for help) out; an InputError names what is wrong. The masking salt is never an
// argument: it would land in the shell's history and in `ps` for every user of the machine to read.
import { parseArgs } from 'node:util';
import type { TlsMode } from '#shared/database/postgres';
import { InputError } from './input-error.ts';

export const ACTIONS = ['validate', 'plan', 'run'] as const;
export type Action = (typeof ACTIONS)[number];

const TLS_MODES = ['off', 'require', 'verify'] as const satisfies readonly TlsMode[];

/** Where the hooks configuration comes from: a bundled name (hooks/configs/NAME.json) or a file anywhere. */
export type ConfigSource =
  | { readonly kind: 'named'; readonly name: string }
  | { readonly kind: 'file'; readonly path: string };

export interface Invocation {
  readonly action: Action;
  readonly config: ConfigSource;
  /** As given; parsed by database-url.ts, which knows how to describe it without its password. */
  readonly databaseUrl: string;
  /** Undefined: the default for the URL's host (off on loopback, verify elsewhere). */
  readonly tls: TlsMode | undefined;
}

export type CommandLine = { readonly help: true } | ({ readonly help: false } & Invocation);

export const USAGE = `Usage: npm run hooks -- <validate|plan|run> (--config NAME | --config-file PATH) --database-url URL [--tls off|require|verify]

  validate  parse the hooks configuration and check every mask hook against the database's catalog
  plan      validate, then show per mask hook the tables, row counts, constraint handling and the SQL a run sends
  run       run the configuration's hooks against the database, as the post-processor would (lambda hooks skipped)

  --config NAME        the bundled configuration hooks/configs/NAME.json
  --config-file PATH   a hooks configuration file anywhere
  --database-url URL   postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE (or postgresql://, mysql://, mariadb://)
  --tls MODE           off, require (encrypt) or verify (encrypt and check the certificate);
                       default: off for localhost / 127.0.0.1 / ::1, verify for any other host
  --help               this text

Environment:
  DATABASE_PASSWORD    the password, when the URL has none (a password in the URL wins)
  MASKING_SALT         the salt of deterministic strategies (run only; required when a mask hook uses one)

Exit codes: 0 valid / succeeded, 1 the configuration does not fit the database or a hook failed, 2 bad input
(nothing was changed).`;

const isAction = (value: string): value is Action => (ACTIONS as readonly string[]).includes(value);
const isTls = (value: string): value is TlsMode => (TLS_MODES as readonly string[]).includes(value);

/** An option parseArgs refused, named without any value it was given. */
function optionProblem(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : '';
  const option = /'(--?[A-Za-z][A-Za-z0-9-]*)/.exec(message)?.[1];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option) return `unknown option ${option}`;
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option) return `option ${option} needs a value`;
  return 'the options cannot be read';
}

/** Reads the hooks command's arguments (without `node` and the script). Throws InputError on bad input. */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  // Checked before parsing, so that even a malformed line never gets as far as echoing a salt back.
  if (argv.some((arg) => /^--?salt(=|$)/i.test(arg))) {
    throw new InputError(
      'the salt is never a command-line argument (shell history and ps would show it): export MASKING_SALT instead',
    );
  }
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new InputError(`${optionProblem(error)} (see --help)`);
  }
  const { values, positionals } = parsed;
  if (values.help) return { help: true };
  const [action, ...extra] = positionals;
  if (action === undefined)
    throw new InputError(`no action given: use one of ${ACTIONS.join(', ')} (see --help)`);
  if (!isAction(action)) {
    // Named only when it looks like a mistyped action: a misplaced URL must not be echoed with its password.
    const named = /^[a-z-]{1,20}$/.test(action) ? ` ${JSON.stringify(action)}` : '';
    throw new InputError(`unknown action${named}: use one of ${ACTIONS.join(', ')}`);
  }
  if (extra.length > 0) throw new InputError(`unexpected argument after ${action} (see --help)`);

  const name = values.config;
  const path = values['config-file'];
  if (name !== undefined && path !== undefined) {
    throw new InputError('give --config NAME or --config-file PATH, not both');
  }
  if (name === undefined && path === undefined) {
    throw new InputError(
      'no configuration given: --config NAME (hooks/configs/NAME.json) or --config-file PATH',
    );
  }
  const config: ConfigSource =
    name !== undefined ? { kind: 'named', name } : { kind: 'file', path: path as string };

  const databaseUrl = values['database-url'];
  if (databaseUrl === undefined || databaseUrl.trim() === '') {
    throw new InputError(
      '--database-url is missing: postgres://USER@HOST:PORT/DATABASE or mysql://USER@HOST:PORT/DATABASE',
    );
  }
  const tls = values.tls;
  if (tls !== undefined && !isTls(tls)) throw new InputError(`--tls must be one of ${TLS_MODES.join(', ')}`);
  return { help: false, action, config, databaseUrl, tls };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      config: { type: 'string' },
      'config-file': { type: 'string' },
      'database-url': { type: 'string' },
      tls: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
