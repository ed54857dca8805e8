// Why this file exists: the hooks command reads a configuration the way the post-processor does, so what it says
// about a file is what a deployment would say: the same parser and the same messages (parseHooksConfig), over
// the same bundled SQL scripts and registered modules. `--config NAME` reads hooks/configs/NAME.json from the
// working tree (what the team is editing) and says so when the committed bundle, which a deployment runs, no
// longer matches it; `--config-file PATH` reads any file. A name or file that cannot be read is bad input (exit
// 2); a file that reads but does not parse is a problem with the configuration (exit 1).
import { readdirSync, readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigurationError } from '#shared/errors';
import { type HookSources, type HooksConfig, parseHooksConfig } from '#shared/hooks/config-file';
import { HOOKS_CONFIG_NAME, hooksConfigFile } from '#shared/hooks/configs';
import { HOOKS_CONFIGS } from '../../hooks/configs/configs.generated.ts';
import { CUSTOM_HOOKS } from '../../hooks/custom/index.ts';
import { SQL_SCRIPTS } from '../../hooks/sql/scripts.generated.ts';
import type { ConfigSource } from './arguments.ts';
import { InputError } from './input-error.ts';

/** What the post-processor's configurations may refer to: the bundled scripts and the registered modules. */
export const BUNDLED_SOURCES: HookSources = { sqlScripts: SQL_SCRIPTS, modules: CUSTOM_HOOKS };

const REPOSITORY = fileURLToPath(new URL('../../', import.meta.url));

export interface ConfigText {
  /** How messages name the file: hooks/configs/NAME.json, or the path as given. */
  readonly file: string;
  readonly text: string;
  /** A note for the reader, e.g. that the committed bundle differs from the file. */
  readonly note: string | undefined;
}

function readable(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new InputError(
      `--config-file ${path} cannot be read${typeof code === 'string' ? ` (${code})` : ''}`,
    );
  }
}

function bundledNames(): string[] {
  try {
    return readdirSync(resolve(REPOSITORY, 'hooks/configs'))
      .filter((file) => file.endsWith('.json'))
      .map((file) => file.slice(0, -'.json'.length))
      .sort();
  } catch {
    return Object.keys(HOOKS_CONFIGS).sort();
  }
}

/** Reads the configuration's text. Throws InputError for a name not in hooks/configs/ or an unreadable file. */
export function readConfigText(source: ConfigSource, cwd: string = process.cwd()): ConfigText {
  if (source.kind === 'file') {
    const path = isAbsolute(source.path) ? source.path : resolve(cwd, source.path);
    return { file: source.path, text: readable(path), note: undefined };
  }
  const { name } = source;
  const names = bundledNames();
  if (!HOOKS_CONFIG_NAME.test(name) || !names.includes(name)) {
    const shape = HOOKS_CONFIG_NAME.test(name)
      ? ''
      : ' (a name is 1 to 64 lowercase letters, digits, hyphens)';
    throw new InputError(
      `--config: there is no ${HOOKS_CONFIG_NAME.test(name) ? hooksConfigFile(name) : 'such configuration'}${shape}; configurations: ${names.join(', ') || 'none'} (a file elsewhere: --config-file PATH)`,
    );
  }
  const file = hooksConfigFile(name);
  let text: string;
  try {
    text = readFileSync(resolve(REPOSITORY, file), 'utf8');
  } catch {
    throw new InputError(`--config: ${file} cannot be read`);
  }
  const bundled = HOOKS_CONFIGS[name];
  const note =
    bundled === undefined
      ? `${file} is not in the committed bundle yet: run npm run hooks:configs before deploying it`
      : bundled !== text
        ? `${file} differs from the committed bundle a deployment runs: run npm run hooks:configs`
        : undefined;
  return { file, text, note };
}

export type ParsedConfig =
  | { readonly ok: true; readonly config: HooksConfig }
  | { readonly ok: false; readonly problems: readonly string[] };

/** Parses the text as the post-processor would. */
export function parseConfigText(config: ConfigText, sources: HookSources = BUNDLED_SOURCES): ParsedConfig {
  let input: unknown;
  try {
    input = JSON.parse(config.text);
  } catch (error) {
    return { ok: false, problems: [`${config.file} is not JSON (${(error as Error).message})`] };
  }
  try {
    return { ok: true, config: parseHooksConfig(input, sources, config.file) };
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    return { ok: false, problems: error.problems };
  }
}
