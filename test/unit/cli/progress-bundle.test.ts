// The progress bar is the command line's alone: cli-progress, and any file of cli/, must never reach a
// Lambda bundle (a bigger cold start, and code no function runs). esbuild bundles each function's entry
// points as template.yaml's BuildProperties say, and its metafile lists every input that went in.
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { samFunctions } from '../../../sam-esbuild.mjs';

describe('the Lambda bundles', () => {
  it.each(
    samFunctions().map(({ id, properties }) => [id, properties] as const),
  )('%s holds neither cli-progress nor the command line', async (_id, properties) => {
    const result = await build({
      entryPoints: properties.EntryPoints as string[],
      bundle: true,
      platform: 'node',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
      outdir: 'dist-never-written',
      external: (properties.External as string[] | undefined) ?? [],
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((input) => input.includes('shared/runs/advance.ts'))).toBe(true);
    expect(inputs.filter((input) => /cli-progress|(^|\/)cli\//.test(input))).toEqual([]);
  });
});
