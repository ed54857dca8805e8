// Why this file exists: the two dialects render the same plan (copy originals, update, shuffle, verify) in
// different SQL. This is the shape they share, and the one way values reach SQL: as bound parameters.
import type { MaskedColumn } from '../catalog.ts';
import type { KeyPurpose } from '../keys.ts';

/**
 * Collects bound values while SQL is assembled. `bind` returns an opaque marker (⟦n⟧, which no catalog-checked
 * identifier or SQL text of ours contains); `finalize` turns the markers the text actually holds into
 * `$1, $2 …` in order of first appearance (PostgreSQL, a marker used twice is one parameter) or `?` in textual
 * order (MySQL), and sends only their values: the order in which code builds the text never has to match the
 * order of the placeholders, and a value bound but left out of the text is never sent (PostgreSQL refuses a
 * parameter whose type it cannot infer from the text, 42P18).
 */
export class BoundSql {
  private readonly values: unknown[] = [];

  bind(value: unknown): string {
    this.values.push(value);
    return `⟦${this.values.length - 1}⟧`;
  }

  finalize(sql: string, style: 'numbered' | 'positional'): { sql: string; params: unknown[] } {
    const params: unknown[] = [];
    if (style === 'numbered') {
      const numbers = new Map<number, number>();
      const text = sql.replace(/⟦(\d+)⟧/g, (_, n: string) => {
        const index = Number(n);
        let number = numbers.get(index);
        if (number === undefined) {
          params.push(this.values[index]);
          number = params.length;
          numbers.set(index, number);
        }
        return `$${number}`;
      });
      return { sql: text, params };
    }
    const text = sql.replace(/⟦(\d+)⟧/g, (_, n: string) => {
      params.push(this.values[Number(n)]);
      return '?';
    });
    return { sql: text, params };
  }
}

/** A purpose's key as the statement being built uses it. */
export interface KeyRef {
  /** The SQL standing for the key: a bound parameter of the statement, the same one wherever it recurs. */
  (purpose: KeyPurpose): string;
  /**
   * The key itself, for what is derived from it in this process rather than in SQL (which dictionary entries
   * pick themselves, see self-picks.ts); never to be written into SQL text.
   */
  readonly value: (purpose: KeyPurpose) => string;
}

/** A KeyRef binding each purpose's key into `sql` once, on first use. */
export function boundKeys(sql: BoundSql, keys: Readonly<Record<KeyPurpose, string>>): KeyRef {
  const markers = new Map<KeyPurpose, string>();
  const ref = (purpose: KeyPurpose) => {
    let marker = markers.get(purpose);
    if (marker === undefined) {
      marker = sql.bind(keys[purpose]);
      markers.set(purpose, marker);
    }
    return marker;
  };
  return Object.assign(ref, { value: (purpose: KeyPurpose) => keys[purpose] });
}

export interface MaskDialect {
  readonly placeholders: 'numbered' | 'positional';
  /**
   * A statement to run just before each table's transaction begins (it applies to that transaction only), if
   * the lock below needs one (MySQL: the isolation level under which a locking read also locks the gaps).
   */
  readonly beforeTransaction: string | undefined;
  /**
   * The first statement of each table's transaction: it keeps every other writer out of the table until the
   * transaction ends, so no row can be inserted or changed between the masking UPDATE and the commit, unmasked
   * and unverified. Readers are not blocked where the engine allows it.
   */
  lock(table: string, truncate: boolean): string;
  /**
   * A statement that makes every query of the masking transaction see every row, or fail, where the engine has
   * row-level security (PostgreSQL: rows a policy hides would otherwise be neither masked nor verified).
   */
  readonly allRowsOrFail: string | undefined;
  /**
   * The SQL expression that computes the masked value of `column` from its current value (`ref`). Deterministic
   * strategies read their purpose's key through `key`: a parameter of the statement, never a session variable
   * (a trigger or `user_variables_by_thread` could read that) and never text of the statement.
   */
  expression(column: MaskedColumn, ref: string, sql: BoundSql, key: KeyRef): string;
  /** A condition on the original value under which the strategy cannot change it (nothing to hide), if any. */
  unchangeable(column: MaskedColumn, original: string, sql: BoundSql): string | undefined;
  /**
   * A condition on the masked value under which it still holds something the strategy must remove, whether or
   * not it changed (text-scrub: a detector still matches), if the strategy has one. Such rows count as left over.
   */
  residue(column: MaskedColumn, masked: string, sql: BoundSql): string | undefined;
  /** `a` and `b` differ, NULLs compared as values. */
  distinct(a: string, b: string): string;
  /**
   * Statements that create the empty temporary table `name` (keyed by `keys`) shaped like `select`, inside the
   * transaction. `select` has no parameters: PostgreSQL refuses bound values in CREATE TABLE AS.
   */
  createCopy(name: string, keys: readonly string[], select: string): string[];
  /** Statements to run once the copy is filled (PostgreSQL: ANALYZE, temporary tables are never auto-analysed). */
  afterCopy(name: string): string[];
  /** Statements that drop the temporary table `name` again (none where the transaction end does it). */
  dropCopy(name: string): string[];
  /** `column IN (values)` for a row filter. */
  inList(column: string, values: readonly unknown[], sql: BoundSql): string;
  /**
   * Statements that permute `column` of the rows in `copy` (originals in `copy.original`, keys `copy.keys`)
   * among themselves: values in random order matched to rows in key order.
   */
  shuffle(table: string, column: string, copy: ShuffleSource): string[];
  /** Empties a table inside the open transaction. */
  truncate(table: string): string;
  /**
   * The statement that defers a (DEFERRABLE) foreign key, quoted `schema.name`, to the commit of the open
   * transaction (PostgreSQL), or undefined where foreign keys are switched off for the session instead.
   */
  deferForeignKey(name: string): string | undefined;
  /**
   * Where foreign keys cannot be deferred (MySQL/MariaDB): how to read (as `v`), switch off and restore the
   * session's checks around the transaction of a group of tables joined by foreign keys.
   */
  readonly foreignKeyChecks:
    | { readonly read: string; readonly off: string; restore(value: 0 | 1): string }
    | undefined;
}

export interface ShuffleSource {
  readonly name: string;
  /** Key columns of the copy (p0, p1 …) and of the table (quoted), pairwise. */
  readonly keys: readonly { readonly copy: string; readonly table: string }[];
  readonly original: string;
}
