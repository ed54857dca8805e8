// The hooks command's pure parts, without a database: the command line (and what it refuses, never echoing a
// value it was given), the database URL (dialects, default ports, where the password comes from, the TLS default
// by host), and how a ConfigurationError's message is split into its problems. `--help` is run as the child
// process a team would start.
import { describe, expect, it } from 'vitest';
import { parseCommandLine, USAGE } from '../../local/hooks-command/arguments.ts';
import { parseConfigText } from '../../local/hooks-command/configuration.ts';
import { parseDatabaseUrl, tlsFor } from '../../local/hooks-command/database-url.ts';
import { InputError } from '../../local/hooks-command/input-error.ts';
import { hooksCommand } from './hooks-command-scenario.ts';

const URL = 'postgres://alice@db.internal:6432/clinic';

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as Error).message;
  }
  throw new Error('expected an InputError');
}

describe('the command line', () => {
  it('reads an action, a configuration and a database URL', () => {
    expect(parseCommandLine(['plan', '--config', 'default', '--database-url', URL])).toEqual({
      help: false,
      action: 'plan',
      config: { kind: 'named', name: 'default' },
      databaseUrl: URL,
      tls: undefined,
    });
    expect(
      parseCommandLine(['run', '--config-file', './x.json', `--database-url=${URL}`, '--tls', 'require']),
    ).toMatchObject({ action: 'run', config: { kind: 'file', path: './x.json' }, tls: 'require' });
    expect(parseCommandLine(['--help'])).toEqual({ help: true });
  });

  it.each([
    [[], /^no action given/],
    [['mask', '--config', 'x', '--database-url', URL], /^unknown action "mask"/],
    [['validate', 'extra', '--config', 'x', '--database-url', URL], /^unexpected argument after validate/],
    [['validate', '--database-url', URL], /^no configuration given/],
    [
      ['validate', '--config', 'a', '--config-file', 'b', '--database-url', URL],
      /^give --config NAME or --config-file PATH, not both$/,
    ],
    [['validate', '--config', 'a'], /^--database-url is missing/],
    [
      ['validate', '--config', 'a', '--database-url', URL, '--tls', 'maybe'],
      /^--tls must be one of off, require, verify$/,
    ],
    [
      ['validate', '--config', 'a', '--database-url', URL, '--verbose'],
      /^unknown option --verbose \(see --help\)$/,
    ],
    [['validate', '--config'], /^option --config needs a value/],
  ])('refuses %j', (argv, message) => {
    expect(refusal(() => parseCommandLine(argv))).toMatch(message);
  });

  it('never takes the salt as an argument, and never echoes one given', () => {
    for (const argv of [
      ['run', '--salt=pepper-123'],
      ['run', '--salt', 'pepper-123'],
      ['run', '-salt=pepper-123'],
    ]) {
      const message = refusal(() => parseCommandLine(argv));
      expect(message).toMatch(/^the salt is never a command-line argument .* export MASKING_SALT instead$/);
      expect(message).not.toContain('pepper-123');
    }
  });

  it('does not echo a misplaced URL as the action (it may hold a password)', () => {
    const message = refusal(() => parseCommandLine(['postgres://u:hunter2@h/db', '--config', 'x']));
    expect(message).toBe('unknown action: use one of validate, plan, run, discover');
  });
});

describe('the database URL', () => {
  it.each([
    ['postgres://a@h/db', 'postgres', 5432, 'postgres://a@h:5432/db'],
    ['postgresql://a@h:6543/db', 'postgres', 6543, 'postgres://a@h:6543/db'],
    ['mysql://a@h/db', 'mysql', 3306, 'mysql://a@h:3306/db'],
    ['mariadb://a@h:3307/db', 'mysql', 3307, 'mariadb://a@h:3307/db'],
  ])('%s is %s on port %i', (url, dialect, port, display) => {
    const target = parseDatabaseUrl(url, {});
    expect(target.secret).toMatchObject({ dialect, port, host: 'h', username: 'a', database: 'db' });
    expect(target.display).toBe(display);
  });

  it('takes a password written in the URL over DATABASE_PASSWORD, which serves when the URL has none', () => {
    expect(parseDatabaseUrl('postgres://a:p%40ss@h/db', { DATABASE_PASSWORD: 'env' }).secret.password).toBe(
      'p@ss',
    );
    expect(parseDatabaseUrl('postgres://a@h/db', { DATABASE_PASSWORD: 'env' }).secret.password).toBe('env');
    expect(parseDatabaseUrl('postgres://a@h/db', {}).secret.password).toBe('');
    expect(parseDatabaseUrl('postgres://a:p%40ss@h/db', {}).display).not.toContain('p@ss');
  });

  it.each([
    ['not a url', /^--database-url is not a URL/],
    ['oracle://a@h/db', /^--database-url scheme oracle:\/\/ is not one/],
    ['postgres://h/db', /^--database-url names no user/],
    ['postgres://a@h', /^--database-url names no database/],
    ['postgres://a@h/db/x', /^--database-url names no database/],
    ['postgres://a:secret@h/db?sslmode=require', /^--database-url has query parameters/],
    ['postgres://a:%zz@h/db', /^--database-url has a malformed %-escape in its password$/],
  ])('refuses %s without quoting it', (url, message) => {
    const text = refusal(() => parseDatabaseUrl(url, {}));
    expect(text).toMatch(message);
    expect(text).not.toContain('secret');
    expect(text).not.toContain(url);
  });

  it.each([
    ['postgres://a@localhost/db', 'off'],
    ['postgres://a@127.0.0.1/db', 'off'],
    ['postgres://a@127.1.2.3/db', 'off'],
    ['mysql://a@[::1]/db', 'off'],
    ['postgres://a@db.example.com/db', 'verify'],
    ['postgres://a@10.0.0.5/db', 'verify'],
  ])('defaults TLS for %s to %s; --tls wins', (url, tls) => {
    const target = parseDatabaseUrl(url, {});
    expect(tlsFor(undefined, target)).toBe(tls);
    expect(tlsFor('require', target)).toBe('require');
  });
});

describe('problems of a configuration', () => {
  it('are listed one by one, as the parser found them, not split out of its message', () => {
    const parsed = parseConfigText({
      file: 'a.json',
      text: JSON.stringify({ version: 2, hooks: [{ name: 'm', kind: 'nope' }] }),
      note: undefined,
    });
    expect(parsed.ok).toBe(false);
    const problems = parsed.ok ? [] : parsed.problems;
    expect(problems.length).toBeGreaterThanOrEqual(2);
    expect(problems.some((problem) => problem.startsWith('version'))).toBe(true);
    expect(problems.some((problem) => problem.startsWith('hooks[0]'))).toBe(true);
    expect(problems.every((problem) => !problem.startsWith('Invalid a.json'))).toBe(true);
  });
});

it('--help prints the usage and exits 0', async () => {
  const result = await hooksCommand(['--help']);
  expect(result).toEqual({ code: 0, stdout: `${USAGE}\n`, stderr: '' });
}, 60_000);
