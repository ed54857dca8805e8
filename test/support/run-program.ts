// Runs the dms-scheduler program as an operator would, in a child process (`node --import tsx
// bin/dms-scheduler.ts …`), and hands back what it printed and its exit code: the tests see exactly what a
// terminal, a pipe or a script sees, with commander, the streams and process.exitCode all real.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PROGRAM = 'bin/dms-scheduler.ts';

export interface ProgramResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface ProgramOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Modules loaded before the program (`node --import`), e.g. test/integration/moto-dms-preload.ts. */
  readonly preload?: readonly string[];
}

/** The node arguments that start the program with `args`. */
export function programCommand(args: readonly string[], preload: readonly string[] = []): string[] {
  return ['--import', 'tsx', ...preload.flatMap((file) => ['--import', file]), PROGRAM, ...args];
}

export function runProgram(args: readonly string[], options: ProgramOptions): Promise<ProgramResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, programCommand(args, options.preload), {
      cwd: REPO_ROOT,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}
