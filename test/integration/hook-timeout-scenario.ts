// A hook that outlives its budget on a real database, through the production adapter and the runner: the
// runner must drop the hook's connection at once (a polite close waits behind the running statement on
// mysql2), report the hook timed out, and give the next hook a fresh, working connection. The order of
// events is asserted, not a duration: when run() returns, the hook's statement is still running on the
// server; and once the server has finished it, its transaction has not committed. A hook that fails any other
// way leaves no session state (variables, an open transaction) to the next hook either.
import { expect, it } from 'vitest';
import type { TargetDatabase } from '#shared/database/target';
import type { Hook } from '#shared/hooks/contract';
import { sqlHook } from '#shared/hooks/kinds/sql';
import { SequentialHookRunner } from '#shared/hooks/runner';
import { RUN } from '../support/hooks.ts';
import { RecordingLog } from '../support/ports.ts';

export interface TimeoutScenarioTarget {
  /** Opens a connection through the production adapter. */
  connect(): Promise<TargetDatabase>;
  /** A statement that sleeps for ten seconds on the server. */
  readonly sleepTenSeconds: string;
  /** How many sessions (other than the asking one) are running `sleepTenSeconds` now. */
  readonly countSleeping: string;
  /** The server's id of the asking session. */
  readonly sessionId: string;
  /** Sets a session variable to 'left-over'; and reads it back as `v` (null or '' when unset). */
  readonly setSessionMark: string;
  readonly readSessionMark: string;
}

/** Polls `check` every 200 ms until it holds, for at most `limitMs`. */
async function eventually(check: () => Promise<boolean>, limitMs: number): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`still not so after ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export function hookTimeoutScenario(target: () => TimeoutScenarioTarget): void {
  async function one<T>(work: (db: TargetDatabase) => Promise<T>): Promise<T> {
    const db = await target().connect();
    try {
      return await work(db);
    } finally {
      await db.close();
    }
  }

  const seed = () =>
    one(async (db) => {
      await db.query('DROP TABLE IF EXISTS timeout_probe');
      await db.query('CREATE TABLE timeout_probe (id integer PRIMARY KEY, note varchar(20))');
      await db.query("INSERT INTO timeout_probe (id, note) VALUES (1, 'loaded')");
    });

  const sleeping = async () =>
    Number((await one((db) => db.query(target().countSleeping))).rows[0]?.n ?? Number.NaN);

  it("drops a timed-out hook's connection at once, so run() returns while its statement still runs, and the next hook gets a fresh one", async () => {
    await seed();
    const { sleepTenSeconds, sessionId } = target();
    const sessions: unknown[] = [];
    const id = async (db: TargetDatabase) => Object.values((await db.query(sessionId)).rows[0] ?? {})[0];

    const stuck = sqlHook({
      name: 'stuck',
      file: 'hooks/sql/stuck.sql',
      // Changes a row, then sleeps inside the same transaction.
      script: `UPDATE timeout_probe SET note = 'changed'\n-- statement\n${sleepTenSeconds}`,
      timeoutSeconds: 1,
      onFailure: 'continue',
    });
    const recordSession: Hook = {
      name: 'record-session',
      async run(context) {
        sessions.push(await id(await context.target()));
        return undefined;
      },
    };
    const next: Hook = {
      name: 'next',
      async run(context) {
        const db = await context.target();
        sessions.push(await id(db));
        const rows = (await db.query('SELECT note FROM timeout_probe')).rows;
        return { changed: `read ${rows.length} row(s)` };
      },
    };

    let opened = 0;
    const report = await new SequentialHookRunner([recordSession, stuck, next], {
      openTarget: async () => {
        opened += 1;
        return target().connect();
      },
    }).run(RUN, new RecordingLog(), () => 600_000);

    // run() came back while the timed-out statement was still running on the server.
    expect(await sleeping()).toBe(1);
    expect(report.hooks).toMatchObject([
      { name: 'record-session', status: 'succeeded' },
      { name: 'stuck', status: 'failed', timedOut: true },
      { name: 'next', status: 'succeeded', changed: 'read 1 row(s)' },
    ]);
    // The next hook had a connection of its own, and it worked.
    expect(opened).toBe(2);
    expect(sessions).toHaveLength(2);
    expect(sessions[1]).not.toEqual(sessions[0]);

    // Once the server has finished the statement, the transaction it was in did not commit.
    await eventually(async () => (await sleeping()) === 0, 20_000);
    expect(await one(async (db) => (await db.query('SELECT note FROM timeout_probe')).rows)).toEqual([
      { note: 'loaded' },
    ]);
  }, 40_000);

  it('gives the hook after a failed `continue` hook a fresh session, without its variables or transaction', async () => {
    await seed();
    const { setSessionMark, readSessionMark } = target();
    const failing: Hook = {
      name: 'failing',
      onFailure: 'continue',
      async run(context) {
        const db = await context.target();
        await db.query(setSessionMark);
        await db.query('BEGIN');
        await db.query("UPDATE timeout_probe SET note = 'half-done'");
        throw new Error('failed half way');
      },
    };
    let seen: unknown;
    const next: Hook = {
      name: 'next',
      async run(context) {
        const db = await context.target();
        seen = (await db.query(readSessionMark)).rows[0]?.v;
        // Committed on this hook's own connection: had it inherited the open transaction, this would commit
        // the failed hook's half-done UPDATE too.
        await db.transaction((session) => session.query('SELECT 1'));
        return undefined;
      },
    };
    const report = await new SequentialHookRunner([failing, next], {
      openTarget: () => target().connect(),
    }).run(RUN, new RecordingLog(), () => 600_000);

    expect(report.hooks.map((hook) => hook.status)).toEqual(['failed', 'succeeded']);
    expect(seen ?? '').toBe('');
    expect(await one(async (db) => (await db.query('SELECT note FROM timeout_probe')).rows)).toEqual([
      { note: 'loaded' },
    ]);
  });
}
