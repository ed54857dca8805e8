// The sample events in events/, as the tests read them: the same files `sam local invoke -e` uses.
import { readdirSync, readFileSync } from 'node:fs';

const EVENTS_DIR = new URL('../../events/', import.meta.url);

export function sampleEvent(name: string): unknown {
  return JSON.parse(readFileSync(new URL(name, EVENTS_DIR), 'utf8'));
}

export function sampleEventNames(): string[] {
  return readdirSync(EVENTS_DIR).filter((name) => name.endsWith('.json'));
}
