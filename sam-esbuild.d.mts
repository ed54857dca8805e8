// Types of sam-esbuild.mjs, for the TypeScript that imports it (the SAM-build test).
export interface SamFunction {
  readonly id: string;
  readonly codeUri: string;
  readonly environment: Readonly<Record<string, unknown>>;
  readonly properties: Record<string, unknown>;
}
export function samFunctions(templatePath?: string): SamFunction[];
export function esbuildArgs(properties: Record<string, unknown>, outdir: string): string[];
export function runEsbuild(
  esbuildBinary: string,
  properties: Record<string, unknown>,
  options: { cwd: string; outdir: string },
): string;
export function functionName(properties: Record<string, unknown>): string;
export function localEsbuild(root: string): string;
