// Database connections come from a Secrets Manager secret in the RDS format (engine, host, port, username,
// password, dbname). Parsing never echoes a value: errors name the offending key only, because the secret
// string holds a password.
import { z } from 'zod';
import { ConfigurationError } from '../errors.ts';
import type { Dialect } from './target.ts';

const ENGINE_DIALECTS: Readonly<Record<string, Dialect>> = {
  postgres: 'postgres',
  postgresql: 'postgres',
  'aurora-postgresql': 'postgres',
  mysql: 'mysql',
  mariadb: 'mysql',
  aurora: 'mysql',
  'aurora-mysql': 'mysql',
};

const secretSchema = z.object({
  engine: z.string().refine((engine) => Object.hasOwn(ENGINE_DIALECTS, engine), {
    message: `must be one of ${Object.keys(ENGINE_DIALECTS).join(', ')}`,
  }),
  host: z.string().min(1),
  port: z.coerce.number().int().min(1).max(65535),
  username: z.string().min(1),
  password: z.string().min(1),
  dbname: z.string().min(1),
});

export interface DatabaseSecret {
  readonly dialect: Dialect;
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly password: string;
  readonly database: string;
}

/** Parses a secret string; `secretName` only labels errors. */
export function parseDatabaseSecret(secretString: string, secretName: string): DatabaseSecret {
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
  const { engine, host, port, username, password, dbname } = parsed.data;
  return { dialect: ENGINE_DIALECTS[engine] as Dialect, host, port, username, password, database: dbname };
}
