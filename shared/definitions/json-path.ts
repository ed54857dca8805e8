// Why this file exists: every validation error names the file and the JSON path of the value at fault, so a
// person fixing a 300-rule table mapping goes straight to it. The checks share this small kit: a path that
// prints as `$.rules[2]["object-locator"]`, and a collector that gathers every problem of a file at once.
import type { Problem } from './model.ts';

export type JsonPath = readonly (string | number)[];

const PLAIN_KEY = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

export function formatPath(path: JsonPath): string {
  return `$${path
    .map((segment) =>
      typeof segment === 'number'
        ? `[${segment}]`
        : PLAIN_KEY.test(segment)
          ? `.${segment}`
          : `[${JSON.stringify(segment)}]`,
    )
    .join('')}`;
}

export type JsonObject = Record<string, unknown>;

export const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Problems of one file, in the order they were found. */
export class Problems {
  readonly found: Problem[] = [];

  constructor(readonly file: string) {}

  add(path: JsonPath, message: string): void {
    this.found.push({ file: this.file, path: formatPath(path), message });
  }

  /** The value at `path` is an object, or a problem is recorded and undefined returned. */
  object(value: unknown, path: JsonPath): JsonObject | undefined {
    if (isObject(value)) return value;
    this.add(path, `expected an object, got ${kindOf(value)}`);
    return undefined;
  }

  string(value: unknown, path: JsonPath, required = true): string | undefined {
    if (value === undefined && !required) return undefined;
    if (typeof value === 'string' && value.trim() !== '') return value;
    this.add(path, value === undefined ? 'is required' : `expected a non-empty string, got ${kindOf(value)}`);
    return undefined;
  }

  oneOf<T extends string>(
    value: unknown,
    path: JsonPath,
    allowed: readonly T[],
    required = true,
  ): T | undefined {
    if (value === undefined && !required) return undefined;
    if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
    this.add(
      path,
      value === undefined
        ? `is required (one of ${allowed.join(', ')})`
        : `${JSON.stringify(value)} is not one of ${allowed.join(', ')}`,
    );
    return undefined;
  }

  /** Keys of `object` that are not in `known` are problems; the message lists the known ones. */
  onlyKeys(object: JsonObject, path: JsonPath, known: readonly string[]): void {
    for (const key of Object.keys(object)) {
      if (!known.includes(key)) {
        this.add([...path, key], `unknown key (known: ${known.join(', ')})`);
      }
    }
  }
}

export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.slice(0, 40))}`;
  return `${typeof value} ${String(value)}`;
}
