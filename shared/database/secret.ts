// Database connections come from a Secrets Manager secret in the RDS format (engine, host, port, username,
// password, dbname). A secret RDS manages for a cluster or instance (ManageMasterUserPassword, named
// `rds!…`) holds only username and password: the stack's settings (TARGET_DATABASE_ENGINE, _HOST, _PORT,
// _NAME) fill what the secret does not have, and a setting given in both places must agree. Parsing never
// echoes a value: errors name the offending key or setting only, because the secret string holds a password.

import { ConfigurationError } from '../errors.ts';
import * as z from '../schema.ts';
import type { Dialect } from './target.ts';

const ENGINE_DIALECTS = {
  postgres: 'postgres',
  postgresql: 'postgres',
  'aurora-postgresql': 'postgres',
  mysql: 'mysql',
  mariadb: 'mysql',
  aurora: 'mysql',
  'aurora-mysql': 'mysql',
} as const satisfies Readonly<Record<string, Dialect>>;

export type DatabaseEngine = keyof typeof ENGINE_DIALECTS;
/** The engine names a secret (or TARGET_DATABASE_ENGINE) may give, as RDS spells them. */
export const DATABASE_ENGINES = Object.keys(ENGINE_DIALECTS) as [DatabaseEngine, ...DatabaseEngine[]];

const isEngine = (engine: string): engine is DatabaseEngine => Object.hasOwn(ENGINE_DIALECTS, engine);

/**
 * Connection settings from the stack, for what the secret does not hold (an RDS-managed master secret has
 * only username and password). Each is optional; an unset one leaves the secret's key to decide.
 */
export interface DatabaseSettings {
  readonly engine?: DatabaseEngine | undefined;
  readonly host?: string | undefined;
  readonly port?: number | undefined;
  readonly database?: string | undefined;
}

const secretSchema = z.object({
  engine: z.optional(
    z.string().check(z.refine(isEngine, { error: `must be one of ${DATABASE_ENGINES.join(', ')}` })),
  ),
  host: z.optional(z.string().check(z.minLength(1))),
  port: z.optional(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(65535))),
  username: z.string().check(z.minLength(1)),
  password: z.string().check(z.minLength(1)),
  dbname: z.optional(z.string().check(z.minLength(1))),
});

type SecretFields = z.output<typeof secretSchema>;

/** The keys the stack can supply: the secret's key, the setting, and where the setting comes from. */
const SUPPLIABLE = [
  { key: 'engine', setting: 'engine', variable: 'TARGET_DATABASE_ENGINE', parameter: 'TargetDatabaseEngine' },
  { key: 'host', setting: 'host', variable: 'TARGET_DATABASE_HOST', parameter: 'TargetDatabaseHost' },
  { key: 'port', setting: 'port', variable: 'TARGET_DATABASE_PORT', parameter: 'TargetDatabasePort' },
  { key: 'dbname', setting: 'database', variable: 'TARGET_DATABASE_NAME', parameter: 'TargetDatabaseName' },
] as const;

const source = (field: (typeof SUPPLIABLE)[number]) =>
  `${field.variable} (stack parameter ${field.parameter})`;

/**
 * Whether the secret's value and the stack's say the same thing: engines agree when they take the same
 * driver (postgres and aurora-postgresql do), host names regardless of case (DNS ignores it).
 */
function agree(key: (typeof SUPPLIABLE)[number]['key'], fromSecret: unknown, fromStack: unknown): boolean {
  switch (key) {
    case 'engine':
      return ENGINE_DIALECTS[fromSecret as DatabaseEngine] === ENGINE_DIALECTS[fromStack as DatabaseEngine];
    case 'host':
      return String(fromSecret).toLowerCase() === String(fromStack).toLowerCase();
    default:
      return fromSecret === fromStack;
  }
}

export interface DatabaseSecret {
  readonly dialect: Dialect;
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly password: string;
  readonly database: string;
}

/**
 * Parses a secret string and fills what it lacks from `settings`; `secretName` only labels errors. Throws a
 * ConfigurationError naming keys and settings, never a value: a key given by both that disagrees, or a
 * key neither gives (with the stack parameter that would supply it).
 */
export function parseDatabaseSecret(
  secretString: string,
  secretName: string,
  settings: DatabaseSettings = {},
): DatabaseSecret {
  let json: unknown;
  try {
    json = JSON.parse(secretString);
  } catch {
    throw new ConfigurationError(`Secret ${secretName} is not JSON in the RDS secret format`);
  }
  const parsed = secretSchema.safeParse(json);
  if (!parsed.success) {
    const keys = parsed.error.issues.map(
      (issue) =>
        `${issue.path.join('.')} (${issue.code === 'invalid_type' ? 'missing or wrong type' : 'invalid'})`,
    );
    throw new ConfigurationError(`Secret ${secretName} is not a usable database secret: ${keys.join(', ')}`);
  }
  const secret: SecretFields = parsed.data;

  const disagreeing = SUPPLIABLE.filter((field) => {
    const fromSecret = secret[field.key];
    const fromStack = settings[field.setting];
    return fromSecret !== undefined && fromStack !== undefined && !agree(field.key, fromSecret, fromStack);
  });
  if (disagreeing.length > 0) {
    throw new ConfigurationError(
      `Secret ${secretName} and the stack disagree: ${disagreeing
        .map((field) => `the secret's ${field.key} differs from ${source(field)}`)
        .join('; ')}. Make the setting match the secret, or leave it empty`,
    );
  }

  const merged = {
    engine: secret.engine ?? settings.engine,
    host: secret.host ?? settings.host,
    port: secret.port ?? settings.port,
    dbname: secret.dbname ?? settings.database,
  };
  if (
    merged.engine === undefined ||
    merged.host === undefined ||
    merged.port === undefined ||
    merged.dbname === undefined
  ) {
    const missing = SUPPLIABLE.filter((field) => merged[field.key] === undefined);
    throw new ConfigurationError(
      `Secret ${secretName} has no ${missing.map((field) => field.key).join(', ')} and the stack does not ` +
        `supply ${missing.length === 1 ? 'it' : 'them'}: set ${missing.map(source).join(', ')} ` +
        '(a secret RDS manages holds only username and password)',
    );
  }
  return {
    dialect: ENGINE_DIALECTS[merged.engine as DatabaseEngine],
    host: merged.host,
    port: merged.port,
    username: secret.username,
    password: secret.password,
    database: merged.dbname,
  };
}
