// Why this file exists: the hooks command's command line, parsed apart from everything it does, so the actions
// can be driven (and the command line grown, by the CLI issue) without the other. Pure: argv in, a typed
// invocation (or the request for help) out; an InputError names what is wrong. The masking salt is never an
// argument: it would land in the shell's history and in `ps` for every user of the machine to read. Three
// actions take a hooks configuration (validate, plan, run); `discover` takes none and may write one.
import { parseArgs } from 'node:util';
import type { TlsMode } from '#shared/database/postgres';
import { InputError } from './input-error.ts';

export const ACTIONS = ['validate', 'plan', 'run', 'discover'] as const;
export type Action = (typeof ACTIONS)[number];
/** The actions that read a hooks configuration. */
export type ConfigAction = Exclude<Action, 'discover'>;

/** `--rows` and `--budget-seconds` within the bounds a mask hook's `discovery` settings accept. */
export const ROWS_RANGE = { min: 10, max: 100_000 } as const;
export const BUDGET_SECONDS_RANGE = { min: 1, max: 600 } as const;

const TLS_MODES = ['off', 'require', 'verify'] as const satisfies readonly TlsMode[];

/** Where the hooks configuration comes from: a bundled name (hooks/configs/NAME.json) or a file anywhere. */
export type ConfigSource =
  | { readonly kind: 'named'; readonly name: string }
  | { readonly kind: 'file'; readonly path: string };

export interface ConfigInvocation {
  readonly action: ConfigAction;
  readonly config: ConfigSource;
  /** As given; parsed by database-url.ts, which knows how to describe it without its password. */
  readonly databaseUrl: string;
  /** Undefined: the default for the URL's host (off on loopback, verify elsewhere). */
  readonly tls: TlsMode | undefined;
}

export interface DiscoverInvocation {
  readonly action: 'discover';
  readonly databaseUrl: string;
  readonly tls: TlsMode | undefined;
  /** Empty: every user schema (PostgreSQL), the URL's database (MySQL). */
  readonly schemas: readonly string[];
  readonly rowsPerTable: number | undefined;
  readonly budgetSeconds: number | undefined;
  /** Print the report as JSON instead of a table. */
  readonly json: boolean;
  /** Where to write the suggested hooks configuration (a new file). */
  readonly writeConfig: string | undefined;
}

export type Invocation = ConfigInvocation | DiscoverInvocation;

export type CommandLine = { readonly help: true } | ({ readonly help: false } & Invocation);

/** The help text, with the command as it was invoked: `npm run hooks --`, or `dms-scheduler hooks`. */
export const usage = (
  invokedAs = 'npm run hooks --',
) => `Usage: ${invokedAs} <validate|plan|run> (--config NAME | --config-file PATH) --database-url URL [--tls off|require|verify]
       ${invokedAs} discover --database-url URL [--schema S]... [--rows N] [--budget-seconds N] [--json] [--write-config PATH] [--tls …]

  validate  parse the hooks configuration and check every mask hook against the database's catalog
  plan      validate, then show per mask hook the tables, row counts, constraint handling and the SQL a run sends
  run       run the configuration's hooks against the database, as the post-processor would (lambda hooks skipped)
  discover  sample every table (read only) and list the columns that look like personal data, with the evidence
            as counts (never a value); --write-config writes a hooks configuration with a suggested mask hook

  --config NAME        the bundled configuration hooks/configs/NAME.json
  --config-file PATH   a hooks configuration file anywhere
  --database-url URL   postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE (or postgresql://, mysql://, mariadb://)
  --tls MODE           off, require (encrypt) or verify (encrypt and check the certificate);
                       default: off for localhost / 127.0.0.1 / ::1, verify for any other host
  --schema S           discover: a schema (MySQL: database) to look in, repeatable; default every user schema
                       (PostgreSQL) or the URL's database (MySQL)
  --rows N             discover: rows sampled per table at most, ${ROWS_RANGE.min} to ${ROWS_RANGE.max} (default 1000)
  --budget-seconds N   discover: time for sampling, ${BUDGET_SECONDS_RANGE.min} to ${BUDGET_SECONDS_RANGE.max} (default 60); tables it does not reach are listed
  --json               discover: print the report as JSON
  --write-config PATH  discover: write the suggested configuration to PATH (a new file), and why each column
                       gets its strategy
  --help               this text

Environment:
  DATABASE_PASSWORD    the password, when the URL has none (a password in the URL wins)
  MASKING_SALT         the salt of deterministic strategies (run only; required when a mask hook uses one)

Examples:
  ${invokedAs} validate --config example --database-url postgres://app@localhost:5432/app
  ${invokedAs} plan --config-file ./my-hooks.json --database-url mysql://app@db.internal:3306/app
  MASKING_SALT=… ${invokedAs} run --config example --database-url postgres://app@localhost/app
  ${invokedAs} discover --database-url postgres://app@localhost/app --json

Exit codes: 0 valid / succeeded / discovery done (findings are information, not failure), 1 the configuration
does not fit the database or a hook failed, 2 bad input (nothing was changed).`;

export const USAGE = usage();

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

  const databaseUrl = values['database-url'];
  const tls = values.tls;
  const name = values.config;
  const path = values['config-file'];
  if (action === 'discover') {
    if (name !== undefined || path !== undefined) {
      throw new InputError(
        'discover reads no hooks configuration (--config, --config-file); it writes one with --write-config PATH',
      );
    }
    return {
      help: false,
      ...discoverOptions(values),
      databaseUrl: requireUrl(databaseUrl),
      tls: checkTls(tls),
    };
  }
  const discoverOnly = DISCOVER_OPTIONS.filter((option) => values[option] !== undefined);
  if (discoverOnly.length > 0) {
    throw new InputError(`${discoverOnly.map((option) => `--${option}`).join(', ')}: for discover only`);
  }
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
  return { help: false, action, config, databaseUrl: requireUrl(databaseUrl), tls: checkTls(tls) };
}

const DISCOVER_OPTIONS = ['schema', 'rows', 'budget-seconds', 'json', 'write-config'] as const;

function requireUrl(databaseUrl: string | undefined): string {
  if (databaseUrl === undefined || databaseUrl.trim() === '') {
    throw new InputError(
      '--database-url is missing: postgres://USER@HOST:PORT/DATABASE or mysql://USER@HOST:PORT/DATABASE',
    );
  }
  return databaseUrl;
}

function checkTls(tls: string | undefined): TlsMode | undefined {
  if (tls === undefined) return undefined;
  if (!isTls(tls)) throw new InputError(`--tls must be one of ${TLS_MODES.join(', ')}`);
  return tls;
}

/** A whole number within the range, or an InputError naming the option (and not echoing what was given). */
function wholeNumber(option: string, text: string | undefined, range: { min: number; max: number }) {
  if (text === undefined) return undefined;
  const value = /^\d{1,9}$/.test(text) ? Number(text) : Number.NaN;
  if (!(value >= range.min && value <= range.max)) {
    throw new InputError(`--${option} must be a whole number from ${range.min} to ${range.max}`);
  }
  return value;
}

function discoverOptions(
  values: ReturnType<typeof parse>['values'],
): Omit<DiscoverInvocation, 'databaseUrl' | 'tls'> {
  const schemas = values.schema ?? [];
  // Bound as parameters, never written into SQL: any name the catalog may hold is allowed, within its size.
  if (schemas.some((schema) => schema === '' || schema.length > 64 || /[\p{Cc}]/u.test(schema))) {
    throw new InputError('--schema must be a schema name of 1 to 64 characters');
  }
  const writeConfig = values['write-config'];
  if (writeConfig !== undefined && writeConfig.trim() === '') {
    throw new InputError('--write-config needs a file path');
  }
  return {
    action: 'discover',
    schemas,
    rowsPerTable: wholeNumber('rows', values.rows, ROWS_RANGE),
    budgetSeconds: wholeNumber('budget-seconds', values['budget-seconds'], BUDGET_SECONDS_RANGE),
    json: values.json ?? false,
    writeConfig,
  };
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
      schema: { type: 'string', multiple: true },
      rows: { type: 'string' },
      'budget-seconds': { type: 'string' },
      json: { type: 'boolean' },
      'write-config': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
