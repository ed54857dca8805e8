// zod/mini, zod's tree-shakable form: a bundle carries only the schema kinds and checks it uses (tens of
// KiB) instead of the whole chained API (about 450 KiB minified, parsed at every cold start). Its English
// messages are loaded here, once, before any schema parses, so errors read as zod's usual ones. `jitless`:
// zod would otherwise compile each object schema into a function (new Function) on its first parse, which
// pays off over many parses, not for the handful a cold start makes.
// Import it as `import * as z from './schema.ts'`.
import { en } from 'zod/locales';
import { config } from 'zod/mini';

config({ ...en(), jitless: true });

export * from 'zod/mini';
