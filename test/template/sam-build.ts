// `sam build` emulated, for machines without the SAM CLI: its esbuild workflow copies the code, installs
// production dependencies only, looks for esbuild in that copy's node_modules/.bin (then on PATH), and runs it
// with the function's BuildProperties from the code's directory. What it ships is the bundle alone, so the
// built handler must load on its own, with nothing but Node's built-ins around it.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { localEsbuild, runEsbuild } from '../../sam-esbuild.mjs';

export interface ScratchCopy {
  readonly directory: string;
  /** The esbuild the workflow would find in the copy, if the production install put one there. */
  readonly esbuild: string | undefined;
  readonly installMs: number;
  readonly remove: () => void;
}

/**
 * What a fresh clone holds (tracked files, plus new ones not ignored) copied to a scratch directory, with
 * `npm ci --omit=dev` run there. `--prefer-offline` lets npm take packages from its cache.
 */
export function productionCopy(root: string): ScratchCopy {
  const directory = mkdtempSync(join(tmpdir(), 'dms-scheduler-sam-build-'));
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], {
    cwd: root,
    encoding: 'utf8',
  })
    .split('\0')
    .filter((file) => file !== '' && existsSync(join(root, file)));
  for (const file of files) {
    mkdirSync(dirname(join(directory, file)), { recursive: true });
    cpSync(join(root, file), join(directory, file));
  }
  const started = performance.now();
  execFileSync('npm', ['ci', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund'], {
    cwd: directory,
    stdio: 'pipe',
    timeout: 110_000,
  });
  const installMs = performance.now() - started;
  const esbuild = localEsbuild(directory);
  return {
    directory,
    esbuild: existsSync(esbuild) ? esbuild : undefined,
    installMs,
    remove: () => rmSync(directory, { recursive: true, force: true }),
  };
}

/** Builds one function from the copy as the workflow does; returns the files it wrote, relative to outdir. */
export function buildFunction(
  copy: ScratchCopy,
  codeUri: string,
  properties: Record<string, unknown>,
  outdir: string,
): string[] {
  if (copy.esbuild === undefined) throw new Error('no esbuild in the production install');
  runEsbuild(copy.esbuild, properties, { cwd: join(copy.directory, codeUri), outdir });
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory() ? files(join(dir, entry.name)) : [relative(outdir, join(dir, entry.name))],
    );
  return files(outdir).sort();
}

export interface ImportOutcome {
  readonly ok: boolean;
  readonly handlerType: string;
  readonly output: string;
}

/**
 * Imports a built module in a fresh `node`, from its own directory (no node_modules anywhere up the tree
 * when outdir is a scratch directory), with exactly the given environment plus PATH: the Lambda runtime
 * starts the same way. Then imports each other module given, as a hook's first use would.
 */
export function importBuilt(
  handlerFile: string,
  others: readonly string[],
  env: Readonly<Record<string, string>>,
): ImportOutcome {
  const url = (file: string) => JSON.stringify(pathToFileURL(file).href);
  const script = [
    `const module = await import(${url(handlerFile)});`,
    ...others.map((file) => `await import(${url(file)});`),
    'console.log(JSON.stringify({ handlerType: typeof module.handler }));',
  ].join('\n');
  const child = spawnSync(process.execPath, ['--input-type=module', '--eval', script], {
    cwd: dirname(handlerFile),
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });
  const lastLine = child.stdout.trim().split('\n').at(-1) ?? '';
  const reported = child.status === 0 ? (JSON.parse(lastLine) as { handlerType: string }) : undefined;
  return {
    ok: child.status === 0,
    handlerType: reported?.handlerType ?? 'none',
    output: `${child.stdout}${child.stderr}`.slice(-4000),
  };
}
