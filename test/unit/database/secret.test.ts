// The RDS secret format, and the RDS-managed master secret (username and password only) completed from the
// stack's settings: what the stack fills, what must agree, what is missing, and never a value in a message.
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { DATABASE_ENGINES, type DatabaseSettings, parseDatabaseSecret } from '#shared/database/secret';
import { ConfigurationError } from '#shared/errors';

const NAME = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!cluster-1a2b3c4d-AbCdEf';
const PASSWORD = 'p@ss-w0rd-NEVER-PRINTED';
const USERNAME = 'master_user';
const HOST = 'staging.cluster-abc123.eu-west-1.rds.amazonaws.com';
const SECRET_HOST = 'secret-only-host.cluster-zzz.eu-west-1.rds.amazonaws.com';
const FULL = {
  engine: 'postgres',
  host: HOST,
  port: 5432,
  username: USERNAME,
  password: PASSWORD,
  dbname: 'app',
};
const RDS_MANAGED = JSON.stringify({ username: USERNAME, password: PASSWORD });
const SETTINGS: DatabaseSettings = { engine: 'aurora-postgresql', host: HOST, port: 5432, database: 'app' };

/** The ConfigurationError a parse throws (fails the test if it throws anything else or nothing). */
function refusal(parse: () => unknown): ConfigurationError {
  try {
    parse();
  } catch (error) {
    if (error instanceof ConfigurationError) return error;
    throw error;
  }
  throw new Error('expected a ConfigurationError, but the secret parsed');
}

// Nothing here may print: the parser reports by throwing, and a message must never carry a secret value.
const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;
let consoleSpies: MockInstance[] = [];
let stdout: MockInstance;
let stderr: MockInstance;
beforeEach(() => {
  consoleSpies = CONSOLE_METHODS.map((method) => vi.spyOn(console, method).mockImplementation(() => {}));
  stdout = vi.spyOn(process.stdout, 'write');
  stderr = vi.spyOn(process.stderr, 'write');
});
afterEach(() => {
  const printed = [...consoleSpies, stdout, stderr].flatMap((spy) => spy.mock.calls.flat().map(String));
  for (const text of printed) expect(text).not.toContain(PASSWORD);
  for (const spy of consoleSpies) expect(spy).not.toHaveBeenCalled();
  vi.restoreAllMocks();
});

function expectNoValues(message: string) {
  expect(message).not.toContain(PASSWORD);
  expect(message).not.toContain(USERNAME);
  expect(message).not.toContain(SECRET_HOST);
}

describe('parseDatabaseSecret: a complete secret in the RDS format', () => {
  it('parses it without any stack setting', () => {
    expect(parseDatabaseSecret(JSON.stringify(FULL), NAME)).toEqual({
      dialect: 'postgres',
      host: HOST,
      port: 5432,
      username: USERNAME,
      password: PASSWORD,
      database: 'app',
    });
  });

  it('takes a port given as a string, as some secrets hold it', () => {
    expect(parseDatabaseSecret(JSON.stringify({ ...FULL, port: '6432' }), NAME).port).toBe(6432);
  });

  it.each(
    DATABASE_ENGINES.map((engine) => [engine, engine.includes('postgres') ? 'postgres' : 'mysql'] as const),
  )('maps the engine %s to the %s driver', (engine, dialect) => {
    expect(parseDatabaseSecret(JSON.stringify({ ...FULL, engine }), NAME).dialect).toBe(dialect);
  });

  it('accepts stack settings that agree with it', () => {
    const parsed = parseDatabaseSecret(JSON.stringify(FULL), NAME, {
      // Same driver as the secret's postgres; host names compare without case, as DNS does.
      engine: 'aurora-postgresql',
      host: HOST.toUpperCase(),
      port: 5432,
      database: 'app',
    });
    expect(parsed).toMatchObject({ dialect: 'postgres', host: HOST, port: 5432, database: 'app' });
  });

  it('refuses a secret that is not JSON, naming it and nothing of its text', () => {
    const error = refusal(() => parseDatabaseSecret(`not json ${PASSWORD}`, NAME));
    expect(error.message).toBe(`Secret ${NAME} is not JSON in the RDS secret format`);
  });

  it('refuses an unknown engine in the secret, naming the key', () => {
    const error = refusal(() => parseDatabaseSecret(JSON.stringify({ ...FULL, engine: 'oracle' }), NAME));
    expect(error.message).toContain('engine (invalid)');
    expect(error.message).not.toContain('oracle');
    expectNoValues(error.message);
  });
});

describe('parseDatabaseSecret: an RDS-managed secret (username and password only)', () => {
  it('takes engine, host, port and database name from the stack', () => {
    expect(parseDatabaseSecret(RDS_MANAGED, NAME, SETTINGS)).toEqual({
      dialect: 'postgres',
      host: HOST,
      port: 5432,
      username: USERNAME,
      password: PASSWORD,
      database: 'app',
    });
    expect(
      parseDatabaseSecret(RDS_MANAGED, NAME, {
        engine: 'aurora-mysql',
        host: HOST,
        port: 3306,
        database: 'shop',
      }),
    ).toMatchObject({ dialect: 'mysql', port: 3306, database: 'shop' });
  });

  it('fills only what the secret lacks: keys it has stand, settings fill the rest', () => {
    const partial = JSON.stringify({ username: USERNAME, password: PASSWORD, engine: 'mysql', port: 3307 });
    expect(parseDatabaseSecret(partial, NAME, { host: HOST, database: 'shop' })).toEqual({
      dialect: 'mysql',
      host: HOST,
      port: 3307,
      username: USERNAME,
      password: PASSWORD,
      database: 'shop',
    });
  });

  it('refuses it with no stack settings, naming every missing key and the parameter that supplies it', () => {
    const error = refusal(() => parseDatabaseSecret(RDS_MANAGED, NAME));
    expect(error.message).toBe(
      `Secret ${NAME} has no engine, host, port, dbname and the stack does not supply them: set ` +
        'TARGET_DATABASE_ENGINE (stack parameter TargetDatabaseEngine), ' +
        'TARGET_DATABASE_HOST (stack parameter TargetDatabaseHost), ' +
        'TARGET_DATABASE_PORT (stack parameter TargetDatabasePort), ' +
        'TARGET_DATABASE_NAME (stack parameter TargetDatabaseName) ' +
        '(a secret RDS manages holds only username and password)',
    );
    expectNoValues(error.message);
  });

  it('names only what is still missing when some settings are given', () => {
    const error = refusal(() => parseDatabaseSecret(RDS_MANAGED, NAME, { engine: 'postgres', host: HOST }));
    expect(error.message).toContain('has no port, dbname and the stack does not supply them');
    expect(error.message).toContain('TARGET_DATABASE_PORT (stack parameter TargetDatabasePort)');
    expect(error.message).toContain('TARGET_DATABASE_NAME (stack parameter TargetDatabaseName)');
    expect(error.message).not.toContain('TARGET_DATABASE_ENGINE');
    expect(error.message).not.toContain('TARGET_DATABASE_HOST');
    expectNoValues(error.message);

    const one = refusal(() => parseDatabaseSecret(RDS_MANAGED, NAME, { ...SETTINGS, database: undefined }));
    expect(one.message).toContain('has no dbname and the stack does not supply it: set TARGET_DATABASE_NAME');
  });

  it('still requires username and password from the secret itself', () => {
    const error = refusal(() => parseDatabaseSecret(JSON.stringify({ password: PASSWORD }), NAME, SETTINGS));
    expect(error.message).toContain('username (missing or wrong type)');
    expectNoValues(error.message);
  });
});

describe('parseDatabaseSecret: a setting given in both places', () => {
  it.each([
    ['engine', { engine: 'mysql' }, 'TARGET_DATABASE_ENGINE (stack parameter TargetDatabaseEngine)'],
    ['host', { host: HOST }, 'TARGET_DATABASE_HOST (stack parameter TargetDatabaseHost)'],
    ['port', { port: 5433 }, 'TARGET_DATABASE_PORT (stack parameter TargetDatabasePort)'],
    ['dbname', { database: 'other' }, 'TARGET_DATABASE_NAME (stack parameter TargetDatabaseName)'],
  ] as const)('refuses a disagreeing %s, naming the key and the setting, never a value', (key, settings, named) => {
    const secret = JSON.stringify({ ...FULL, host: SECRET_HOST });
    const error = refusal(() => parseDatabaseSecret(secret, NAME, settings));
    expect(error.message).toBe(
      `Secret ${NAME} and the stack disagree: the secret's ${key} differs from ${named}. ` +
        'Make the setting match the secret, or leave it empty',
    );
    expectNoValues(error.message);
  });

  it('names every disagreeing key at once', () => {
    const error = refusal(() =>
      parseDatabaseSecret(JSON.stringify(FULL), NAME, { engine: 'mariadb', port: 3306, database: 'app' }),
    );
    expect(error.message).toContain("the secret's engine differs from TARGET_DATABASE_ENGINE");
    expect(error.message).toContain("the secret's port differs from TARGET_DATABASE_PORT");
    expect(error.message).not.toContain('dbname');
    expectNoValues(error.message);
  });

  it('checks agreement before completeness: a conflict is reported even when keys are also missing', () => {
    const partial = JSON.stringify({ username: USERNAME, password: PASSWORD, port: 5432 });
    const error = refusal(() => parseDatabaseSecret(partial, NAME, { port: 6432 }));
    expect(error.message).toContain("the secret's port differs from TARGET_DATABASE_PORT");
  });
});
