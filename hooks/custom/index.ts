// The registry of custom TypeScript hooks: the names `"kind": "module"` entries of a hooks configuration may use.
// Compiled into the post-processor; a name the config file uses but this file lacks fails the config test
// and the cold start. See anonymise-ticket-notes.ts for how to write one.
import type { CustomHookRegistry } from '#shared/hooks/kinds/module';
import { anonymiseTicketNotes } from './anonymise-ticket-notes.ts';

export const CUSTOM_HOOKS: CustomHookRegistry = {
  'anonymise-ticket-notes': anonymiseTicketNotes,
};
