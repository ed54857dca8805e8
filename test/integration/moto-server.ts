// moto_server as a child process for the integration tests: the real AWS adapters talk HTTP to it, so the
// tests check request shapes, error mapping and read-back state that client mocks cannot. Each suite gets its
// own server on a free port; CI must have moto_server, a developer's machine may lack it (the suite is skipped).
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { DatabaseMigrationServiceClient } from '@aws-sdk/client-database-migration-service';
import { freePort } from '../../local/free-port.ts';
import { toolAvailable } from '../support/missing-tools.ts';

export const MOTO_REGION = 'us-east-1';
export const MOTO_ACCOUNT_ID = '123456789012';

const STARTUP_TIMEOUT_MS = 30_000;
const POLL_INTERVAL_MS = 100;

/** SDK client settings that reach moto and nothing else: no ~/.aws profile, no real credentials. */
export interface MotoClientConfig {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

export interface RunningMotoServer {
  readonly endpoint: string;
  readonly clientConfig: MotoClientConfig;
  stop(): Promise<void>;
}

/** The moto_server executable on PATH, or undefined when it is not installed. */
/**
 * moto_server's path for the suite `suite`, reported as a missing tool (which CI turns into a failure) when it
 * is not on PATH: the suite then runs only where it is defined, with `describe.runIf(path !== undefined)`.
 */
export function motoServerFor(suite: string): string | undefined {
  const path = findMotoServer();
  toolAvailable(path !== undefined, suite, 'moto_server not on PATH (pip install "moto[server]")');
  return path;
}

export function findMotoServer(): string | undefined {
  for (const directory of (process.env.PATH ?? '').split(delimiter)) {
    if (!directory) continue;
    const candidate = join(directory, 'moto_server');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not in this directory: keep looking.
    }
  }
  return undefined;
}

export async function startMotoServer(executable: string): Promise<RunningMotoServer> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn(executable, ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  try {
    await waitUntilAnswering(endpoint, child, () => stderr);
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  return {
    endpoint,
    clientConfig: {
      endpoint,
      region: MOTO_REGION,
      credentials: { accessKeyId: 'moto-test-key', secretAccessKey: 'moto-test-secret' },
    },
    stop: () => stopChild(child),
  };
}

async function waitUntilAnswering(
  endpoint: string,
  child: ChildProcess,
  stderr: () => string,
): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`moto_server exited before answering (code ${child.exitCode}): ${stderr()}`);
    }
    try {
      const response = await fetch(`${endpoint}/moto-api/`);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
  throw new Error(`moto_server did not answer on ${endpoint} within ${STARTUP_TIMEOUT_MS} ms: ${stderr()}`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await exited;
}

/** An ISO date-time without a zone, as moto's DMS writes its timestamps (naive UTC, from `utcnow()`). */
const NAIVE_ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?$/;

/**
 * moto's DMS returns timestamps as naive ISO strings where the awsJson1_1 protocol (and real DMS) sends epoch
 * seconds; the JS SDK then refuses the whole response ("Expected real number, got implicit NaN"). This
 * rewrites them in the raw response body, before the SDK deserialises it, so the adapters under test run
 * unchanged. Only for clients pointed at moto.
 */
export function acceptMotoDmsTimestamps(client: DatabaseMigrationServiceClient): void {
  client.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const response = result.response;
      if (typeof response === 'object' && response !== null && 'body' in response) {
        const text = await bodyText(response.body);
        if (text !== undefined) response.body = Buffer.from(withEpochTimestamps(text));
      }
      return result;
    },
    // Low priority within the deserialize step: runs inside the SDK's deserializer, on the raw response.
    { step: 'deserialize', priority: 'low', name: 'motoDmsTimestampsToEpochSeconds' },
  );
}

function withEpochTimestamps(json: string): string {
  if (json.trim() === '') return json;
  return JSON.stringify(
    JSON.parse(json, (_key, value: unknown) =>
      typeof value === 'string' && NAIVE_ISO_TIMESTAMP.test(value) ? Date.parse(`${value}Z`) / 1000 : value,
    ),
  );
}

async function bodyText(body: unknown): Promise<string | undefined> {
  if (body instanceof Uint8Array) return Buffer.from(body).toString('utf8');
  if (!isAsyncIterable(body)) return undefined;
  const chunks: Buffer[] = [];
  for await (const chunk of body) {
    if (typeof chunk === 'string') chunks.push(Buffer.from(chunk));
    else if (chunk instanceof Uint8Array) chunks.push(Buffer.from(chunk));
    else throw new Error(`unexpected response body chunk: ${typeof chunk}`);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}
