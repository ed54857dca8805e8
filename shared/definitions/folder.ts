// Why this file exists: the definitions folder on disk: `manifest.json` and, per task, `tm-<task>.json`
// (table mappings) and `rts-<task>.json` (replication task settings). Reading it validates every file
// against DMS's rules and the folder's own before anything else happens, and reports every problem at
// once; writing it is the last step of an export, and writes only what normalise.ts kept.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type Definitions,
  DefinitionsError,
  MANIFEST_FILE,
  MANIFEST_KIND,
  MANIFEST_VERSION,
  type Problem,
  type TaskDefinition,
  tableMappingsFile,
  taskSettingsFile,
} from './model.ts';
import { validateManifest } from './validate-manifest.ts';
import { validateTableMappings } from './validate-table-mappings.ts';
import { validateTaskSettings } from './validate-task-settings.ts';

const TASK_FILE = /^(tm|rts)-(.+)\.json$/;

/** The folder's definitions; throws DefinitionsError naming every file and JSON path at fault. */
export function readDefinitions(dir: string): Definitions {
  const problems: Problem[] = [];
  const files = listFiles(dir);
  const manifestJson = readJson(dir, MANIFEST_FILE, problems, files);
  if (manifestJson === undefined) throw new DefinitionsError(`${dir} is not a definitions folder`, problems);
  const { manifest, problems: manifestProblems } = validateManifest(manifestJson);
  problems.push(...manifestProblems);
  const tasks: Record<string, TaskDefinition> = {};
  if (manifest !== undefined) {
    for (const [id, task] of Object.entries(manifest.tasks)) {
      const tableMappings = readJson(dir, tableMappingsFile(id), problems, files);
      if (tableMappings !== undefined)
        problems.push(...validateTableMappings(tableMappingsFile(id), tableMappings));
      const settingsName = taskSettingsFile(id);
      const settings = files.has(settingsName) ? readJson(dir, settingsName, problems, files) : undefined;
      if (settings !== undefined) problems.push(...validateTaskSettings(settingsName, settings));
      tasks[id] = {
        ...task,
        tableMappings,
        ...(settings !== undefined && { settings: settings as Record<string, unknown> }),
      };
    }
    for (const file of files) {
      const match = TASK_FILE.exec(file);
      if (match?.[2] !== undefined && !(match[2] in manifest.tasks)) {
        problems.push({
          file,
          path: '$',
          message: `no task ${JSON.stringify(match[2])} in ${MANIFEST_FILE}: add it to tasks, or remove the file`,
        });
      }
    }
  }
  if (problems.length > 0 || manifest === undefined) {
    throw new DefinitionsError(
      `the definitions in ${dir} are not valid (${problems.length} problem${problems.length === 1 ? '' : 's'}; nothing was changed)`,
      problems,
    );
  }
  return { endpoints: manifest.endpoints, replicationInstances: manifest.replicationInstances, tasks };
}

/** Writes the folder (creating it); returns the files written, manifest first. */
export function writeDefinitions(dir: string, definitions: Definitions): string[] {
  mkdirSync(dir, { recursive: true });
  const manifest = {
    kind: MANIFEST_KIND,
    version: MANIFEST_VERSION,
    endpoints: sortedByKey(definitions.endpoints),
    replicationInstances: sortedByKey(definitions.replicationInstances),
    tasks: Object.fromEntries(
      Object.entries(sortedByKey(definitions.tasks)).map(([id, task]) => [
        id,
        {
          migrationType: task.migrationType,
          sourceEndpoint: task.sourceEndpoint,
          targetEndpoint: task.targetEndpoint,
          replicationInstance: task.replicationInstance,
        },
      ]),
    ),
  };
  const written = [MANIFEST_FILE];
  writeJson(dir, MANIFEST_FILE, manifest);
  for (const [id, task] of Object.entries(sortedByKey(definitions.tasks))) {
    writeJson(dir, tableMappingsFile(id), task.tableMappings);
    written.push(tableMappingsFile(id));
    if (task.settings !== undefined) {
      writeJson(dir, taskSettingsFile(id), task.settings);
      written.push(taskSettingsFile(id));
    }
  }
  return written;
}

function listFiles(dir: string): Set<string> {
  try {
    return new Set(readdirSync(dir));
  } catch {
    return new Set();
  }
}

function readJson(dir: string, file: string, problems: Problem[], files: Set<string>): unknown {
  if (!files.has(file)) {
    problems.push({ file, path: '$', message: `missing: ${join(dir, file)} does not exist` });
    return undefined;
  }
  try {
    return JSON.parse(readFileSync(join(dir, file), 'utf8'));
  } catch (error) {
    problems.push({
      file,
      path: '$',
      message: `not valid JSON (${error instanceof Error ? error.message : String(error)})`,
    });
    return undefined;
  }
}

function writeJson(dir: string, file: string, value: unknown): void {
  writeFileSync(join(dir, file), `${JSON.stringify(value, null, 2)}\n`);
}

function sortedByKey<T>(record: Readonly<Record<string, T>>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}
