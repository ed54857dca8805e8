// The bundles' settings live in one place, template.yaml: each function's Metadata.BuildProperties, which
// `sam build` hands to esbuild. This module reads them and turns them into the esbuild command line the way
// the SAM CLI's esbuild workflow does (aws-lambda-builders, workflows/nodejs_npm_esbuild/esbuild.py:
// EsbuildCommandBuilder), so `npm run build` and the SAM-build test bundle what `sam build` would.
// A property that workflow does not pass on (Splitting, for one) would be dropped silently by `sam build`:
// here it is an error.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

// The keys the workflow passes on, by kind (its SUPPORTED_ESBUILD_APIS_* lists), in the SAM CLI's spelling.
const BOOLEAN = ['Minify', 'Sourcemap'];
const SINGLE_VALUE = ['Target', 'Format', 'MainFields', 'SourcesContent'];
const MULTI_VALUE = ['External', 'Loader', 'OutExtension', 'Banner'];
const KNOWN = new Set(['EntryPoints', ...BOOLEAN, ...SINGLE_VALUE, ...MULTI_VALUE]);

/** MainFields → main-fields: the SAM CLI snake-cases the key, the workflow kebab-cases it for esbuild. */
const flag = (key) => key.replace(/(?<=[a-z])(?=[A-Z])/g, '-').toLowerCase();

/**
 * Every esbuild-built function of the template: its logical id, CodeUri and BuildProperties. The
 * CloudFormation short forms (!Sub …) are not needed here, so their tags are only tolerated.
 */
export function samFunctions(templatePath = 'template.yaml') {
  const template = parse(readFileSync(templatePath, 'utf8'), { logLevel: 'error' });
  return Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === 'AWS::Serverless::Function')
    .filter(([, resource]) => resource.Metadata?.BuildMethod === 'esbuild')
    .map(([id, resource]) => ({
      id,
      codeUri: resource.Properties.CodeUri,
      environment: resource.Properties.Environment?.Variables ?? {},
      properties: resource.Metadata.BuildProperties,
    }));
}

/** The arguments the workflow gives esbuild for these BuildProperties, writing into outdir. */
export function esbuildArgs(properties, outdir) {
  const unknown = Object.keys(properties).filter((key) => !KNOWN.has(key));
  if (unknown.length > 0) {
    throw new Error(`BuildProperties ${unknown.join(', ')}: not passed to esbuild by \`sam build\``);
  }
  const entryPoints = properties.EntryPoints;
  if (!Array.isArray(entryPoints) || entryPoints.length === 0) {
    throw new Error('BuildProperties.EntryPoints must be a non-empty list');
  }
  const args = [...entryPoints, '--bundle', '--platform=node', `--outdir=${outdir}`];
  if (!('Target' in properties)) args.push('--target=es2020');
  if (!('Format' in properties)) args.push('--format=cjs');
  if (!('Minify' in properties)) args.push('--minify');
  for (const key of BOOLEAN) if (properties[key] === true) args.push(`--${flag(key)}`);
  for (const key of SINGLE_VALUE) if (key in properties) args.push(`--${flag(key)}=${properties[key]}`);
  for (const key of MULTI_VALUE) {
    if (!(key in properties)) continue;
    if (!Array.isArray(properties[key])) throw new Error(`BuildProperties.${key} must be a list`);
    for (const value of properties[key]) args.push(`--${flag(key)}:${value}`);
  }
  return args;
}

/** Runs one esbuild binary as `sam build` does: from the code's directory, failing with esbuild's message. */
export function runEsbuild(esbuildBinary, properties, { cwd, outdir }) {
  const child = spawnSync(esbuildBinary, [...esbuildArgs(properties, outdir), '--log-level=warning'], {
    cwd,
    encoding: 'utf8',
  });
  if (child.error) throw child.error;
  if (child.status !== 0) throw new Error(`esbuild failed (${child.status}):\n${child.stderr}`);
  return child.stderr;
}

/** functions/<name>/handler.ts → <name>: where build.mjs puts that function's bundles (dist/<name>/). */
export const functionName = (properties) => String(properties.EntryPoints[0]).split('/')[1];

export const localEsbuild = (root) => join(root, 'node_modules', '.bin', 'esbuild');
