// Why this file exists: DMS refuses a task whose table mapping breaks its rules only when the task is
// created or modified, one error at a time, after endpoints and an instance may already have been made. The
// rules DMS documents for table mappings (rule types, the keys each needs, unique ids and names, at least one
// selection that includes something) are checked here first, every problem at once, each with its JSON path.
import { type JsonObject, type JsonPath, Problems } from './json-path.ts';
import type { Problem } from './model.ts';

const RULE_TYPES = ['selection', 'transformation', 'table-settings', 'post-processing'] as const;
const SELECTION_ACTIONS = ['include', 'exclude', 'explicit'] as const;
const TRANSFORMATION_TARGETS = [
  'schema',
  'table',
  'column',
  'table-tablespace',
  'index-tablespace',
  'primary-key',
] as const;
const TRANSFORMATION_ACTIONS = [
  'add-column',
  'include-column',
  'remove-column',
  'rename',
  'convert-lowercase',
  'convert-uppercase',
  'add-prefix',
  'remove-prefix',
  'replace-prefix',
  'add-suffix',
  'remove-suffix',
  'replace-suffix',
  'define-primary-key',
  'change-data-type',
  'add-before-image-columns',
  'data-masking-digits-mask',
  'data-masking-digits-randomize',
  'data-masking-hash-mask',
] as const;
/** Transformation actions that say nothing without a `value` (the new name, prefix or suffix). */
const NEEDS_VALUE = new Set<string>([
  'rename',
  'add-column',
  'add-prefix',
  'remove-prefix',
  'replace-prefix',
  'add-suffix',
  'remove-suffix',
  'replace-suffix',
]);
const NEEDS_OLD_VALUE = new Set<string>(['replace-prefix', 'replace-suffix']);
const NEEDS_DATA_TYPE = new Set<string>(['add-column', 'change-data-type']);
const TABLE_TYPES = ['table', 'view', 'all'] as const;

/** Every problem of `mappings` (the parsed contents of `file`); empty when DMS would accept it. */
export function validateTableMappings(file: string, mappings: unknown): Problem[] {
  const problems = new Problems(file);
  const top = problems.object(mappings, []);
  if (top === undefined) return problems.found;
  problems.onlyKeys(top, [], ['rules']);
  const rules = top.rules;
  if (!Array.isArray(rules)) {
    problems.add(['rules'], rules === undefined ? 'is required (an array of rules)' : 'expected an array');
    return problems.found;
  }
  const ids = new Map<string, number>();
  const names = new Map<string, number>();
  let includes = 0;
  rules.forEach((value, index) => {
    const path: JsonPath = ['rules', index];
    const rule = problems.object(value, path);
    if (rule === undefined) return;
    const id = ruleId(problems, rule, path);
    if (id !== undefined) noteUnique(problems, ids, id, index, [...path, 'rule-id'], 'rule-id');
    const name = problems.string(rule['rule-name'], [...path, 'rule-name']);
    if (name !== undefined) noteUnique(problems, names, name, index, [...path, 'rule-name'], 'rule-name');
    const type = problems.oneOf(rule['rule-type'], [...path, 'rule-type'], RULE_TYPES);
    if (type === 'selection' && checkSelection(problems, rule, path)) includes += 1;
    if (type === 'transformation') checkTransformation(problems, rule, path);
    if (type === 'table-settings')
      checkLocator(problems, rule['object-locator'], [...path, 'object-locator'], true);
  });
  if (includes === 0) {
    problems.add(['rules'], 'needs at least one selection rule whose rule-action is include or explicit');
  }
  return problems.found;
}

function ruleId(problems: Problems, rule: JsonObject, path: JsonPath): string | undefined {
  const id = rule['rule-id'];
  if (
    (typeof id === 'string' && /^\d+$/.test(id)) ||
    (typeof id === 'number' && Number.isInteger(id) && id >= 0)
  ) {
    return String(id);
  }
  problems.add(
    [...path, 'rule-id'],
    id === undefined ? 'is required' : 'expected a number (or a string of digits)',
  );
  return undefined;
}

function noteUnique(
  problems: Problems,
  seen: Map<string, number>,
  value: string,
  index: number,
  path: JsonPath,
  what: string,
): void {
  const first = seen.get(value);
  if (first === undefined) seen.set(value, index);
  else
    problems.add(
      path,
      `${what} ${JSON.stringify(value)} is also used by rules[${first}]; each must be unique`,
    );
}

/** True when the selection includes tables (include or explicit). */
function checkSelection(problems: Problems, rule: JsonObject, path: JsonPath): boolean {
  checkLocator(problems, rule['object-locator'], [...path, 'object-locator'], true);
  const action = problems.oneOf(rule['rule-action'], [...path, 'rule-action'], SELECTION_ACTIONS);
  const filters = rule.filters;
  if (filters !== undefined && !Array.isArray(filters))
    problems.add([...path, 'filters'], 'expected an array');
  if (Array.isArray(filters)) {
    filters.forEach((filter, index) => {
      const filterPath: JsonPath = [...path, 'filters', index];
      const object = problems.object(filter, filterPath);
      if (object === undefined) return;
      problems.string(object['column-name'], [...filterPath, 'column-name']);
      if (!Array.isArray(object['filter-conditions'])) {
        problems.add([...filterPath, 'filter-conditions'], 'is required (an array of conditions)');
      }
    });
  }
  return action === 'include' || action === 'explicit';
}

function checkTransformation(problems: Problems, rule: JsonObject, path: JsonPath): void {
  const target = problems.oneOf(rule['rule-target'], [...path, 'rule-target'], TRANSFORMATION_TARGETS);
  checkLocator(problems, rule['object-locator'], [...path, 'object-locator'], target !== 'schema');
  const action = problems.oneOf(rule['rule-action'], [...path, 'rule-action'], TRANSFORMATION_ACTIONS);
  if (action === undefined) return;
  if (NEEDS_VALUE.has(action)) problems.string(rule.value, [...path, 'value']);
  if (NEEDS_OLD_VALUE.has(action)) problems.string(rule['old-value'], [...path, 'old-value']);
  if (NEEDS_DATA_TYPE.has(action)) problems.object(rule['data-type'], [...path, 'data-type']);
  if (target === 'column' && action !== 'add-column' && action !== 'add-before-image-columns') {
    const locator = rule['object-locator'];
    if (typeof locator === 'object' && locator !== null && !('column-name' in locator)) {
      problems.add([...path, 'object-locator', 'column-name'], 'is required when rule-target is column');
    }
  }
}

function checkLocator(problems: Problems, value: unknown, path: JsonPath, needsTable: boolean): void {
  const locator = problems.object(value, path);
  if (locator === undefined) return;
  problems.string(locator['schema-name'], [...path, 'schema-name']);
  if (needsTable) problems.string(locator['table-name'], [...path, 'table-name']);
  problems.oneOf(locator['table-type'], [...path, 'table-type'], TABLE_TYPES, false);
}
