// How heavy each Lambda bundle is to ship and to cold-start. Cold start here is the module initialisation
// Lambda pays once per container: the time to import() the bundle (config parsed, SDK clients built, no
// network) inside a fresh `node` process, timed inside the child, so interpreter start-up is excluded.
// Each function is measured against two references, in the same interleaved run (one process of each subject
// per round, so drift on the machine falls on all of them alike):
// - its floor: a handler that only builds the same SDK clients and logger from the same shared factories,
//   bundled here with the function's own BuildProperties: what these dependencies cost at the least;
// - the founding blog's Python starter: importing boto3 and building the DMS, EventBridge and SNS clients.
// Bytes parsed at init are the handler bundle and whatever it imports statically (nothing but Node's
// built-ins): the modules it imports on first use (lazy/*.mjs) are counted in the package total only.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { functionName, localEsbuild, runEsbuild, samFunctions } from '../sam-esbuild.mjs';
import { spreadOf } from './masking-measure.ts';
import { printTable } from './print-table.ts';

const PROCESSES_PER_SUBJECT = Number(process.env.BENCH_COLD_PROCESSES ?? 21);
const CHILD_TIMEOUT_MS = 20_000;
/** The goals of issue #9. */
const FLOOR_RATIO_GOAL = 1.3;
const PARSED_AT_INIT_GOAL: Readonly<Record<string, number>> = { 'post-processor': 700 * 1024 };

/** Valid sample values for everything shared/config.ts reads, plus a region and dummy credentials. */
const SAMPLE_ENV: Record<string, string> = {
  REPLICATION_TASK_ARN: 'arn:aws:dms:us-east-1:123456789012:task:BENCHSAMPLETASKRESOURCEID0',
  REPLICATION_TASK_IDENTIFIER: 'nightly-refresh',
  MIGRATION_REFRESH_INDICATOR: 'data-refresh',
  MIGRATION_REFRESH_TYPE: 'full-load',
  SCHEDULE_OR_ONE_TIME: 'schedule',
  SCHEDULE_RULE_ARN: 'arn:aws:events:us-east-1:123456789012:rule/dms-scheduler-schedule',
  RECONCILE_RULE_ARN: 'arn:aws:events:us-east-1:123456789012:rule/dms-scheduler-reconcile',
  POWERTOOLS_METRICS_NAMESPACE: 'dms-scheduler',
  ALERTS_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:dms-scheduler-alerts',
  RUN_LEDGER_TABLE: 'dms-scheduler-runs',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  AWS_REGION: 'us-east-1',
  AWS_DEFAULT_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench-dummy-key',
  AWS_SECRET_ACCESS_KEY: 'bench-dummy-secret',
  // Neither runtime may read the user's ~/.aws: the figures must not depend on who runs the bench.
  AWS_CONFIG_FILE: '/nonexistent/aws-config',
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
};

const BOTO3_BASELINE = [
  'import json, time',
  'started = time.perf_counter()',
  'import boto3',
  "boto3.client('dms'); boto3.client('events'); boto3.client('sns')",
  "print(json.dumps({'ms': (time.perf_counter() - started) * 1000}))",
].join('\n');

/**
 * The clients each handler builds at cold start (shared/aws/clients.ts), and so its floor's. The
 * post-processor's Secrets Manager and Lambda clients are built on a hook's first use, not at cold start.
 */
const COLD_START_CLIENTS: Readonly<Record<string, readonly string[]>> = {
  'task-starter': ['createDmsClient', 'createEventBridgeClient', 'createSnsClient', 'createDynamoDbClient'],
  'post-processor': ['createDmsClient', 'createEventBridgeClient', 'createSnsClient', 'createDynamoDbClient'],
};

interface Measurement {
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
}

interface Subject {
  readonly label: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly samples: number[];
}

export interface ColdStartRow {
  readonly name: string;
  readonly packageBytes: number;
  readonly parsedAtInitBytes: number;
  readonly floorParsedBytes: number;
  readonly timing: Measurement;
  readonly floor: Measurement;
}

export interface ColdStartReport {
  readonly processes: number;
  readonly rows: readonly ColdStartRow[];
  readonly baseline: Measurement | { readonly unavailable: string };
}

/** The user's environment without any AWS_* setting (profiles, endpoints), plus the sample values. */
function childEnv(): NodeJS.ProcessEnv {
  const inherited = Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_'));
  return { ...Object.fromEntries(inherited), ...SAMPLE_ENV };
}

/** Runs one fresh child and returns the milliseconds it reports on the last line of its output as {"ms": n}. */
function timeInChild(command: string, args: readonly string[]): number {
  const child = spawnSync(command, args, { env: childEnv(), encoding: 'utf8', timeout: CHILD_TIMEOUT_MS });
  if (child.error) throw child.error;
  if (child.status !== 0) {
    throw new Error(
      `${command} exited with ${child.status ?? child.signal}: ${child.stderr.trim().slice(-2000)}`,
    );
  }
  const lastLine = child.stdout.trim().split('\n').at(-1) ?? '';
  const reported: unknown = JSON.parse(lastLine);
  if (
    typeof reported !== 'object' ||
    reported === null ||
    !('ms' in reported) ||
    typeof reported.ms !== 'number'
  ) {
    throw new Error(`${command} printed no timing: ${lastLine}`);
  }
  return reported.ms;
}

function summarise(samples: readonly number[]): Measurement {
  const { median, min, max } = spreadOf(samples);
  return { medianMs: median, minMs: min, maxMs: max };
}

function importSubject(label: string, bundlePath: string): Subject {
  const url = pathToFileURL(resolve(bundlePath)).href;
  const script = [
    'const started = performance.now();',
    `await import(${JSON.stringify(url)});`,
    'console.log(JSON.stringify({ ms: performance.now() - started }));',
  ].join('\n');
  return { label, command: process.execPath, args: ['--input-type=module', '--eval', script], samples: [] };
}

function boto3Subject(): Subject | string {
  const probe = spawnSync('python3', ['-c', 'import boto3'], { env: childEnv(), encoding: 'utf8' });
  if (probe.error) return 'python3 not found';
  if (probe.status !== 0) return 'boto3 not importable by python3';
  return { label: 'boto3', command: 'python3', args: ['-c', BOTO3_BASELINE], samples: [] };
}

const filesUnder = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)],
  );

/** A bundle and the relative modules it imports statically (import … from "./x"), each counted once. */
function parsedAtInit(bundlePath: string, seen = new Set<string>()): number {
  if (seen.has(bundlePath)) return 0;
  seen.add(bundlePath);
  const source = readFileSync(bundlePath, 'utf8');
  const staticImports = [
    ...source.matchAll(/(?:^|[;}\s])(?:import|export)[^;()]*?from\s*["'](\.[^"']+)["']/g),
  ];
  return (
    statSync(bundlePath).size +
    staticImports.reduce(
      (sum, match) => sum + parsedAtInit(join(dirname(bundlePath), match[1] ?? ''), seen),
      0,
    )
  );
}

/**
 * Each function's floor: its cold-start clients and logger from the same factories, bundled with the same
 * BuildProperties (its own entry point only). The source sits under node_modules/.cache so the project's
 * packages and #shared/* imports resolve as they do for the handler.
 */
function buildFloors(): { readonly dir: string; readonly bundles: Record<string, string> } {
  const sources = join('node_modules', '.cache', 'dms-scheduler-bench-floor');
  rmSync(sources, { recursive: true, force: true });
  mkdirSync(sources, { recursive: true });
  const out = mkdtempSync(join(sources, 'out-'));
  const bundles: Record<string, string> = {};
  for (const { properties } of samFunctions()) {
    const name = functionName(properties);
    const clients = COLD_START_CLIENTS[name];
    if (clients === undefined) throw new Error(`bench: no floor defined for ${name}`);
    const entry = join(sources, `${name}.ts`);
    writeFileSync(
      entry,
      [
        `import { ${clients.join(', ')} } from '#shared/aws/clients';`,
        "import { createLogger } from '#shared/log';",
        `const logger = createLogger(${JSON.stringify(name)});`,
        `const clients = [${clients.map((create) => `${create}()`).join(', ')}];`,
        'export const handler = async () => ({ clients: clients.length, logger: typeof logger });',
      ].join('\n'),
    );
    const { EntryPoints: _entryPoints, External: _external, ...rest } = properties;
    const outdir = join(out, name);
    runEsbuild(localEsbuild('.'), { ...rest, EntryPoints: [relative('.', entry)] }, { cwd: '.', outdir });
    bundles[name] = join(outdir, `${name}.mjs`);
  }
  return { dir: sources, bundles };
}

export function benchColdStart(): ColdStartReport {
  const floors = buildFloors();
  try {
    const functions = samFunctions().map(({ properties }) => {
      const name = functionName(properties);
      const dir = join('dist', name);
      const bundle = join(dir, 'handler.mjs');
      try {
        statSync(bundle);
      } catch {
        throw new Error(`${bundle} is missing: run \`npm run build\` first`);
      }
      const floorBundle = floors.bundles[name] ?? '';
      return {
        name,
        packageBytes: filesUnder(dir).reduce((sum, file) => sum + statSync(file).size, 0),
        parsedAtInitBytes: parsedAtInit(bundle),
        floorParsedBytes: parsedAtInit(floorBundle),
        subject: importSubject(name, bundle),
        floorSubject: importSubject(`${name} floor`, floorBundle),
      };
    });
    const boto3 = boto3Subject();
    const subjects = [
      ...functions.flatMap(({ subject, floorSubject }) => [subject, floorSubject]),
      ...(typeof boto3 === 'string' ? [] : [boto3]),
    ];
    // Interleaved: every round runs one fresh process of every subject.
    for (let round = 0; round < PROCESSES_PER_SUBJECT; round += 1) {
      for (const subject of subjects) subject.samples.push(timeInChild(subject.command, subject.args));
    }
    return {
      processes: PROCESSES_PER_SUBJECT,
      rows: functions.map(({ subject, floorSubject, ...row }) => ({
        ...row,
        timing: summarise(subject.samples),
        floor: summarise(floorSubject.samples),
      })),
      baseline: typeof boto3 === 'string' ? { unavailable: boto3 } : summarise(boto3.samples),
    };
  } finally {
    rmSync(floors.dir, { recursive: true, force: true });
  }
}

const ms = (value: number) => `${value.toFixed(1)} ms`;
const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
const range = (timing: Measurement) => `${timing.minMs.toFixed(0)}–${timing.maxMs.toFixed(0)}`;

export function printColdStartReport(report: ColdStartReport): void {
  const { baseline } = report;
  console.log(
    `\nCold initialisation: median of ${report.processes} fresh processes per subject, interleaved, timed inside the child.`,
  );
  console.log(
    'unavailable' in baseline
      ? `boto3 seed: unavailable (${baseline.unavailable}).`
      : `boto3 seed: python3 \`import boto3\` + boto3.client('dms'|'events'|'sns') = ${ms(baseline.medianMs)} (range ${range(baseline)} ms).`,
  );
  console.log(
    "Floor: a handler building only the function's cold-start SDK clients and its logger, bundled alike.",
  );
  console.log(
    `Goals: within ${FLOOR_RATIO_GOAL}× of the floor; parsed at init ≤ 700 KiB for the post-processor.\n`,
  );
  printTable(
    [
      'function',
      'package',
      'parsed at init',
      'floor parsed',
      'cold init',
      'range ms',
      'floor',
      'vs floor',
      'vs boto3',
      'goals met',
    ],
    report.rows.map((row) => {
      const ratio = row.timing.medianMs / row.floor.medianMs;
      const bytesGoal = PARSED_AT_INIT_GOAL[row.name];
      const met =
        ratio <= FLOOR_RATIO_GOAL && (bytesGoal === undefined || row.parsedAtInitBytes <= bytesGoal);
      return [
        row.name,
        kib(row.packageBytes),
        kib(row.parsedAtInitBytes),
        kib(row.floorParsedBytes),
        ms(row.timing.medianMs),
        range(row.timing),
        `${ms(row.floor.medianMs)} (${range(row.floor)})`,
        `${ratio.toFixed(2)}×`,
        'unavailable' in baseline ? 'n/a' : `${(row.timing.medianMs / baseline.medianMs).toFixed(2)}×`,
        met ? 'yes' : 'no',
      ];
    }),
  );
}
