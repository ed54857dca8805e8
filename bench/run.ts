// `npm run bench`: how heavy each Lambda bundle is to ship and to cold-start, against a boto3 baseline.
// Cold start here is the module initialisation Lambda pays once per container: the time to import() the bundle
// (config parsed, SDK clients built, no network) inside a fresh `node` process, median over several processes.
// The baseline, measured in the same run, is what the founding blog's Python starter pays for the same job:
// importing boto3 and building the DMS, EventBridge and SNS clients. Timings are taken inside each child, so
// interpreter start-up is excluded on both sides.
// Then the masking figures of bench/masking.ts (PostgreSQL and MariaDB: four columns together, then each strategy
// on one column; then, on PostgreSQL, PII discovery over 100 tables beside the masking of one of them, from
// bench/discovery.ts), which also runs on its own.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { benchMasking, printMaskingReport } from './masking.ts';
import { printTable } from './print-table.ts';

const PROCESSES_PER_SUBJECT = 15;
const CHILD_TIMEOUT_MS = 20_000;

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
  HOOKS: 'log-run',
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

interface Measurement {
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
}

type Baseline =
  | { readonly available: true; readonly timing: Measurement }
  | { readonly available: false; readonly why: string };

/** The user's environment without any AWS_* setting (profiles, endpoints), plus the sample values. */
function childEnv(): NodeJS.ProcessEnv {
  const inherited = Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_'));
  return { ...Object.fromEntries(inherited), ...SAMPLE_ENV };
}

/** The functions build.mjs bundles: every functions/<name>/handler.ts. */
function functionNames(): string[] {
  return readdirSync('functions', { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join('functions', entry.name, 'handler.ts')))
    .map((entry) => entry.name)
    .sort();
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

function measure(command: string, args: readonly string[]): Measurement {
  const samples = Array.from({ length: PROCESSES_PER_SUBJECT }, () => timeInChild(command, args)).sort(
    (a, b) => a - b,
  );
  const middle = Math.floor(samples.length / 2);
  const median =
    samples.length % 2 === 1
      ? (samples[middle] ?? Number.NaN)
      : ((samples[middle - 1] ?? Number.NaN) + (samples[middle] ?? Number.NaN)) / 2;
  return { medianMs: median, minMs: samples[0] ?? Number.NaN, maxMs: samples.at(-1) ?? Number.NaN };
}

function measureBundleImport(bundlePath: string): Measurement {
  const url = pathToFileURL(resolve(bundlePath)).href;
  const script = [
    'const started = performance.now();',
    `await import(${JSON.stringify(url)});`,
    'console.log(JSON.stringify({ ms: performance.now() - started }));',
  ].join('\n');
  return measure(process.execPath, ['--input-type=module', '--eval', script]);
}

function measureBaseline(): Baseline {
  const probe = spawnSync('python3', ['-c', 'import boto3'], { env: childEnv(), encoding: 'utf8' });
  if (probe.error) return { available: false, why: 'python3 not found' };
  if (probe.status !== 0) return { available: false, why: 'boto3 not importable by python3' };
  return { available: true, timing: measure('python3', ['-c', BOTO3_BASELINE]) };
}

const formatMs = (ms: number) => `${ms.toFixed(1)} ms`;
const spread = (timing: Measurement) => `${timing.minMs.toFixed(0)}–${timing.maxMs.toFixed(0)}`;

const benchStarted = performance.now();
const functions = functionNames().map((name) => {
  const bundlePath = join('dist', name, 'handler.mjs');
  if (!existsSync(bundlePath)) throw new Error(`${bundlePath} is missing: run \`npm run build\` first`);
  return { name, sizeKiB: statSync(bundlePath).size / 1024, timing: measureBundleImport(bundlePath) };
});
const baseline = measureBaseline();

console.log(
  `\nCold initialisation: median of ${PROCESSES_PER_SUBJECT} fresh processes each, timed inside the child.`,
);
console.log(
  baseline.available
    ? `Baseline: python3 \`import boto3\` + boto3.client('dms'|'events'|'sns') = ${formatMs(baseline.timing.medianMs)} (range ${spread(baseline.timing)} ms).`
    : `Baseline: unavailable (${baseline.why}).`,
);
console.log('Ratio = function init time / baseline time (below 1× is faster than the boto3 starter).\n');
printTable(
  ['function', 'bundle', 'cold init (median)', 'range ms', 'vs boto3 baseline'],
  functions.map(({ name, sizeKiB, timing }) => [
    name,
    `${sizeKiB.toFixed(1)} KiB`,
    formatMs(timing.medianMs),
    spread(timing),
    baseline.available
      ? `${(timing.medianMs / baseline.timing.medianMs).toFixed(2)}×`
      : 'baseline unavailable',
  ]),
);
// The masking and discovery figures, engine by engine (MASK_BENCH_* in the environment: see bench/masking.ts).
printMaskingReport(await benchMasking());
console.log(`\nbench took ${((performance.now() - benchStarted) / 1000).toFixed(1)} s`);
