// `export`, `import` and `generate` on the command line, for everything settled before any AWS call: help
// (examples, exit codes) and usage errors (exit 2, the reason on stderr, nothing on stdout). The AWS endpoint
// points at a closed port: a case here that reached AWS would end in exit 3, not 2.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_CODES_HELP } from '../../cli/exit-codes.ts';
import { writeDefinitions } from '../../shared/definitions/folder.ts';
import { PASSWORD_PLACEHOLDER } from '../../shared/definitions/model.ts';
import { runProgram } from '../support/run-program.ts';

const env = {
  PATH: process.env.PATH ?? '',
  HOME: '/nonexistent',
  AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'closed-port',
  AWS_SECRET_ACCESS_KEY: 'closed-port',
  AWS_CONFIG_FILE: '/nonexistent/config',
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};
const program = (args: readonly string[]) => runProgram(args, { env });

let work: string;
const folder = () => join(work, 'definitions');

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'dms-scheduler-definitions-cli-'));
  writeDefinitions(folder(), {
    endpoints: {
      src: {
        type: 'source',
        engine: 'postgres',
        server: 'db',
        port: 5432,
        database: 'app',
        username: 'dms',
        auth: { kind: 'password', password: PASSWORD_PLACEHOLDER },
      },
      dst: {
        type: 'target',
        engine: 's3',
        auth: { kind: 'none' },
        settings: { S3Settings: { BucketName: 'lake' } },
      },
    },
    replicationInstances: { main: { class: 'dms.t3.medium' } },
    tasks: {
      orders: {
        migrationType: 'full-load',
        sourceEndpoint: 'src',
        targetEndpoint: 'dst',
        replicationInstance: 'main',
        tableMappings: {
          rules: [
            {
              'rule-type': 'selection',
              'rule-id': '1',
              'rule-name': 'a',
              'object-locator': { 'schema-name': 'a', 'table-name': '%' },
              'rule-action': 'include',
            },
          ],
        },
      },
    },
  });
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('help', () => {
  it.each([
    ['export'],
    ['import'],
    ['generate'],
  ])('%s --help: usage, examples and the exit codes', async (command) => {
    const result = await program([command, '--help']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(new RegExp(`^Usage: dms-scheduler ${command} `));
    expect(result.stdout).toContain(`Examples:\n  $ dms-scheduler `);
    expect(result.stdout).toContain(EXIT_CODES_HELP);
  });

  it('the program help lists the three commands', async () => {
    const { stdout } = await program(['--help']);
    for (const command of ['export', 'import', 'generate'])
      expect(stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
  });
});

describe('usage errors: exit 2 before any AWS call', () => {
  it.each([
    [
      ['export', '--out', '/tmp/x'],
      'dms-scheduler: choose the tasks: --tag KEY=VALUE or --task ID (each repeatable)\n',
    ],
    [
      ['export', '--tag', 'a=b', '--task', 't', '--out', '/tmp/x'],
      'dms-scheduler: give --tag or --task, not both\n',
    ],
    [['export', '--tag', 'novalue', '--out', '/tmp/x'], 'dms-scheduler: --tag novalue: expected KEY=VALUE\n'],
    [['export', '--task', 't'], 'dms-scheduler: --out DIR is required: the folder to write\n'],
    [
      ['export', '--task', 't', '--out', '/tmp/x', '--role-arn', 'admin'],
      'dms-scheduler: --role-arn admin is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)\n',
    ],
    [['import', '--env', 'stg'], 'dms-scheduler: --dir DIR is required: the definitions folder\n'],
    [
      ['import', '--dir', 'x'],
      'dms-scheduler: --env NAME is required: letters, digits, ".", "_" or "-" (it is the value of the import tag)\n',
    ],
    [
      ['import', '--dir', 'x', '--env', 'stg', '--plan', '--start'],
      'dms-scheduler: --plan makes no change, so it cannot --start: give one\n',
    ],
    [['generate', '--dir', 'x'], 'dms-scheduler: --out FILE is required: the template to write\n'],
  ])('%j', async (args, stderr) => {
    const result = await program(args);
    expect(result).toEqual({ code: 2, stdout: '', stderr });
  });

  it('a folder that does not exist names the manifest it lacks', async () => {
    const result = await program(['import', '--dir', join(work, 'nothing'), '--env', 'stg']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('is not a definitions folder:\n  manifest.json $: missing:');
  });

  it('an overrides file with a typo names the file, the path and the keys it knows', async () => {
    const overrides = join(work, 'overrides.yaml');
    writeFileSync(
      overrides,
      'stg:\n  endpoints:\n    src:\n      hostname: db.stg\n    nope:\n      server: x\n  replicationInstances:\n    main:\n      class: dms.r5.large\n',
    );
    const result = await program(['import', '--dir', folder(), '--env', 'stg', '--overrides', overrides]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(
      'overrides.yaml $.stg.endpoints.src.hostname: unknown key (known: server, port, database',
    );
    expect(result.stderr).toContain(
      'overrides.yaml $.stg.endpoints.nope: no endpoint "nope" in the folder\'s manifest',
    );
  });

  it('an overrides file without the environment says which it has', async () => {
    const overrides = join(work, 'other.json');
    writeFileSync(overrides, JSON.stringify({ prod: {}, qa: {} }));
    const result = await program(['import', '--dir', folder(), '--env', 'stg', '--overrides', overrides]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('other.json $: has no environment "stg" (it has: prod, qa)');
  });

  it('an overrides file may not hold a password', async () => {
    const overrides = join(work, 'leaky.json');
    writeFileSync(
      overrides,
      JSON.stringify({ stg: { endpoints: { src: { extraConnectionAttributes: 'password=hunter2' } } } }),
    );
    const result = await program(['import', '--dir', folder(), '--env', 'stg', '--overrides', overrides]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'leaky.json $.stg.endpoints.src.extraConnectionAttributes: must not hold a password: use secretArn',
    );
    expect(result.stderr).not.toContain('hunter2');
  });

  it('a server override for an endpoint that reads its server from a secret', async () => {
    const overrides = join(work, 'secret.json');
    writeFileSync(
      overrides,
      JSON.stringify({
        stg: {
          endpoints: { src: { secretArn: 'arn:aws:secretsmanager:us-east-1:1:secret:s', server: 'db.stg' } },
        },
      }),
    );
    const result = await program(['import', '--dir', folder(), '--env', 'stg', '--overrides', overrides]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'secret.json $.stg.endpoints.src.server: the endpoint reads it from its secret (DMS does): set it in the secret instead',
    );
  });

  it('a name prefix that makes an identifier longer than DMS allows names the resource', async () => {
    const overrides = join(work, 'long.json');
    writeFileSync(overrides, JSON.stringify({ stg: { namePrefix: `p${'x'.repeat(60)}-` } }));
    const result = await program(['import', '--dir', folder(), '--env', 'stg', '--overrides', overrides]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /long\.json \$\.stg\.namePrefix: replication instance main would be named "px+-main" is longer than 63 characters/,
    );
  });

  it('a name prefix that makes identifiers DMS refuses', async () => {
    const overrides = join(work, 'prefix.json');
    writeFileSync(overrides, JSON.stringify({ stg: { namePrefix: 'stg--' } }));
    const result = await program(['import', '--dir', folder(), '--env', 'stg', '--overrides', overrides]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'prefix.json $.stg.namePrefix: expected a letter, then letters, digits and single hyphens',
    );
  });
});

describe('generate', () => {
  it('generate writes the template without any AWS call (the closed port is never reached)', async () => {
    const result = await program([
      'generate',
      '--dir',
      folder(),
      '--out',
      join(work, 'out', 't.yaml'),
      '--json',
    ]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      kind: 'generate',
      version: 1,
      resources: ['DstEndpoint', 'SrcEndpoint', 'MainInstance', 'OrdersTask'],
    });
  });
});
