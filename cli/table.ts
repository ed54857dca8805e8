// Why this file exists: `status` and `history` print aligned columns for people. Cells may already carry
// colour, so widths are measured without ANSI escapes: a coloured cell and a plain one line up the same.

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching the escape character is the point.
const ANSI_ESCAPE = /\u001b\[[0-9;]*m/g;

export function visibleLength(text: string): number {
  return text.replace(ANSI_ESCAPE, '').length;
}

/** Header and rows as lines, each column as wide as its widest cell, two spaces apart, no trailing spaces. */
export function renderTable(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((title, column) =>
    Math.max(visibleLength(title), ...rows.map((row) => visibleLength(row[column] ?? ''))),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => cell + ' '.repeat((widths[column] ?? 0) - visibleLength(cell)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

/**
 * "Label:  value" lines with the values aligned, for the key facts of `status`. An empty label continues the
 * fact above it (a second hook under "Hooks:"), so it gets no colon.
 */
export function renderFacts(facts: readonly (readonly [string, string])[]): string[] {
  const width = Math.max(...facts.map(([label]) => label.length)) + 1;
  return facts.map(([label, value]) =>
    `${(label === '' ? '' : `${label}:`).padEnd(width)}  ${value}`.trimEnd(),
  );
}
