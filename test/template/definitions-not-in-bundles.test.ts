// The command line's task-definitions code (export, import, generate: shared/definitions/, cli/) and the
// packages only it uses (the STS client, the YAML writer) must never reach a Lambda bundle: each function is
// bundled here with its own EntryPoints, as `sam build` does, and esbuild's list of inputs is searched.
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { samFunctions } from '../../sam-esbuild.mjs';

const FORBIDDEN = /(^|\/)(shared\/definitions|cli)\/|node_modules\/(yaml|@aws-sdk\/client-sts)\//;

describe('Lambda bundles', () => {
  it.each(
    samFunctions().map((fn) => [fn.id, fn] as const),
  )('%s bundles none of the definitions code', async (_id, fn) => {
    const result = await build({
      entryPoints: fn.properties.EntryPoints as string[],
      bundle: true,
      platform: 'node',
      format: 'esm',
      write: false,
      metafile: true,
      outdir: 'unused',
      logLevel: 'silent',
      ...(Array.isArray(fn.properties.External) && { external: fn.properties.External as string[] }),
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((input) => input.startsWith('functions/'))).toBe(true);
    expect(inputs.filter((input) => FORBIDDEN.test(input))).toEqual([]);
  });

  it('the search would find the definitions code if a function imported it', async () => {
    const result = await build({
      entryPoints: ['cli/definitions/import-command.ts'],
      bundle: true,
      platform: 'node',
      format: 'esm',
      write: false,
      metafile: true,
      outdir: 'unused',
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((input) => input.startsWith('shared/definitions/'))).toBe(true);
    expect(inputs.some((input) => /node_modules\/yaml\//.test(input))).toBe(true);
    expect(inputs.some((input) => /node_modules\/@aws-sdk\/client-sts\//.test(input))).toBe(true);
  });
});
