// Why this file exists: a replication task's settings are one JSON document of named sections; a misspelt
// section or a wrong value is refused by DMS at CreateReplicationTask, after the import has already made the
// endpoints and the instance. The keys DMS documents, and the values that have a closed set, are checked
// here before any call, each problem with its file and JSON path.
import { type JsonPath, Problems } from './json-path.ts';
import type { Problem } from './model.ts';

/** The top-level sections of ReplicationTaskSettings, as DMS documents them ("Task settings example"). */
export const TASK_SETTINGS_SECTIONS = [
  'TargetMetadata',
  'FullLoadSettings',
  'TTSettings',
  'Logging',
  'ControlTablesSettings',
  'StreamBufferSettings',
  'ChangeProcessingTuning',
  'ChangeProcessingDdlHandlingPolicy',
  'LoopbackPreventionSettings',
  'CharacterSetSettings',
  'BeforeImageSettings',
  'ErrorBehavior',
  'ValidationSettings',
  'PostProcessingRules',
  'FailTaskWhenCleanTaskResourceFailed',
] as const;

/** Sections whose value is not an object. */
const SCALAR_SECTIONS = new Set<string>(['FailTaskWhenCleanTaskResourceFailed']);
/** Sections DMS writes as null when unused. */
const NULLABLE_SECTIONS = new Set<string>([
  'LoopbackPreventionSettings',
  'CharacterSetSettings',
  'BeforeImageSettings',
  'PostProcessingRules',
  'TTSettings',
]);

const TARGET_TABLE_PREP_MODES = ['DO_NOTHING', 'DROP_AND_CREATE', 'TRUNCATE_BEFORE_LOAD'] as const;
const LOG_SEVERITIES = [
  'LOGGER_SEVERITY_ERROR',
  'LOGGER_SEVERITY_WARNING',
  'LOGGER_SEVERITY_INFO',
  'LOGGER_SEVERITY_DEFAULT',
  'LOGGER_SEVERITY_DEBUG',
  'LOGGER_SEVERITY_DETAILED_DEBUG',
] as const;

export function validateTaskSettings(file: string, settings: unknown): Problem[] {
  const problems = new Problems(file);
  const top = problems.object(settings, []);
  if (top === undefined) return problems.found;
  problems.onlyKeys(top, [], TASK_SETTINGS_SECTIONS);
  for (const [key, value] of Object.entries(top)) {
    if (!(TASK_SETTINGS_SECTIONS as readonly string[]).includes(key)) continue;
    if (SCALAR_SECTIONS.has(key)) {
      if (typeof value !== 'boolean') problems.add([key], 'expected true or false');
    } else if (!(value === null && NULLABLE_SECTIONS.has(key))) {
      problems.object(value, [key]);
    }
  }
  const fullLoad = top.FullLoadSettings;
  if (typeof fullLoad === 'object' && fullLoad !== null && 'TargetTablePrepMode' in fullLoad) {
    problems.oneOf(
      fullLoad.TargetTablePrepMode,
      ['FullLoadSettings', 'TargetTablePrepMode'],
      TARGET_TABLE_PREP_MODES,
    );
  }
  checkLogging(problems, top.Logging);
  return problems.found;
}

function checkLogging(problems: Problems, logging: unknown): void {
  if (typeof logging !== 'object' || logging === null) return;
  const path: JsonPath = ['Logging'];
  const record = logging as Record<string, unknown>;
  if ('EnableLogging' in record && typeof record.EnableLogging !== 'boolean') {
    problems.add([...path, 'EnableLogging'], 'expected true or false');
  }
  const components = record.LogComponents;
  if (components === undefined) return;
  if (!Array.isArray(components)) {
    problems.add([...path, 'LogComponents'], 'expected an array of { Id, Severity }');
    return;
  }
  components.forEach((component, index) => {
    const componentPath: JsonPath = [...path, 'LogComponents', index];
    const object = problems.object(component, componentPath);
    if (object === undefined) return;
    problems.string(object.Id, [...componentPath, 'Id']);
    problems.oneOf(object.Severity, [...componentPath, 'Severity'], LOG_SEVERITIES);
  });
}
