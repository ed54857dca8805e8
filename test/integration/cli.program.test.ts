// The dms-scheduler program's command line, run in a child process as an operator runs it, for everything
// that is settled before any AWS call: help texts (examples, exit codes), usage errors (exit 2, one line on
// stderr, nothing on stdout), and the hooks command mounted as `dms-scheduler hooks` with its own help and
// exit codes. The AWS endpoint points at a closed port: a test here that reached AWS would end in exit 3.
import { describe, expect, it } from 'vitest';
import { EXIT_CODES_HELP } from '../../cli/exit-codes.ts';
import { runProgram } from '../support/run-program.ts';

const env = {
  PATH: process.env.PATH ?? '',
  HOME: '/nonexistent',
  AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
  AWS_REGION: 'us-east-1',
  AWS_CONFIG_FILE: '/nonexistent/config',
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};
const program = (args: readonly string[]) => runProgram(args, { env });

describe('dms-scheduler: help', () => {
  it.each([
    [['--help']],
    [['status', '--help']],
    [['history', '--help']],
    [['run', '--help']],
    [['wait', '--help']],
    [['stop', '--help']],
    [['resume', '--help']],
  ])('%j prints usage, examples and the exit codes on stdout, exit 0', async (args) => {
    const result = await program(args);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^Usage: dms-scheduler /);
    expect(result.stdout).toContain('Examples:\n  $ dms-scheduler ');
    expect(result.stdout).toContain(EXIT_CODES_HELP);
  });

  it('the program help lists every command, and no longer says any is not built', async () => {
    const { stdout } = await program(['--help']);
    for (const command of ['run', 'wait', 'stop', 'resume', 'status', 'history', 'hooks'])
      expect(stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    expect(stdout).not.toContain('Not built yet');
  });

  it('wait --help and run --help say what 130 (Ctrl-C) and the start outcomes end with', async () => {
    const wait = await program(['wait', '--help']);
    expect(wait.stdout).toContain('130  Ctrl-C: following stopped; the run goes on, untouched');
    const run = await program(['run', '--help']);
    expect(run.stdout).toContain('Exit codes of run: 0 started; 1 start-failed; 3 start-unknown');
  });

  it.each([
    [['hooks', '--help']],
    [['help', 'hooks']],
  ])("%j is the hooks command's own help, naming it as mounted", async (args) => {
    const result = await program(args);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^Usage: dms-scheduler hooks <validate\|plan\|run> /);
    expect(result.stdout).toContain('\n       dms-scheduler hooks discover --database-url URL');
    expect(result.stdout).toContain('Examples:\n  dms-scheduler hooks validate --config example');
    expect(result.stdout).not.toContain('npm run hooks');
  });
});

describe('dms-scheduler: usage errors end with exit 2, before any AWS call', () => {
  it.each([
    [['bogus'], "error: unknown command 'bogus'\n(run with --help for usage)\n"],
    [['status', '--bogus'], "error: unknown option '--bogus'\n(run with --help for usage)\n"],
    [
      ['status'],
      'dms-scheduler: --stack NAME is required: the CloudFormation stack of the deployment (or set DMS_SCHEDULER_STACK)\n',
    ],
    [
      ['history', '--stack', 'any', '--limit', '0'],
      'dms-scheduler: --limit must be a whole number from 1 to 1000\n',
    ],
    [
      ['history', '--stack', 'any', '--since', 'yesterday'],
      'dms-scheduler: --since takes a span back from now (30m, 12h, 7d, 2w) or a UTC date (2026-11-01, 2026-11-01T06:00:00Z)\n',
    ],
    [
      ['wait', '--stack', 'any', '--interval', '0'],
      'dms-scheduler: --interval must be a number of seconds from 0.01 to 3600\n',
    ],
    [
      ['run', '--stack', 'any', '--start-type', 'fresh'],
      expect.stringMatching(/^dms-scheduler: the run request is not valid: .*startType.*\n$/),
    ],
    [
      ['run', '--stack', 'any', '--cdc-start-time', 'yesterday'],
      expect.stringMatching(/^dms-scheduler: the run request is not valid: .*cdcStartTime.*\n$/),
    ],
    [['stop'], expect.stringContaining('--stack NAME is required')],
  ])('%j', async (args, stderr) => {
    const result = await program(args);
    expect(result).toEqual({ code: 2, stdout: '', stderr });
  });

  it('no command at all: the help, on stderr', async () => {
    const result = await program([]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^Usage: dms-scheduler /);
  });
});

describe('dms-scheduler hooks: the hooks command, same options and exit codes', () => {
  it.each([
    [['hooks'], 'hooks: no action given: use one of validate, plan, run, discover (see --help)\n'],
    [
      ['hooks', 'validate', '--config', 'no-such', '--database-url', 'postgres://app@localhost/app'],
      'hooks: --config: there is no hooks/configs/no-such.json; configurations: default, example (a file elsewhere: --config-file PATH)\n',
    ],
    // The program's own --json is handed on to the hooks command, which takes it for discover only.
    [
      [
        '--json',
        'hooks',
        'validate',
        '--config',
        'example',
        '--database-url',
        'postgres://app@localhost/app',
      ],
      'hooks: --json: for discover only\n',
    ],
  ])("%j: exit 2 with the hooks command's own line", async (args, stderr) => {
    const result = await program(args);
    expect(result).toEqual({ code: 2, stdout: '', stderr });
  });
});
