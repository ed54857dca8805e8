// Why this file exists: a team points the hooks command at its own database with one URL, the form every
// database tool takes (postgres://user@host:5432/db, mysql://…). This turns it into the DatabaseSecret the
// production adapters connect with, and into a description to print that never holds the password. The
// password may come from DATABASE_PASSWORD instead, so it stays out of shell history; a password written in the
// URL wins, as it does for libpq and PGPASSWORD. Pure: the text and the environment in, a target out.
import type { TlsMode } from '#shared/database/postgres';
import type { DatabaseSecret } from '#shared/database/secret';
import type { Dialect } from '#shared/database/target';
import { InputError } from './input-error.ts';

const SCHEMES: Readonly<Record<string, Dialect>> = {
  'postgres:': 'postgres',
  'postgresql:': 'postgres',
  'mysql:': 'mysql',
  'mariadb:': 'mysql',
};

const DEFAULT_PORTS: Readonly<Record<Dialect, number>> = { postgres: 5432, mysql: 3306 };

const EXPECTED = 'postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE (or postgresql://, mysql://, mariadb://)';

export interface DatabaseTarget {
  readonly secret: DatabaseSecret;
  /** `postgres://user@host:port/database`: what the command prints, never with the password. */
  readonly display: string;
  /** The host is this machine (localhost, 127.0.0.0/8, ::1): TLS is off by default there. */
  readonly loopback: boolean;
}

function decode(part: string, what: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new InputError(`--database-url has a malformed %-escape in its ${what}`);
  }
}

export function isLoopback(host: string): boolean {
  const name = host.toLowerCase();
  return name === 'localhost' || name === '::1' || /^127(\.\d{1,3}){3}$/.test(name);
}

/**
 * Parses `--database-url`; `env.DATABASE_PASSWORD` supplies the password when the URL has none. Throws an
 * InputError naming what is wrong, never quoting the URL (it may hold a password).
 */
export function parseDatabaseUrl(
  text: string,
  env: Readonly<Record<string, string | undefined>>,
): DatabaseTarget {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new InputError(`--database-url is not a URL: expected ${EXPECTED}`);
  }
  const dialect = SCHEMES[url.protocol.toLowerCase()];
  if (dialect === undefined) {
    const scheme = /^[a-z][a-z0-9+.-]{0,20}:$/i.test(url.protocol) ? ` ${url.protocol}//` : '';
    throw new InputError(
      `--database-url scheme${scheme} is not one this command speaks: use postgres://, postgresql://, mysql:// or mariadb://`,
    );
  }
  if (url.search !== '' || url.hash !== '') {
    throw new InputError(
      '--database-url has query parameters or a fragment, which this command does not read (use --tls for TLS)',
    );
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === '') throw new InputError(`--database-url names no host: expected ${EXPECTED}`);
  const username = decode(url.username, 'user');
  if (username === '') throw new InputError(`--database-url names no user: expected ${EXPECTED}`);
  const database = decode(url.pathname.replace(/^\//, ''), 'database');
  if (database === '' || database.includes('/')) {
    throw new InputError(
      `--database-url names no database (one path segment, /DATABASE): expected ${EXPECTED}`,
    );
  }
  const port = url.port === '' ? DEFAULT_PORTS[dialect] : Number(url.port);
  const fromUrl = decode(url.password, 'password');
  const password = fromUrl !== '' ? fromUrl : (env.DATABASE_PASSWORD ?? '');
  const scheme = dialect === 'postgres' ? 'postgres' : url.protocol.replace(/:$/, '').toLowerCase();
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    secret: { dialect, host, port, username, password, database },
    display: `${scheme}://${encodeURIComponent(username)}@${shownHost}:${port}/${encodeURIComponent(database)}`,
    loopback: isLoopback(host),
  };
}

/** `--tls` if given; otherwise off on this machine (no certificate to check) and verify anywhere else. */
export function tlsFor(explicit: TlsMode | undefined, target: DatabaseTarget): TlsMode {
  return explicit ?? (target.loopback ? 'off' : 'verify');
}
