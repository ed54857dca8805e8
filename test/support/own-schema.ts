// Why this file exists: the hooks command and the post-processor's hook path must be proved on a schema a team
// brings, not only on the sample one the rest of the suite masks (customers, orders). This is a small clinic, on
// PostgreSQL and on MariaDB alike: patients(id, email UNIQUE and case-sensitive, full_name, phone) and
// visits(id, patient_email → patients.email, DEFERRABLE on PostgreSQL, notes holding e-mails and phones,
// visited_on). The `case-twins` variant gives two patients e-mails that differ only in case, which is exactly
// what `email` (it lower-cases before hashing) on a case-sensitive unique column must refuse. Names are chosen
// outside masking's dictionaries, so "no original name left" cannot be fooled by a pseudonym that happens to
// equal one. Also here: the clinic's hooks configuration, and the reads the tests judge the outcome by.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DatabaseSecret } from '#shared/database/secret';
import type { SqlSession, TargetDatabase } from '#shared/database/target';
import { type LocalPostgres, startLocalPostgres } from '../../local/postgres.ts';

export type ClinicVariant = 'distinct' | 'case-twins';

export const CLINIC_PATIENTS = 12;
export const CLINIC_VISITS = 30;

const FIRST = ['Ottoline', 'Barnaby', 'Philippa', 'Cornelius'];
const LAST = ['Featherstonehaugh', 'Wolstenholme', 'Cholmondeley'];

export interface ClinicPatient {
  readonly id: number;
  readonly email: string;
  readonly fullName: string;
  readonly phone: string;
}

export interface ClinicVisit {
  readonly id: number;
  readonly patientEmail: string | null;
  readonly notes: string | null;
  /** YYYY-MM-DD. */
  readonly visitedOn: string;
}

export interface ClinicSeed {
  readonly patients: readonly ClinicPatient[];
  readonly visits: readonly ClinicVisit[];
}

/** The rows the clinic is seeded with; the `case-twins` variant's last patient shares the first's e-mail, case aside. */
export function clinicSeed(variant: ClinicVariant = 'distinct'): ClinicSeed {
  const patients = Array.from({ length: CLINIC_PATIENTS }, (_, i): ClinicPatient => {
    const first = FIRST[i % FIRST.length] ?? 'Ottoline';
    const last = LAST[Math.floor(i / FIRST.length) % LAST.length] ?? 'Featherstonehaugh';
    return {
      id: i + 1,
      email: `${first}.${last}@Clinic.example`,
      fullName: `${first} ${last}`,
      phone: `+44 20 7946 ${String(1000 + i * 37)}`,
    };
  });
  const [firstPatient] = patients;
  if (variant === 'case-twins' && firstPatient) {
    patients[CLINIC_PATIENTS - 1] = {
      ...(patients[CLINIC_PATIENTS - 1] as ClinicPatient),
      email: firstPatient.email.toLowerCase(),
    };
  }
  const visits = Array.from({ length: CLINIC_VISITS }, (_, i): ClinicVisit => {
    const patient = i % 7 === 6 ? undefined : patients[(i * 5) % CLINIC_PATIENTS];
    const day = String(1 + (i % 28)).padStart(2, '0');
    return {
      id: i + 1,
      patientEmail: patient?.email ?? null,
      notes:
        i % 5 === 4
          ? null
          : patient
            ? `Called ${patient.email} on ${patient.phone}; results sent, follow-up booked.`
            : 'Walk-in, no contact details given.',
      visitedOn: `2026-${String(1 + (i % 12)).padStart(2, '0')}-${day}`,
    };
  });
  return { patients, visits };
}

/** Every original value a masked copy must no longer hold, for "does it appear anywhere" checks. */
export function clinicOriginals(seed: ClinicSeed): { emails: string[]; phones: string[]; names: string[] } {
  return {
    emails: seed.patients.map((patient) => patient.email),
    phones: seed.patients.map((patient) => patient.phone),
    names: seed.patients.map((patient) => patient.fullName),
  };
}

const placeholder = (db: TargetDatabase, n: number) => (db.dialect === 'postgres' ? `$${n}` : '?');

/** Drops and creates the clinic's two tables in the connection's database, and seeds them. */
export async function createClinicSchema(
  db: TargetDatabase,
  variant: ClinicVariant = 'distinct',
): Promise<ClinicSeed> {
  // MariaDB's default collation ignores case: the e-mail columns are made case-sensitive explicitly, and the
  // referencing column must share the referenced one's collation.
  const exact = db.dialect === 'mysql' ? ' CHARACTER SET utf8mb4 COLLATE utf8mb4_bin' : '';
  const deferrable = db.dialect === 'postgres' ? ' DEFERRABLE' : '';
  await db.query('DROP TABLE IF EXISTS visits');
  await db.query('DROP TABLE IF EXISTS patients');
  await db.query(`CREATE TABLE patients (
    id integer PRIMARY KEY,
    email varchar(120)${exact} NOT NULL,
    full_name varchar(80) NOT NULL,
    phone varchar(32),
    CONSTRAINT patients_email_key UNIQUE (email))`);
  await db.query(`CREATE TABLE visits (
    id integer PRIMARY KEY,
    patient_email varchar(120)${exact},
    notes text,
    visited_on date NOT NULL,
    CONSTRAINT visits_patient_fk FOREIGN KEY (patient_email) REFERENCES patients (email)${deferrable})`);
  const seed = clinicSeed(variant);
  const marks = (n: number) => Array.from({ length: n }, (_, i) => placeholder(db, i + 1)).join(', ');
  for (const patient of seed.patients) {
    await db.query(`INSERT INTO patients (id, email, full_name, phone) VALUES (${marks(4)})`, [
      patient.id,
      patient.email,
      patient.fullName,
      patient.phone,
    ]);
  }
  for (const visit of seed.visits) {
    await db.query(`INSERT INTO visits (id, patient_email, notes, visited_on) VALUES (${marks(4)})`, [
      visit.id,
      visit.patientEmail,
      visit.notes,
      visit.visitedOn,
    ]);
  }
  return seed;
}

/** The clinic as it is now, in the seed's shape (dates as YYYY-MM-DD), ordered by id. */
export async function readClinic(
  db: TargetDatabase | SqlSession,
  dialect: TargetDatabase['dialect'],
): Promise<ClinicSeed> {
  const day =
    dialect === 'postgres' ? "to_char(visited_on, 'YYYY-MM-DD')" : "DATE_FORMAT(visited_on, '%Y-%m-%d')";
  const patients = await db.query<{ id: number; email: string; full_name: string; phone: string }>(
    'SELECT id, email, full_name, phone FROM patients ORDER BY id',
  );
  const visits = await db.query<{
    id: number;
    patient_email: string | null;
    notes: string | null;
    day: string;
  }>(`SELECT id, patient_email, notes, ${day} AS day FROM visits ORDER BY id`);
  return {
    patients: patients.rows.map((row) => ({
      id: Number(row.id),
      email: row.email,
      fullName: row.full_name,
      phone: row.phone,
    })),
    visits: visits.rows.map((row) => ({
      id: Number(row.id),
      patientEmail: row.patient_email,
      notes: row.notes,
      visitedOn: row.day,
    })),
  };
}

/** Visits whose patient_email finds no patient (0 when the foreign key holds), and visits that join one. */
export async function clinicReferences(db: TargetDatabase): Promise<{ orphans: number; joined: number }> {
  const count = async (sql: string) => Number((await db.query<{ n: number | string }>(sql)).rows[0]?.n ?? 0);
  return {
    orphans: await count(
      'SELECT COUNT(*) AS n FROM visits v WHERE v.patient_email IS NOT NULL AND NOT EXISTS (SELECT 1 FROM patients p WHERE p.email = v.patient_email)',
    ),
    joined: await count('SELECT COUNT(*) AS n FROM visits v JOIN patients p ON p.email = v.patient_email'),
  };
}

export const CLINIC_LAMBDA_ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:reindex-clinic-search';

/**
 * The clinic's hooks configuration: e-mail masked on both sides of the foreign key with `email` (deterministic,
 * so visits still find their patient), names with `full-name`, phones with `digits-randomize`, the free-text
 * notes with `text-scrub`, dates with `date-shift`; then, optionally, a `lambda` hook (which the local command
 * does not run) and `log-run`.
 */
export function clinicHooksConfig({ lambda = true }: { lambda?: boolean } = {}): unknown {
  return {
    version: 1,
    hooks: [
      {
        name: 'mask-clinic',
        kind: 'mask',
        description: 'Masks the clinic: patients and their visits, joined by e-mail.',
        tables: [
          {
            table: 'patients',
            columns: {
              email: { strategy: 'email' },
              full_name: { strategy: 'full-name' },
              phone: { strategy: 'digits-randomize' },
            },
          },
          {
            table: 'visits',
            columns: {
              patient_email: { strategy: 'email' },
              notes: { strategy: 'text-scrub' },
              visited_on: { strategy: 'date-shift', maxDays: 30 },
            },
          },
        ],
      },
      ...(lambda
        ? [{ name: 'reindex-search', kind: 'lambda', functionArn: CLINIC_LAMBDA_ARN, onFailure: 'continue' }]
        : []),
      { name: 'log-run', kind: 'log-run' },
    ],
  };
}

/** Writes `config` (the clinic's by default) as `file` into `dir`; returns its path. */
export function writeClinicConfig(
  dir: string,
  config: unknown = clinicHooksConfig(),
  file = 'clinic.json',
): string {
  const path = join(dir, file);
  writeFileSync(path, `${JSON.stringify(config, null, 2)}\n`);
  return path;
}

/**
 * An embedded PostgreSQL holding an empty `clinic` database owned by `clinic_owner`, a password role: what a
 * team's own database looks like to the hooks. The password is generated here; nothing hostile to quote.
 */
export async function startClinicPostgres(): Promise<{ server: LocalPostgres; secret: DatabaseSecret }> {
  const server = await startLocalPostgres();
  const admin = await server.connect('postgres');
  const password = `pw-${Math.random().toString(36).slice(2)}-clinic`;
  await admin.query(`CREATE ROLE clinic_owner LOGIN PASSWORD '${password}'`);
  await admin.query('CREATE DATABASE clinic OWNER clinic_owner');
  await admin.end();
  return {
    server,
    secret: {
      dialect: 'postgres',
      host: '127.0.0.1',
      port: admin.port,
      username: 'clinic_owner',
      password,
      database: 'clinic',
    },
  };
}
