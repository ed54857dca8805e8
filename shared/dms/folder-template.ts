// Why this file exists: loads to S3 often want a folder per run (`exports/2026/11/23`). The folder is the S3
// target endpoint's BucketFolder, set before each start from a template with the run's date in a configured
// time zone. The template is checked once, at cold start, so a typo fails the deployment's first invocation
// naming itself, never a night's run halfway; rendering is pure.

/** The date parts a template may use, each zero-padded: {yyyy}, {MM}, {dd}, {HH}, {mm}. */
const TOKENS = ['yyyy', 'MM', 'dd', 'HH', 'mm'] as const;
type Token = (typeof TOKENS)[number];

/** What S3 keys take safely (AWS's "safe characters"), and the folder separator. */
const SAFE = /^[A-Za-z0-9!_.*'()/-]*$/;
const MAX_FOLDER_LENGTH = 512;

export interface FolderTemplate {
  readonly template: string;
  readonly timeZone: string;
}

/** Every problem with a template and time zone, or none: the configuration reports them all at once. */
export function folderTemplateProblems(template: string, timeZone: string): string[] {
  const problems: string[] = [];
  const tokens = [...template.matchAll(/\{([^}]*)\}/g)].map((match) => match[1] ?? '');
  const unknown = tokens.filter((token) => !(TOKENS as readonly string[]).includes(token));
  if (unknown.length > 0) {
    problems.push(
      `uses ${unknown.map((token) => `{${token}}`).join(', ')}, which is not a date part (use ${TOKENS.map((token) => `{${token}}`).join(', ')})`,
    );
  }
  const literal = template.replace(/\{[^}]*\}/g, '');
  if (!SAFE.test(literal) || /[{}]/.test(literal)) {
    problems.push("holds a character S3 keys do not take safely (letters, digits and !_.*'()/- only)");
  }
  if (template.startsWith('/') || template.endsWith('/')) {
    problems.push('starts or ends with a slash');
  } else if (template.split('/').some((part) => part === '' || part === '.' || part === '..')) {
    problems.push('has an empty, "." or ".." folder');
  }
  if (template.length > MAX_FOLDER_LENGTH) problems.push(`is longer than ${MAX_FOLDER_LENGTH} characters`);
  if (!knownTimeZone(timeZone))
    problems.push(`time zone "${timeZone}" is not an IANA time zone (e.g. UTC, Europe/Berlin)`);
  return problems;
}

function knownTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** The folder for a run at `date`, its date parts as the clock reads in the template's time zone. */
export function renderFolder(folder: FolderTemplate, date: Date): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone: folder.timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(date)
      .map((part) => [part.type, part.value]),
  );
  const values: Record<Token, string> = {
    yyyy: String(parts.year),
    MM: String(parts.month),
    dd: String(parts.day),
    HH: String(parts.hour),
    mm: String(parts.minute),
  };
  return folder.template.replace(/\{(yyyy|MM|dd|HH|mm)\}/g, (_, token: Token) => values[token]);
}
