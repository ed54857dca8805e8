// A worked example of a custom hook, and the guide for writing one.
//
// WRITING A CUSTOM HOOK
// 1. Write a file in hooks/custom/ exporting a `CustomHook`: `needsTarget` (true if you call
//    `context.target()`) and `run(context)`. The context gives you:
//      - `run`: the finished run (task, outcome, DMS stats);
//      - `log`: structured logging (never log row values, passwords or salts);
//      - `target()`: the target database (TARGET_DATABASE_SECRET_ARN), shared by the run's hooks and
//        closed by the runner: do not close it. Use `query(sql, params)` with placeholders ($1 … on
//        PostgreSQL, ? on MySQL; `dialect` says which) and `transaction(work)` for all-or-nothing changes;
//      - `secrets`: Secrets Manager reads (the post-processor's role must be allowed to read the secret);
//      - `signal` and `remainingTimeMs()`: your time budget. When it ends the hook is reported as failed
//        and the signal aborts; stop work and do not start what cannot finish.
// 2. Register it under a name in hooks/custom/index.ts.
// 3. Add `{ "name": "...", "kind": "module", "module": "<registered name>" }` to your hooks configuration (hooks/configs/<name>.json).
// Throw to fail the hook (the run then alerts, and the hooks after it are skipped unless yours says
// `"onFailure": "continue"`); return `{ changed }`, a short sentence without data, to report what you did.
// Names of tables and columns belong in your code, never built from input; values go in as parameters.
//
// THIS EXAMPLE replaces the free-text notes of support tickets (where customers write anything, PII
// included) with a fixed sentence, in one parameterised UPDATE that runs inside the database.
import type { CustomHook } from '#shared/hooks/kinds/module';

export const REPLACEMENT_NOTE = 'Ticket notes removed in this environment.';

export const anonymiseTicketNotes: CustomHook = {
  needsTarget: true,
  async run({ target }) {
    const database = await target();
    const [note, same] = database.dialect === 'postgres' ? ['$1', '$1'] : ['?', '?'];
    const params =
      database.dialect === 'postgres' ? [REPLACEMENT_NOTE] : [REPLACEMENT_NOTE, REPLACEMENT_NOTE];
    const result = await database.transaction((session) =>
      session.query(
        `UPDATE support_tickets SET notes = ${note} WHERE notes IS NOT NULL AND notes <> ${same}`,
        params,
      ),
    );
    return { changed: `support_tickets.notes replaced in ${result.rowCount} row(s)` };
  },
};
